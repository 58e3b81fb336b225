/**
 * What a file in another format cannot say (a launch script names no GPU type, a config.json no batch size) is
 * assumed by one rule, for `tcs import`, `tcs check`, the editor and `tcs lsp` alike: every key the schema requires
 * that the file (with the editor's default cluster or the CLI's --gpu/--nodes/--gpus-per-node, and `# tcs:` comment
 * lines) lacks, plus the GPUs per node that set the world size, takes the schema's default, else its first example;
 * the cluster's size is the smallest that holds what the file fixes (smallestCluster), so no error comes from the
 * assumption alone. Each fact is one info on the file's first line naming the value and how to give it: the cluster
 * once, a wholly absent model once, every other key alone. Pure and bounded.
 */
import type { Diagnostic, Range } from '../diagnostics';
import { setValueFix } from '../fixes';
import { missingRequired, schemaAt } from '../schema';
import { validateScheduleRequest } from '../../simulator/schedules';
import type { ScheduleKind } from '../../simulator/config';
import { getPath, setPath } from './source';
import type { SourceDocument } from './types';

type Obj = Record<string, unknown>;

export interface Assumed {
  path: string;
  value: unknown;
  /** "--gpu option", "no input gives it". */
  from: string;
  /** Why this value, when it is chosen for the file (the cluster size): "the smallest cluster that holds TP 8 × PP 8". */
  why?: string;
}

export const ASSUMED_CODE = 'formats/assumed';

/** Not required by the schema (it defaults to 8), but a launch-line value that decides the world size: said when assumed. */
const LAUNCHER_KEYS = ['cluster.gpus_per_node'];

/** The GPU assumed when none is given: the most common training GPU. Other keys take the schema's default or first example. */
const STATED_DEFAULTS: Record<string, unknown> = { 'cluster.gpu': 'h100-sxm' };

/** Rounds of filling: each may reveal required keys of what it added (model → attention → kv_heads for gqa). */
const MAX_ROUNDS = 6;

/** GPUs per node tried when the file does not say, the common 8-GPU node first (then nodes of fewer GPUs). */
const NODE_SIZES = [8, 7, 6, 5, 4, 3, 2, 1];
/** Node counts tried per node size: the search is bounded whatever degrees the file writes. */
const MAX_NODE_STEPS = 4096;

function stated(path: string, cluster: AssumedCluster | undefined): unknown {
  if (path === 'cluster.nodes' && cluster) return cluster.nodes;
  if (path === 'cluster.gpus_per_node' && cluster) return cluster.gpusPerNode;
  if (Object.hasOwn(STATED_DEFAULTS, path)) return STATED_DEFAULTS[path];
  const node = schemaAt(path);
  if (node?.properties) return {};
  const v = node?.default ?? node?.examples?.[0];
  return v === null || typeof v === 'object' ? undefined : v;
}

const count = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : fallback);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The cluster assumed when the file lacks its size, and why that size. */
export interface AssumedCluster {
  nodes: number;
  gpusPerNode: number;
  /** "the smallest cluster that holds TP 8 × PP 8". */
  why: string;
}

/**
 * The smallest cluster that holds what the file fixes: tensor × pipeline × context ranks, times the data degree
 * the file states (or one the global batch divides into whole micro-batches, for the file's schedule), with the
 * expert × expert-tensor group carved from data × context × tensor (Megatron-Core's layout, the rule the check
 * applies). The file's own node count or GPUs per node is kept; 8 GPUs per node are preferred, fewer when no
 * node count of 8-GPU nodes fits (a stated world of 4 GPUs). Read before other keys are assumed, so an assumed
 * batch never shapes the cluster. Bounded: at most MAX_NODE_STEPS node counts per node size.
 */
