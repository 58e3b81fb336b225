/**
 * NeMo YAML: NeMo 1 / NeMo-Framework-Launcher training configs (`trainer:` + `model:`), and Megatron-Bridge's
 * `run_config.yaml` (the resolved ConfigContainer every checkpoint carries) or an override file of the same shape
 * (`model:`, `train:`, `dataset:`, `mixed_precision:`, `ddp:`). Their keys are Megatron-LM's arguments with
 * underscores (Bridge: scripts/translate_mlm_to_bridge.py), so they are translated to `Arg`s and mapped by
 * megatronArgs.ts. Simple OmegaConf interpolations (`${model.hidden_size}`, `${.x}`, `${multiply:4, ${.h}}`) are
 * resolved, never anything else.
 */
import { parseYamlDocument, yamlScalar } from './yaml';
import { directiveNumber, readDirectives } from './directives';
import { megatronToConfig, type Arg, type ArgValue, type Launch } from './megatronArgs';
import { Collector, getPath, intOf, isTrainingConfigName, sourceDocument, textIndex, refuse, type ImportedDocument } from './source';
import type { FrontEnd, ParseOptions } from './types';

/** Interpolations resolved inside one another; OmegaConf configs nest two or three. */
const MAX_INTERPOLATION_DEPTH = 16;

function detect(text: string, fileName?: string): boolean {
  if (isTrainingConfigName(fileName)) return false;
  const head = text.slice(0, 100_000);
  if (!/^model:\s*$/m.test(head)) return false;
  const nemo1 = /^trainer:\s*$/m.test(head);
  const bridge = /^(train|dataset|mixed_precision|ddp|optimizer):/m.test(head);
  return (nemo1 || bridge) && /^[ \t]+(num_layers|tensor_model_parallel_size|hidden_size|global_batch_size|pipeline_model_parallel_size):/m.test(head);
}

type Resolved = { value: unknown; ok: boolean; interpolated: boolean };

