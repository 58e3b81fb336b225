/**
 * Import: several documents (a launch script and the model's config.json, say) → one config value, each value with
 * a note naming where it came from, plus the values nobody gave (taken from options or a stated default, marked
 * assumed). Pure: the CLI reads the files and writes the result.
 */
import type { Diagnostic } from '../diagnostics';
import { schemaAt } from '../schema';
import { assumeMissing, type Assumed } from './assumed';
import { getPath, setPath, type ImportedDocument, type Origin } from './source';

export type { Assumed };

type Obj = Record<string, unknown>;

export interface ImportInput {
  file: string;
  doc: ImportedDocument;
}

export interface ImportOptions {
  gpu?: string;
  nodes?: number;
  gpusPerNode?: number;
}


export interface Combined {
  value: Obj;
  /** Config path → the comment for its line: `launch.sh:12 --num-layers`. */
  notes: Map<string, string>;
  assumed: Assumed[];
  /** Problems found combining the inputs, by file ('' for the result). */
  diagnostics: { file: string; diagnostic: Diagnostic }[];
}

/** Leaves of a config value (arrays are leaves), by dotted path. */
export function leaves(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Obj)) leaves(v, path === '' ? k : `${path}.${k}`, out);
  } else if (path !== '') out.set(path, value);
  return out;
}

/** The origin recorded for a leaf, or for the nearest ancestor that set it (a flavor sets the whole model). */
function originOf(doc: ImportedDocument, path: string): Origin | undefined {
  for (let p = path; ; p = p.slice(0, Math.max(0, p.lastIndexOf('.')))) {
    const o = doc.origins.get(p);
    if (o) return o;
    if (!p.includes('.')) return undefined;
  }
}

function note(file: string, doc: ImportedDocument, o: Origin): string {
  if (o.implicit) return `${file}: ${o.via ?? `no ${o.key}`}`;
  const line = doc.positionAt(o.keyStart).line + 1;
  return `${file}:${line} ${o.key}${o.via ? ` (${o.via})` : ''}`;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The inputs' values merged into one, each leaf with its note and the file it came from; conflicts by file. */
export interface Merged {
  value: Obj;
  notes: Map<string, string>;
  /** Config leaf path → the file whose value was kept. */
  owners: Map<string, string>;
  diagnostics: { file: string; diagnostic: Diagnostic }[];
}

/**
 * The inputs merged, as import and a check of several files as one config (`tcs check ds.json config.json`) both
 * read them: the first explicit value of each leaf wins over implicit ones; two explicit values that differ are a
 * conflict, except that the model's config.json wins on the model's shape.
 */
export function mergeInputs(inputs: readonly ImportInput[]): Merged {
  const value: Obj = {};
  const notes = new Map<string, string>();
  const implicitAt = new Set<string>();
  const owner = new Map<string, { file: string; doc: ImportedDocument; origin: Origin }>();
  const diagnostics: Merged['diagnostics'] = [];
  for (const input of inputs) {
    if (input.doc.value === undefined) continue;
    for (const [path, v] of leaves(input.doc.value)) {
      const o = originOf(input.doc, path);
      if (!o) continue;
      const had = owner.get(path);
      const take = () => {
        setPath(value, path, v);
        notes.set(path, note(input.file, input.doc, o));
        owner.set(path, { file: input.file, doc: input.doc, origin: o });
        if (o.implicit) implicitAt.add(path);
        else implicitAt.delete(path);
      };
      if (!had) take();
      else if (same(getPath(value, path), v)) {
        if (implicitAt.has(path) && !o.implicit) take();
      } else if (o.implicit) continue;
      else if (implicitAt.has(path)) take();
      else {
        // Two files say different things: the model's own config.json is the authority on its shape.
        const hfWins = path.startsWith('model.') && input.doc.format === 'hf' && had.doc.format !== 'hf';
        const lost = hfWins ? { ...had, value: getPath(value, path) } : { file: input.file, doc: input.doc, origin: o, value: v };
        const kept = hfWins ? { note: note(input.file, input.doc, o), value: v } : { note: notes.get(path), value: getPath(value, path) };
        const message = `${lost.origin.key} = ${JSON.stringify(lost.value)} contradicts ${kept.note} = ${JSON.stringify(kept.value)} for \`${path}\`; the latter is kept.`;
        const range = { start: lost.doc.positionAt(lost.origin.keyStart), end: lost.doc.positionAt(lost.origin.valueEnd) };
        diagnostics.push({ file: lost.file, diagnostic: { severity: 'error', code: 'import/conflict', message, path, range } });
        if (hfWins) take();
      }
    }
  }
  return { value, notes, owners: new Map([...owner].map(([path, o]) => [path, o.file])), diagnostics };
}

export function combine(inputs: readonly ImportInput[], options: ImportOptions = {}): Combined {
  const { value, notes, diagnostics } = mergeInputs(inputs);
  const assumed: Assumed[] = [];
  // An option gives what no input says (as `tcs check` reads it); an input's own value is kept.
  const force = (path: string, v: unknown, from: string) => {
    if (getPath(value, path) !== undefined) return;
    setPath(value, path, v);
    notes.set(path, `assumed: ${from}`);
    assumed.push({ path, value: v, from });
  };
  if (options.gpu !== undefined) force('cluster.gpu', options.gpu, '--gpu option');
  if (options.nodes !== undefined) force('cluster.nodes', options.nodes, '--nodes option');
  if (options.gpusPerNode !== undefined) force('cluster.gpus_per_node', options.gpusPerNode, '--gpus-per-node option');
  // What no input gives: the one rule the check uses too (formats/assumed.ts).
  for (const a of assumeMissing(value, undefined, inputs.flatMap((i) => i.doc.diagnostics))) {
    notes.set(a.path, `assumed: ${a.from}`);
    assumed.push(a);
  }
  if (getPath(value, 'name') === undefined) {
    setPath(value, 'name', `Imported from ${inputs.map((i) => i.file.replace(/^.*[\\/]/, '')).join(' + ')}`);
  }
  return { value: order(value), notes, assumed, diagnostics };
}

/** Keys in the schema's order (name, model, training, precision, parallelism, cluster; each section likewise). */
function order(value: Obj, path = ''): Obj {
  const schema = schemaAt(path);
  const known = Object.keys(schema?.properties ?? (schema?.anyOf ?? []).find((b) => b.properties)?.properties ?? {});
  const keys = [...known.filter((k) => k in value), ...Object.keys(value).filter((k) => !known.includes(k))];
  const out: Obj = {};
  for (const k of keys) {
    const v = value[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? order(v as Obj, path === '' ? k : `${path}.${k}`) : v;
  }
  return out;
}