export function smallestCluster(value: Obj, batchIsWrong = false): AssumedCluster {
  const p = (getPath(value, 'parallelism') ?? {}) as Obj;
  const t = (getPath(value, 'training') ?? {}) as Obj;
  const tensor = count(p.tensor, 1);
  const pipeline = count(p.pipeline, 1);
  const context = count(p.context, 1);
  const statedData = typeof p.data === 'number' ? count(p.data, 1) : undefined;
  // The expert group is carved from data × context × tensor only in a MoE model (the rule checks it there alone).
  const expert = getPath(value, 'model.moe') !== undefined ? count(p.expert, 1) : 1;
  const expertGroup = expert > 1 ? expert * count(p.expert_tensor, 1) : 1;
  // A batch the file itself gets wrong (DeepSpeed's train_batch_size ≠ micro × accumulation × DP) shapes nothing.
  const globalBatch = typeof t.global_batch_size === 'number' && !batchIsWrong ? count(t.global_batch_size, 1) : undefined;
  const microBatch = count(t.micro_batch_size, 1);
  const schedule = typeof p.schedule === 'string' ? p.schedule : '1f1b';
  const virtualStages = count(p.virtual_stages, 1);
  const model = tensor * pipeline * context;
  const givenNodes = typeof getPath(value, 'cluster.nodes') === 'number' ? count(getPath(value, 'cluster.nodes'), 1) : undefined;
  const givenPerNode = typeof getPath(value, 'cluster.gpus_per_node') === 'number' ? count(getPath(value, 'cluster.gpus_per_node'), 8) : undefined;
  const holds = (nodes: number, perNode: number, batch: boolean): boolean => {
    const gpus = nodes * perNode;
    if (givenPerNode === undefined && tensor <= 8 && perNode % tensor !== 0) return false;
    if (gpus % model !== 0) return false;
    const data = gpus / model;
    if (statedData !== undefined && data !== statedData) return false;
    if ((data * context * tensor) % expertGroup !== 0) return false;
    if (batch && globalBatch !== undefined) {
      if (globalBatch % (data * microBatch) !== 0) return false;
      const microBatches = globalBatch / (data * microBatch);
      if (pipeline > 1 && validateScheduleRequest({ kind: schedule as ScheduleKind, ranks: pipeline, microBatches, virtualStages }) !== undefined) return false;
    }
    return true;
  };
  const search = (batch: boolean) => {
    for (const perNode of givenPerNode !== undefined ? [givenPerNode] : NODE_SIZES) {
      if (givenNodes !== undefined) {
        if (holds(givenNodes, perNode, batch)) return { nodes: givenNodes, gpusPerNode: perNode };
        continue;
      }
      // Node counts whose GPUs the model-parallel ranks divide: multiples of model / gcd(model, perNode).
      const step = model / gcd(model, perNode);
      for (let k = 1; k <= MAX_NODE_STEPS; k++) if (holds(k * step, perNode, batch)) return { nodes: k * step, gpusPerNode: perNode };
    }
    return undefined;
  };
  const degrees = [['TP', tensor], ['PP', pipeline], ['CP', context], ['DP', statedData ?? 1]].filter(([, n]) => (n as number) > 1).map(([k, n]) => `${k} ${n}`);
  const held = degrees.length > 0 ? degrees.join(' × ') : '';
  const experts = expertGroup > 1 ? `EP ${expert}${count(p.expert_tensor, 1) > 1 ? ` × ETP ${count(p.expert_tensor, 1)}` : ''} carved from DP × CP × TP` : '';
  const what = [held, experts].filter((x) => x !== '').join(' with ');
  const found = search(true);
  const unbatched = search(false);
  if (found) {
    // The global batch is named only when it moved the answer (a batch of 4 on one node of 4 GPUs, not 8).
    const moved = unbatched && (unbatched.nodes !== found.nodes || unbatched.gpusPerNode !== found.gpusPerNode);
    const reasons = [what, moved ? `whole micro-batches of the global batch ${globalBatch}` : ''].filter((x) => x !== '').join(' and ');
    return { ...found, why: reasons === '' ? 'the file sets no parallel degree' : `the smallest cluster that holds ${reasons}` };
  }
  // The file's batch fits no data degree (its error is the file's): the smallest cluster that holds the ranks.
  if (unbatched) return { ...unbatched, why: `the smallest cluster that holds ${what === '' ? 'the file\'s ranks' : what}` };
  // The file's own node count (or GPUs per node) holds no such layout: that is the file's to say, not an assumption.
  const perNode = givenPerNode ?? 8;
  const nodes = givenNodes ?? Math.max(1, Math.ceil((model * (statedData ?? 1)) / perNode));
  const on = givenNodes !== undefined ? `${givenNodes} node${givenNodes === 1 ? '' : 's'}` : `${perNode}-GPU nodes`;
  return { nodes, gpusPerNode: perNode, why: `no cluster of ${on} holds ${what === '' ? 'the file\'s ranks' : what}` };
}

