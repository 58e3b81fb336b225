/**
 * Reading formats that are trees of named keys (JSON, TOML, YAML): look a source key up, and set a config path
 * from it with the key's own ranges as the origin. One helper for HF, DeepSpeed, torchtitan and NeMo.
 */
import { parseJson } from './json';
import { Collector, getPath, type Origin } from './source';

export interface Span {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface Keyed {
  /** The value at a source path (dotted), or undefined. */
  get(path: string): unknown;
  has(path: string): boolean;
  /** The origin of a source path, with `via` when the value is transformed (then no in-place edit). */
  origin(path: string, via?: string): Origin;
  /** Sets `configPath` from the integer at `sourcePath` (copied as written). */
  copyInt(configPath: string, sourcePath: string): number | undefined;
  /**
   * Sets `configPath` from `map(value at sourcePath)` unless that is undefined. Without `via` the value is read
   * as written (an in-place edit can write it back); with `via`, derived.
   */
  copy(configPath: string, sourcePath: string, map: (v: unknown) => unknown, via?: string): boolean;
  /** Integer at a source path, or undefined (a non-integer is reported). */
  int(path: string): number | undefined;
}

export function keyed(c: Collector, root: unknown, spanOf: (path: string) => Span | undefined, write: (v: unknown) => string, display: (path: string) => string = (p) => p): Keyed {
  const get = (path: string) => getPath(root, path);
  const origin = (path: string, via?: string): Origin => {
    const s = spanOf(path);
    const key = display(path);
    if (!s) return { key, keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0, via };
    return { key, keyStart: s.keyStart >= 0 ? s.keyStart : s.valueStart, keyEnd: s.keyStart >= 0 ? s.keyEnd : s.valueEnd, valueStart: s.valueStart, valueEnd: s.valueEnd, write: via ? undefined : write, via };
  };
  const int = (path: string): number | undefined => {
    const v = get(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const s = spanOf(path);
    if (v === 'auto') c.report('info', 'formats/auto', `\`${display(path)}\` is "auto": it is filled in at run time, so it is unknown here.`, s && { start: s.valueStart, end: s.valueEnd }, '');
    else c.report('warning', 'formats/unknown-value', `\`${display(path)}\` should be a whole number, not ${JSON.stringify(v)?.slice(0, 40)}.`, s && { start: s.valueStart, end: s.valueEnd }, '');
    return undefined;
  };
  return {
    get,
    has: (path) => get(path) !== undefined,
    origin,
    int,
    copyInt(configPath, sourcePath) {
      const n = int(sourcePath);
      if (n !== undefined) c.set(configPath, n, origin(sourcePath));
      return n;
    },
    copy(configPath, sourcePath, map, via) {
      const v = get(sourcePath);
      if (v === undefined || v === null) return false;
      const out = map(v);
      if (out === undefined) return false;
      c.set(configPath, out, origin(sourcePath, via));
      return true;
    },
  };
}

/** Parses JSON into the collector's reach; a syntax error is an error diagnostic at its offset. */
export function readJson(text: string, c: Collector, write: (v: unknown) => string = (v) => JSON.stringify(v)): { value: unknown; k: Keyed } {
  const r = parseJson(text);
  if (r.error) c.report('error', 'json/syntax', `This JSON cannot be read: ${r.error.message}.`, { start: r.error.at, end: r.error.at + 1 });
  return { value: r.value, k: keyed(c, r.value, (p) => r.spans.get(p), write) };
}
