/**
 * Megatron-LM arguments, in the four shapes they are written: a bash launch script (flags inline or in arrays,
 * `torchrun`/`srun`/`#SBATCH` giving node and GPU counts), a functional-test YAML (`--flag: value`), a recipe YAML
 * (`flag_name: value`), and the argument dump Megatron prints at start-up (`  num_layers ........ 61`).
 * Each reader turns its text into `Arg`s; megatronArgs.ts maps them.
 */
import type { SourceDocument } from './types';
import { parseYamlDocument, yamlScalar } from './yaml';
import { megatronToConfig, type Arg, type ArgValue, type Launch } from './megatronArgs';
import { directiveNumber, readDirectives } from './directives';
import { tokenizeShell, wordRange, type Word } from './shell';
import { Collector, intOf, isTrainingConfigName, refuse, sourceDocument, textIndex, type ImportedDocument } from './source';
import type { FrontEnd, ParseOptions } from './types';

/** Flags that say "this is a Megatron command line". */
const CORE_FLAGS = /(?:^|[\s"'(])--(?:num-layers|hidden-size|tensor-model-parallel-size|pipeline-model-parallel-size|global-batch-size|micro-batch-size|seq-length|num-attention-heads)(?=[\s="':]|$)/m;
const DUMP_HEADER = /-{3,} arguments -{3,}/;
const DUMP_LINE = /^(?:[^\n]*?\]\s*:?\s*)?[ \t]*([a-z][a-z0-9_]*) \.{3,} (.*)$/gm;
/** Top-level `num_layers:`-style keys of a recipe YAML (NeMo and Bridge put them under `model:`). */
const RECIPE_KEYS = /^(?:num_layers|hidden_size|tensor_model_parallel_size|pipeline_model_parallel_size|global_batch_size|micro_batch_size|seq_length|num_attention_heads|ffn_hidden_size|expert_model_parallel_size):/gm;

type Shape = 'script' | 'test-yaml' | 'recipe-yaml' | 'dump';

function shapeOf(text: string, fileName?: string): Shape | undefined {
  const head = text.slice(0, 200_000);
  if (DUMP_HEADER.test(head) || (head.match(DUMP_LINE)?.length ?? 0) >= 10) return 'dump';
  if (/^[ \t]+--[a-z][a-z0-9-]*[ \t]*:/m.test(head) && CORE_FLAGS.test(head)) return 'test-yaml';
  if ((head.match(RECIPE_KEYS)?.length ?? 0) >= 3) return 'recipe-yaml';
  if (CORE_FLAGS.test(head) && (/\.(sh|bash|slurm|sbatch)$/i.test(fileName ?? '') || /\bpretrain_\w+\.py\b|\btorchrun\b|\bsrun\b|#!.*\b(ba)?sh\b/.test(head))) return 'script';
  return undefined;
}

// --- bash ---

function argsFromWords(words: Word[]): Arg[] {
  const out: Arg[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (!w.text.startsWith('--') || w.text.length < 3) continue;
    const r = wordRange(w);
    const eq = w.text.indexOf('=');
    const name = (eq < 0 ? w.text.slice(2) : w.text.slice(2, eq)).replace(/_/g, '-');
    const values: ArgValue[] = [];
    if (eq >= 0) {
      const known = w.src.slice(eq + 1).filter((s) => s >= 0);
      values.push({ text: w.text.slice(eq + 1), start: known[0] ?? r.start, end: known.length ? known[known.length - 1] + 1 : r.end, unknown: w.unknown, defaulted: w.defaulted });
    }
    // Values run until the next flag (negative numbers are values).
    while (eq < 0 && k + 1 < words.length && !(words[k + 1].text.startsWith('-') && !/^-\d/.test(words[k + 1].text))) {
      const v = words[++k];
      const vr = wordRange(v);
      values.push({ text: v.text, start: vr.start, end: vr.end, unknown: v.unknown, defaulted: v.defaulted });
    }
    out.push({ name, written: eq < 0 ? w.text : w.text.slice(0, eq), start: r.start, end: eq < 0 ? r.end : r.start + eq, values });
  }
  return out;
}

function readScript(text: string, c: Collector): { args: Arg[]; launch: Launch } {
  const script = tokenizeShell(text);
  for (const p of script.problems) c.report('warning', 'shell/syntax', p.message, { start: p.at, end: p.at + 1 });
  // The training command: the one running a `.py` with the most `--` flags after it.
  let best: { args: Arg[]; launcher: Word[] } | undefined;
  for (const cmd of script.commands) {
    const py = cmd.words.findIndex((w) => /\.py$/.test(w.text));
    if (py < 0) continue;
    const args = argsFromWords(cmd.words.slice(py + 1));
    if (!best || args.length > best.args.length) best = { args, launcher: cmd.words.slice(0, py) };
  }
  if (!best || best.args.length === 0) {
    // No command runs a script: the flags are in arrays or strings the file defines (a sourced args file).
    const words = [...script.vars.values()].flatMap((v) => v.words.flatMap((w) => splitString(w)));
    best = { args: argsFromWords(words), launcher: [] };
  }
  const launch: Launch = {};
  const put = (which: 'nodes' | 'gpusPerNode', key: string, keyRange: { start: number; end: number }, v: { text: string; start: number; end: number; unknown?: boolean; defaulted?: boolean } | undefined) => {
    const n = intOf(v?.text);
    if (!v) return;
    if (n === undefined || v.unknown || v.defaulted) {
      if (launch[which]) return; // an #SBATCH line already gave it

      c.report('info', 'formats/cluster-unknown', `\`${key} ${v.text || '…'}\` is ${v.defaulted ? 'a default the environment may override' : 'not a plain number'}; give the ${which === 'nodes' ? 'node count' : 'GPUs per node'} with a \`# tcs: cluster.${which === 'nodes' ? 'nodes' : 'gpus_per_node'}=N\` comment or an option.`, v, which === 'nodes' ? 'cluster.nodes' : 'cluster.gpus_per_node');
      return;
    }
    launch[which] = { value: n, key, start: keyRange.start, end: keyRange.end, valueStart: v.start, valueEnd: v.end };
  };
  // #SBATCH lines first; the launcher line, being more specific, overrides them.
  for (const cm of script.comments) {
    const m = /^#SBATCH\s+(--nodes|-N|--gpus-per-node|--ntasks-per-node)(?:=|\s+)(\S+)/.exec(cm.text);
    if (!m) continue;
    const keyStart = cm.start + cm.text.indexOf(m[1]);
    const valueStart = cm.start + m[0].length - m[2].length;
    const which = m[1] === '--nodes' || m[1] === '-N' ? 'nodes' : 'gpusPerNode';
    if (which === 'gpusPerNode' && launch.gpusPerNode?.key === '--gpus-per-node') continue;
    put(which, `#SBATCH ${m[1]}`, { start: keyStart, end: keyStart + m[1].length }, { text: m[2].replace(/^[a-z0-9]+:/i, ''), start: valueStart, end: valueStart + m[2].length });
  }
  const launcherArgs = argsFromWords(best.launcher);
  for (const a of launcherArgs) {
    if (['nnodes', 'num-nodes', 'nodes'].includes(a.name)) put('nodes', a.written, a, a.values[0]);
    if (['nproc-per-node', 'num-gpus', 'ntasks-per-node', 'gpus-per-node'].includes(a.name)) put('gpusPerNode', a.written, a, a.values[0]);
  }
  return { args: best.args, launch };
}

/** A string variable holding several flags (`GPT_ARGS="--num-layers 24 …"`) splits like an unquoted expansion. */
function splitString(w: Word): Word[] {
  const out: Word[] = [];
  let cur: Word | undefined;
  for (let j = 0; j < w.text.length; j++) {
    const ch = w.text[j];
    if (ch === ' ' || ch === '\t' || ch === '\n') { cur = undefined; continue; }
    if (!cur) { cur = { text: '', src: [], unknown: w.unknown, defaulted: w.defaulted, start: w.start, end: w.end }; out.push(cur); }
    cur.text += ch;
    cur.src.push(w.src[j]);
  }
  return out;
}

// --- YAML shapes ---

function offsets(doc: SourceDocument, path: string) {
  const r = doc.nodes.get(path)!;
  const key = r.key ?? r.value;
  return { ks: doc.offsetAt(key.start), ke: doc.offsetAt(key.end), vs: doc.offsetAt(r.value.start), ve: doc.offsetAt(r.value.end) };
}

function argFromYaml(doc: SourceDocument, path: string, key: string, name: string, value: unknown): Arg | undefined {
  if (value === false || value === null || value === undefined) return undefined;
  const o = offsets(doc, path);
  const values: ArgValue[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const r = doc.nodes.get(`${path}.${i}`)?.value;
      values.push({ text: String(v), start: r ? doc.offsetAt(r.start) : o.vs, end: r ? doc.offsetAt(r.end) : o.ve });
    });
  } else if (value !== true) {
    const raw = String(value);
    values.push({ text: raw, start: o.vs, end: o.ve, unknown: /\$\{/.test(raw) });
  }
  return { name, written: key, start: o.ks, end: o.ke, values };
}

/** Mappings below `root` (bounded by the YAML parser's own caps), calling `visit` on each key. */
function walk(value: unknown, path: string, visit: (path: string, key: string, value: unknown) => void, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path === '' ? k : `${path}.${k}`;
    visit(p, k, v);
    walk(v, p, visit, depth + 1);
  }
}

function readYaml(doc: SourceDocument, shape: 'test-yaml' | 'recipe-yaml'): Arg[] {
  const args: Arg[] = [];
  walk(doc.value, '', (path, key, value) => {
    if (!doc.nodes.has(path)) return;
    if (shape === 'test-yaml' && key.startsWith('--')) {
      const a = argFromYaml(doc, path, key, key.slice(2).replace(/_/g, '-'), value);
      if (a) args.push(a);
    } else if (shape === 'recipe-yaml' && /^[a-z][a-z0-9_]*$/.test(key) && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      const a = argFromYaml(doc, path, key, key.replace(/_/g, '-'), value);
      if (a) args.push(a);
    }
  });
  return args;
}

// --- the start-up dump ---

function readDump(text: string): Arg[] {
  const args: Arg[] = [];
  DUMP_LINE.lastIndex = 0;
  for (let m = DUMP_LINE.exec(text); m; m = DUMP_LINE.exec(text)) {
    const [line, name, raw] = m;
    const value = raw.trim();
    if (value === 'False' || value === 'None') continue;
    const start = m.index + line.lastIndexOf(name + ' ');
    const vStart = m.index + line.length - raw.length + (raw.length - raw.trimStart().length);
    const values: ArgValue[] = [];
    if (value !== 'True') {
      const list = /^\[(.*)\]$/.exec(value);
      if (list) {
        for (const item of list[1].split(',').map((s) => s.trim().replace(/^'|'$/g, '')).filter(Boolean)) values.push({ text: item, start: vStart, end: vStart + value.length });
      } else values.push({ text: value, start: vStart, end: vStart + value.length });
    }
    args.push({ name: name.replace(/_/g, '-'), written: name, start, end: start + name.length, values });
  }
  // The dump prints every argument, num_query_groups included when GQA is off: it means nothing then.
  return args.some((a) => a.name === 'group-query-attention') ? args : args.filter((a) => a.name !== 'num-query-groups');
}

export function parseMegatron(text: string, options: ParseOptions = {}): ImportedDocument {
  const index = textIndex(text);
  const c = new Collector(text, index);
  const refused = refuse(text, index, 'Megatron-LM arguments');
  if (refused) return sourceDocument('megatron', text, c, [refused]);
  const shape = shapeOf(text, options.fileName) ?? 'script';
  let args: Arg[];
  let launch: Launch = {};
  let write: (v: unknown) => string = String;
  const extra = [];
  if (shape === 'script') ({ args, launch } = readScript(text, c));
  else if (shape === 'dump') args = readDump(text);
  else {
    const doc = parseYamlDocument(text);
    extra.push(...doc.diagnostics);
    args = readYaml(doc, shape);
    write = yamlScalar;
  }
  if (args.length === 0) c.report('error', 'megatron/no-arguments', 'No Megatron-LM arguments found (looked for `--num-layers`, `--hidden-size`, parallel sizes and batch sizes).');
  launch.gpusPerNode ??= directiveNumber(text, 'cluster.gpus_per_node');
  launch.nodes ??= directiveNumber(text, 'cluster.nodes'); // the data-parallel size for --num-distributed-optimizer-instances
  megatronToConfig(args, c, launch, write);
  readDirectives(text, c);
  c.fillDefaults(options.defaults);
  return sourceDocument('megatron', text, c, extra);
}

export const megatronFrontEnd: FrontEnd = {
  format: 'megatron',
  label: 'Megatron-LM arguments',
  detect: (text, fileName) => !isTrainingConfigName(fileName) && shapeOf(text, fileName) !== undefined,
  parse: parseMegatron,
};