/** Resolves `${…}` in a string value at `path`; unresolvable ones leave ok=false. */
function resolver(root: unknown) {
  const resolve = (raw: unknown, path: string, depth: number): Resolved => {
    if (typeof raw !== 'string' || !raw.includes('${')) return { value: raw, ok: true, interpolated: false };
    if (depth > MAX_INTERPOLATION_DEPTH) return { value: raw, ok: false, interpolated: true };
    const whole = /^\$\{([^${}]*(?:\$\{[^{}]*\}[^${}]*)*)\}$/.exec(raw.trim());
    if (!whole) return { value: raw, ok: false, interpolated: true };
    const inner = whole[1].trim();
    const fn = /^(multiply|add|divide|subtract|floor_divide|int):\s*(.*)$/s.exec(inner);
    if (fn) {
      const args = splitArgs(fn[2]).map((a) => resolve(a.trim().startsWith('${') ? a.trim() : a.trim(), path, depth + 1));
      const nums = args.map((a) => (typeof a.value === 'number' ? a.value : Number(a.value)));
      if (args.some((a) => !a.ok) || nums.some((x) => !Number.isFinite(x))) return { value: raw, ok: false, interpolated: true };
      const [a, b] = nums;
      const out = fn[1] === 'multiply' ? nums.reduce((x, y) => x * y, 1) : fn[1] === 'add' ? nums.reduce((x, y) => x + y, 0) : fn[1] === 'subtract' ? a - b : fn[1] === 'divide' ? a / b : fn[1] === 'floor_divide' ? Math.floor(a / b) : Math.trunc(a);
      return { value: out, ok: true, interpolated: true };
    }
    if (!/^\.*[A-Za-z_][\w.]*$/.test(inner)) return { value: raw, ok: false, interpolated: true };
    let target: string;
    if (inner.startsWith('.')) {
      // `.x` is a sibling, `..x` the parent's sibling.
      const dots = /^\.+/.exec(inner)![0].length;
      const parts = path.split('.');
      target = [...parts.slice(0, Math.max(0, parts.length - dots)), inner.slice(dots)].filter(Boolean).join('.');
    } else target = inner;
    const v = getPath(root, target);
    if (v === undefined) return { value: raw, ok: false, interpolated: true };
    const r = resolve(v, target, depth + 1);
    return { ...r, interpolated: true };
  };
  return resolve;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** NeMo/Bridge key → Megatron flag (when the names differ beyond `_` → `-`). */
const RENAMES: Record<string, string> = {
  num_moe_experts: 'num-experts',
  encoder_seq_length: 'seq-length',
  activations_checkpoint_granularity: 'recompute-granularity',
  activations_checkpoint_method: 'recompute-method',
  activations_checkpoint_num_layers: 'recompute-num-layers',
  max_steps: 'train-iters',
  virtual_pipeline_model_parallel_size: 'num-virtual-stages-per-pipeline-rank',
  fp8_recipe: 'fp8-recipe',
  num_layers_in_first_pipeline_stage: 'decoder-first-pipeline-num-layers',
  num_layers_in_last_pipeline_stage: 'decoder-last-pipeline-num-layers',
};

/** Sections whose keys are Megatron arguments. */
const ARG_SECTIONS = ['model', 'train', 'dataset', 'ddp', 'optimizer', 'model.data', 'model.optim', 'checkpoint'];

const PRECISION_PRESETS: Record<string, { format?: string; recipe?: string }> = {
  bf16_mixed: {},
  bf16_with_fp8_delayed_scaling_mixed: { format: 'hybrid', recipe: 'delayed' },
  bf16_with_fp8_current_scaling_mixed: { format: 'hybrid', recipe: 'tensorwise' },
  bf16_with_fp8_subchannel_scaling_mixed: { format: 'hybrid', recipe: 'blockwise' },
  bf16_with_mxfp8_mixed: { format: 'e4m3', recipe: 'mxfp8' },
};

const dtypeWord = (v: unknown) => {
  const s = String(v).replace(/^torch\./, '');
  return s === 'bfloat16' || s === 'bf16' ? 'bf16' : s === 'float32' || s === 'fp32' ? 'fp32' : s;
};

export function parseNemo(text: string, options: ParseOptions = {}): ImportedDocument {
  const index = textIndex(text);
  const c = new Collector(text, index);
  const refused = refuse(text, index, 'NeMo YAML');
  if (refused) return sourceDocument('nemo', text, c, [refused]);
  const doc = parseYamlDocument(text);
  const extra = [...doc.diagnostics];
  if (doc.value === undefined || typeof doc.value !== 'object') {
    c.report('error', 'nemo/empty', 'No NeMo configuration found (expected `model:` with `trainer:` or `train:`).');
    return sourceDocument('nemo', text, c, extra);
  }
  const resolve = resolver(doc.value);
  const args: Arg[] = [];
  const launch: Launch = {};
  const at = (path: string) => {
    const r = doc.nodes.get(path);
    if (!r) return undefined;
    const key = r.key ?? r.value;
    return { ks: doc.offsetAt(key.start), ke: doc.offsetAt(key.end), vs: doc.offsetAt(r.value.start), ve: doc.offsetAt(r.value.end) };
  };
  const push = (path: string, name: string, raw: unknown, values?: string[]) => {
    const o = at(path);
    if (!o) return;
    const r = resolve(raw, path, 0);
    if (!r.ok) {
      c.report('warning', 'nemo/interpolation', `\`${path}\` is ${JSON.stringify(raw)}, an interpolation that cannot be resolved here; it is left out.`, { start: o.vs, end: o.ve }, '');
      return;
    }
    const v = r.value;
    if (v === false || v === null || v === undefined) return;
    const mk = (text: string): ArgValue => ({ text, start: o.vs, end: o.ve, derived: r.interpolated });
    const list = values ?? (v === true ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    args.push({ name, written: path, start: o.ks, end: o.ke, values: list.map(mk) });
  };
  const get = (p: string) => resolve(getPath(doc.value, p), p, 0).value;

  for (const section of ARG_SECTIONS) {
    const obj = getPath(doc.value, section);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
    for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
      const path = `${section}.${key}`;
      if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) continue;
      const v = resolve(raw, path, 0).value;
      switch (key) {
        case 'share_embeddings_and_output_weights':
          if (v === false) push(path, 'untie-embeddings-and-output-weights', true);
          continue;
        case 'activation':
          if (typeof v === 'string' && /swiglu/.test(v)) push(path, 'swiglu', true);
          else if (v === 'squared-relu') push(path, 'squared-relu', true);
          continue;
        case 'gated_linear_unit':
          if (v === true && /silu|swish/.test(String(get(`${section}.activation_func`) ?? 'silu'))) push(path, 'swiglu', true);
          continue;
        case 'num_query_groups': {
          const heads = get(`${section}.num_attention_heads`);
          if (typeof v === 'number' && (typeof heads !== 'number' || v < heads)) {
            push(path, 'group-query-attention', true);
            push(path, 'num-query-groups', v);
          }
          continue;
        }
        case 'fp8':
          // NeMo 1: fp8: true with fp8_e4m3 / fp8_hybrid; Bridge: fp8: e4m3 | hybrid.
          if (v === true) push(path, 'fp8-format', get(`${section}.fp8_e4m3`) === true ? 'e4m3' : 'hybrid');
          else if (typeof v === 'string') push(path, 'fp8-format', v);
          continue;
        case 'seq_length':
          if (section === 'model.data' || section === 'dataset' || section === 'model') push(path, args.some((a) => a.name === 'seq-length') ? 'decoder-seq-length' : 'seq-length', v);
          continue;
        case 'main_params_dtype':
        case 'main_grads_dtype':
        case 'exp_avg_dtype':
        case 'exp_avg_sq_dtype':
          push(path, key.replace(/_/g, '-'), dtypeWord(v));
          continue;
        case 'bucket_size':
          // Only the DDP config's bucket is Megatron-Core's --ddp-bucket-size; another section's is its own setting.
          push(path, section === 'ddp' ? 'ddp-bucket-size' : 'bucket-size', raw);
          continue;
        case 'overlap_p2p_comm':
          if (v === false) push(path, 'no-overlap-p2p-communication', true);
          continue;
        case 'num_nodes':
        case 'devices':
          continue;
        case 'name':
          if (section === 'model.optim' && /distributed/.test(String(v))) push(path, 'use-distributed-optimizer', true);
          continue;
        case 'precision':
        case 'fp8_e4m3':
        case 'fp8_hybrid':
        case '_target_':
          continue;
      }
      push(path, RENAMES[key] ?? key.replace(/_/g, '-'), raw);
    }
  }
  // trainer: precision, steps, and the cluster (NeMo 1 has it in the file).
  const precision = get('trainer.precision');
  if (typeof precision === 'string' && /bf16/.test(precision)) push('trainer.precision', 'bf16', true);
  else if (precision === 16 || precision === '16' || precision === '16-mixed') push('trainer.precision', 'fp16', true);
  if (getPath(doc.value, 'trainer.max_steps') !== undefined) push('trainer.max_steps', 'train-iters', getPath(doc.value, 'trainer.max_steps'));
  const mp = get('mixed_precision');
  if (typeof mp === 'string') {
    const preset = PRECISION_PRESETS[mp];
    if (!preset) c.report('warning', 'formats/unrepresented', `mixed_precision \`${mp}\` has no equivalent in the config (bf16 or an FP8 recipe).`, at('mixed_precision') && { start: at('mixed_precision')!.vs, end: at('mixed_precision')!.ve }, 'precision.compute');
    else {
      push('mixed_precision', 'bf16', true);
      const fmt = get('mixed_precision_fp8');
      if (preset.format) push('mixed_precision', 'fp8-format', typeof fmt === 'string' ? fmt : preset.format);
      if (preset.recipe) push('mixed_precision', 'fp8-recipe', preset.recipe);
    }
  } else if (mp && typeof mp === 'object') {
    for (const key of ['bf16', 'fp8', 'fp8_recipe', 'fp8_param_gather']) {
      const v = get(`mixed_precision.${key}`);
      if (v === undefined) continue;
      if (key === 'fp8') { if (typeof v === 'string') push(`mixed_precision.${key}`, 'fp8-format', v); }
      else push(`mixed_precision.${key}`, key.replace(/_/g, '-'), getPath(doc.value, `mixed_precision.${key}`));
    }
  }
  if (get('ddp.use_megatron_fsdp') === true || get('ddp.data_parallel_sharding_strategy') !== undefined) {
    if (get('ddp.data_parallel_sharding_strategy') !== undefined && !args.some((a) => a.name === 'use-megatron-fsdp')) push('ddp.data_parallel_sharding_strategy', 'use-megatron-fsdp', true);
  }
  for (const [which, key] of [['nodes', 'trainer.num_nodes'], ['gpusPerNode', 'trainer.devices']] as const) {
    const o = at(key);
    const n = intOf(String(get(key) ?? ''));
    if (o && n !== undefined) launch[which] = { value: n, key, start: o.ks, end: o.ke, valueStart: o.vs, valueEnd: o.ve };
  }
  // NeMo 1 writes the sequence length twice (model.encoder_seq_length and model.data.seq_length).
  const enc = get('model.encoder_seq_length');
  const data = get('model.data.seq_length');
  if (typeof enc === 'number' && typeof data === 'number' && enc !== data) {
    const o = at('model.data.seq_length')!;
    c.report('warning', 'formats/seq-length-disagrees', `model.data.seq_length (${data}) disagrees with model.encoder_seq_length (${enc}); the model is built for ${enc}, so that is used.`, { start: o.vs, end: o.ve }, 'training.sequence_length');
  }
  // Router groups are checked against GPUs per node, which a Bridge file leaves to the launcher (or a `# tcs:` line).
  launch.gpusPerNode ??= directiveNumber(text, 'cluster.gpus_per_node');
  launch.nodes ??= directiveNumber(text, 'cluster.nodes'); // the data-parallel size for --num-distributed-optimizer-instances
  megatronToConfig(args.filter((a) => !(a.name === 'decoder-seq-length' && typeof enc === 'number')), c, launch, yamlScalar);
  // Megatron-Bridge's model providers fuse the loss unless the file says otherwise (`cross_entropy_loss_fusion: bool =
  // True`); Megatron-LM's flag defaults off, so a Bridge file's silence is not Megatron's.
  const bridgeFile = /^(train|dataset|mixed_precision|ddp|optimizer):/m.test(text);
  if (bridgeFile && !ARG_SECTIONS.some((s) => getPath(doc.value, `${s}.cross_entropy_loss_fusion`) !== undefined)) {
    c.fillDefaults({ training: { cross_entropy_loss_fusion: true } }, "Megatron-Bridge's default (cross_entropy_loss_fusion: true)");
  }
  readDirectives(text, c);
  c.fillDefaults(options.defaults);
  return sourceDocument('nemo', text, c, extra);
}

export const nemoFrontEnd: FrontEnd = { format: 'nemo', label: 'NeMo / Megatron-Bridge YAML', detect, parse: parseNemo };
