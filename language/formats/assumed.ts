/**
 * What a file in another format cannot say (a launch script names no GPU type, a config.json no batch size) is
 * assumed by one rule, for `tcs import`, `tcs check`, the editor and `tcs lsp` alike: every key the schema requires
 * that the file (with the editor's default cluster, and `# tcs:` comment lines) lacks, plus the GPUs per node that
 * set the world size, takes a stated default, else the schema's default, else its first example. Each assumption
 * is an info on the file's first line naming the value and how to give it instead. Pure and bounded.
 */
import type { Diagnostic, Range } from '../diagnostics';
import { setValueFix } from '../fixes';
import { missingRequired, schemaAt } from '../schema';
import { getPath, setPath } from './source';
import type { SourceDocument } from './types';

type Obj = Record<string, unknown>;

export interface Assumed {
  path: string;
  value: unknown;
  /** "--gpu option", "no input gives it". */
  from: string;
}

export const ASSUMED_CODE = 'formats/assumed';

/** Not required by the schema (it defaults to 8), but a launch-line value that decides the world size: said when assumed. */
const LAUNCHER_KEYS = ['cluster.gpus_per_node'];

/**
 * Where the schema's first example would mislead (256 nodes of H800): one node of the most common GPU. Other
 * keys take the schema's default or first example.
 */
const STATED_DEFAULTS: Record<string, unknown> = { 'cluster.gpu': 'h100-sxm', 'cluster.nodes': 1 };

/** Rounds of filling: each may reveal required keys of what it added (model → attention → kv_heads for gqa). */
const MAX_ROUNDS = 6;

function stated(path: string): unknown {
  if (Object.hasOwn(STATED_DEFAULTS, path)) return STATED_DEFAULTS[path];
  const node = schemaAt(path);
  if (node?.properties) return {};
  const v = node?.default ?? node?.examples?.[0];
  return v === null || typeof v === 'object' ? undefined : v;
}

/** Fills `value` (mutated) with what it lacks, by the rule above; the leaves assumed, in the order filled. */
export function assumeMissing(value: Obj, from = 'no input gives it'): Assumed[] {
  const assumed: Assumed[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let added = false;
    for (const path of missingRequired(value)) {
      const v = stated(path);
      if (v === undefined || getPath(value, path) !== undefined) continue;
      setPath(value, path, v);
      added = true;
      if (typeof v !== 'object') assumed.push({ path, value: v, from });
    }
    if (!added) break;
  }
  for (const path of LAUNCHER_KEYS) {
    const v = stated(path);
    if (getPath(value, path) !== undefined || v === undefined) continue;
    setPath(value, path, v);
    assumed.push({ path, value: v, from });
  }
  return assumed.sort((a, b) => compareRanks(schemaRank(a.path), schemaRank(b.path)));
}

/** A path's position in the schema (model before training, layers before hidden_size), to list assumptions in order. */
function schemaRank(path: string): number[] {
  const rank: number[] = [];
  let parent = '';
  for (const key of path.split('.')) {
    rank.push(Object.keys(schemaAt(parent)?.properties ?? {}).indexOf(key));
    parent = parent === '' ? key : `${parent}.${key}`;
  }
  return rank;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const FIRST_LINE = (doc: SourceDocument): Range => {
  const nl = doc.text.indexOf('\n');
  return { start: { line: 0, character: 0 }, end: doc.positionAt(nl < 0 ? doc.text.length : nl) };
};

/** The info for one assumption, with the fix that writes it as a `# tcs:` line where the format has comments. */
export function assumedDiagnostic(doc: SourceDocument, a: Assumed): Diagnostic {
  const fix = setValueFix(doc, a.path, a.value);
  const cluster = a.path.startsWith('cluster.') ? 'set `trainingConfig.defaultCluster` in the editor settings' : undefined;
  const fromFile = 'import this file with one that gives it (`tcs import`)';
  const how = fix
    ? `add a comment line \`# tcs: ${a.path}=…\`${cluster ? `, or ${cluster}` : ''}`
    : `${cluster ? `${cluster}, or ` : ''}${fromFile}; JSON has no comments to write it in`;
  const d: Diagnostic = {
    severity: 'info',
    code: ASSUMED_CODE,
    message: `\`${a.path}\` is not in this file; ${JSON.stringify(a.value)} is assumed. To give it, ${how}.`,
    path: a.path,
    range: FIRST_LINE(doc),
  };
  if (fix) d.fixes = [{ ...fix, title: `Write the assumed value: ${fix.title.replace(/^Set /, '')}` }];
  return d;
}

/**
 * A partial document completed for the check: the same source map and edit writer, its value with the assumed
 * keys filled in. A document that is not partial, or has no value, is returned as it is.
 */
export function completeDocument(doc: SourceDocument): { document: SourceDocument; assumed: Assumed[] } {
  if (!doc.partial || doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) return { document: doc, assumed: [] };
  const value = structuredClone(doc.value) as Obj;
  const assumed = assumeMissing(value);
  return assumed.length === 0 ? { document: doc, assumed } : { document: { ...doc, value }, assumed };
}