/** The front end already reports the global batch as wrong: an error on it. */
export const batchIsWrong = (diagnostics: readonly Diagnostic[]) => diagnostics.some((d) => d.severity === 'error' && d.path === 'training.global_batch_size');

/** Fills `value` (mutated) with what it lacks, by the rule above; the leaves assumed, in the order filled. */
export function assumeMissing(value: Obj, from = 'no input gives it', frontEndDiagnostics: readonly Diagnostic[] = []): Assumed[] {
  const assumed: Assumed[] = [];
  const sized = getPath(value, 'cluster.nodes') === undefined || getPath(value, 'cluster.gpus_per_node') === undefined;
  const cluster = sized ? smallestCluster(value, batchIsWrong(frontEndDiagnostics)) : undefined;
  const why = (path: string) => (cluster && (path === 'cluster.nodes' || path === 'cluster.gpus_per_node') ? { why: cluster.why } : {});
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let added = false;
    for (const path of missingRequired(value)) {
      const v = stated(path, cluster);
      if (v === undefined || getPath(value, path) !== undefined) continue;
      setPath(value, path, v);
      added = true;
      if (typeof v !== 'object') assumed.push({ path, value: v, from, ...why(path) });
    }
    if (!added) break;
  }
  for (const path of LAUNCHER_KEYS) {
    const v = stated(path, cluster);
    if (getPath(value, path) !== undefined || v === undefined) continue;
    setPath(value, path, v);
    assumed.push({ path, value: v, from, ...why(path) });
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

/** The CLI options that give a cluster key (`tcs check`, `tcs simulate`, `tcs import`; `tcs search` the first and last). */
export const CLUSTER_OPTIONS: Record<string, string> = { 'cluster.gpu': '--gpu NAME', 'cluster.nodes': '--nodes N', 'cluster.gpus_per_node': '--gpus-per-node G' };
const EDITOR_SETTING = 'set `trainingConfig.defaultCluster` in the editor settings';

/**
 * Why a format lacks a key, where the format itself decides it: said in that key's info (one message per fact).
 * Megatron-LM: arguments.py takes the vocabulary from the tokenizer unless --vocab-size is given (NullTokenizer).
 */
const LACKS: Partial<Record<SourceDocument['format'], Record<string, string>>> = {
  megatron: { 'model.vocab_size': 'Megatron-LM takes the vocabulary size from the tokenizer' },
  nemo: { 'model.vocab_size': 'NeMo takes the vocabulary size from the tokenizer' },
};

const quoted = (paths: readonly string[]) => {
  const q = paths.map((p) => `\`${p}\``);
  return q.length <= 2 ? q.join(' and ') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
};

/** The info for assumed keys that are not the cluster's, one each, with the fix that writes a `# tcs:` line where the format has comments. */
function keyDiagnostic(doc: SourceDocument, a: Assumed): Diagnostic {
  const fix = setValueFix(doc, a.path, a.value);
  const lacks = LACKS[doc.format]?.[a.path];
  const fromFile = 'check or import it with a file that gives it (`tcs check` and `tcs import` take several files as one config)';
  const how = fix ? `add a comment line \`# tcs: ${a.path}=…\`, or ${fromFile}` : `${fromFile}; JSON has no comments to write it in`;
  const d: Diagnostic = {
    severity: 'info',
    code: ASSUMED_CODE,
    message: `\`${a.path}\` is not in this file${lacks ? ` (${lacks})` : ''}; ${JSON.stringify(a.value)} is assumed. To give it, ${how}.`,
    path: a.path,
    range: FIRST_LINE(doc),
  };
  if (fix) d.fixes = [{ ...fix, title: `Write the assumed value: ${fix.title.replace(/^Set /, '')}` }];
  return d;
}

/** One info for the cluster keys assumed (GPU, nodes, GPUs per node), naming the cluster, why that size, and each way to give it. */
function clusterDiagnostic(doc: SourceDocument, assumed: readonly Assumed[]): Diagnostic {
  const value = doc.value;
  const nodes = getPath(value, 'cluster.nodes');
  const perNode = getPath(value, 'cluster.gpus_per_node');
  const gpu = getPath(value, 'cluster.gpu');
  const paths = assumed.map((a) => a.path);
  const why = assumed.find((a) => a.why)?.why;
  const all = Object.keys(CLUSTER_OPTIONS).every((p) => paths.includes(p));
  const subject = all ? 'The cluster is' : `${quoted(paths)} ${paths.length === 1 ? 'is' : 'are'}`;
  const cluster = `${nodes} node${nodes === 1 ? '' : 's'} of ${perNode} × ${gpu}`;
  const write: Record<string, unknown> = {};
  for (const a of assumed) write[a.path.slice('cluster.'.length)] = a.value;
  const fix = setValueFix(doc, 'cluster', write);
  const options = `pass \`${paths.map((p) => CLUSTER_OPTIONS[p]).join(' ')}\` to \`tcs check\` or \`tcs simulate\``;
  const how = fix ? `add a comment line \`# tcs: ${paths.map((p) => `${p}=…`).join(' ')}\`, ${options}, or ${EDITOR_SETTING}` : `${options}, or ${EDITOR_SETTING}; JSON has no comments to write ${paths.length === 1 ? 'it' : 'them'} in`;
  const d: Diagnostic = {
    severity: 'info',
    code: ASSUMED_CODE,
    message: `${subject} not in this file: assumed ${cluster}${why ? `: ${why}` : ''}. To give ${paths.length === 1 ? 'it' : 'them'}, ${how}.`,
    path: paths.length === 1 ? paths[0] : 'cluster',
    range: FIRST_LINE(doc),
  };
  if (fix) d.fixes = [{ ...fix, title: `Write the assumed cluster: ${fix.title.replace(/^Set /, '')}` }];
  return d;
}

/**
 * One info for a part the file leaves out wholly, instead of one per key: no model (a DeepSpeed config leaves it to
 * the code), so a stand-in is checked; or no parallel layout (a model's config.json alone), so the model is checked
 * unsplit. Either way memory per GPU would describe the assumption, not the file, and is not reported.
 */
const WHOLLY_ABSENT = {
  model:
    'No model in this file: give the model\'s config.json too, e.g. `tcs check ds_config.json config.json` (or `tcs import` it with the launch script that has the model flags). ' +
    'Until then a stand-in model is assumed to check the rest, and nothing is said about memory.',
  parallelism:
    'No parallel layout in this file: give the launch script, recipe or torchtitan TOML too, e.g. `tcs check config.json pretrain.sh` (or `tcs import` them together). ' +
    'Until then the model is checked unsplit, and nothing is said about memory.',
} as const;

function whollyAbsentDiagnostic(doc: SourceDocument, path: keyof typeof WHOLLY_ABSENT): Diagnostic {
  return { severity: 'info', code: ASSUMED_CODE, message: WHOLLY_ABSENT[path], path, range: FIRST_LINE(doc) };
}

/** What a completed document is missing wholly: its model (a DeepSpeed config) or its parallel layout (a config.json). */
export interface Absent {
  model: boolean;
  layout: boolean;
}

/** The infos for what a document's check assumed: the model or the layout once when wholly absent, the cluster once, each other key alone. */
export function assumedDiagnostics(doc: SourceDocument, assumed: readonly Assumed[], absent: Absent = { model: false, layout: false }): Diagnostic[] {
  const out: Diagnostic[] = [];
  const modelAbsent = absent.model;
  const cluster = assumed.filter((a) => Object.hasOwn(CLUSTER_OPTIONS, a.path));
  if (modelAbsent) out.push(whollyAbsentDiagnostic(doc, 'model'));
  else if (absent.layout) out.push(whollyAbsentDiagnostic(doc, 'parallelism'));
  for (const a of assumed) {
    if (modelAbsent && a.path.startsWith('model.')) continue;
    if (a === cluster[0]) out.push(clusterDiagnostic(doc, cluster));
    else if (!cluster.includes(a)) out.push(keyDiagnostic(doc, a));
  }
  return out;
}

/**
 * A partial document completed for the check: the same source map and edit writer, its value with the assumed
 * keys filled in, and whether the file has no model at all. A document that is not partial, or has no value, is
 * returned as it is.
 */
export function completeDocument(doc: SourceDocument): { document: SourceDocument; assumed: Assumed[]; absent: Absent } {
  if (!doc.partial || doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) return { document: doc, assumed: [], absent: { model: false, layout: false } };
  const value = structuredClone(doc.value) as Obj;
  const absent = { model: getPath(value, 'model') === undefined, layout: getPath(value, 'parallelism') === undefined };
  const assumed = assumeMissing(value, undefined, doc.diagnostics);
  return assumed.length === 0 ? { document: doc, assumed, absent } : { document: { ...doc, value }, assumed, absent };
}
