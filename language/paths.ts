/** Dotted config paths ('' root, 'parallelism.pipeline', list items 'precision.fp8.high_precision.0'): one home for walking them. */

export function joinPath(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}.${key}`;
}

/** The path of the mapping that holds `path` ('' for a top-level key). */
export function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

/** The last segment of a dotted path, as the user sees the key. */
export function keyName(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? path : path.slice(dot + 1);
}

/** The value at a dotted path of a plain value, or undefined where the path leaves it. */
export function valueAt(root: unknown, path: string): unknown {
  let v = root;
  if (path === '') return v;
  for (const segment of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[segment];
  }
  return v;
}
