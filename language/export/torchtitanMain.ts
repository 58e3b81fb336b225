/**
 * Config → torchtitan main (pytorch/torchtitan@b5bcd76), which runs Python recipes: a function returning a
 * `Trainer.Config`, run with `--module M --config F` (torchtitan/config/README.md). Two writers of one mapping:
 * - Python: the recipe itself, in the shape of the shipped ones (torchtitan/models/*\/config_registry.py);
 * - JSON: the same config in the shape of `Trainer.Config.to_dict()`, which torchtitan writes with
 *   `--debug.save_config_file` (torchtitan/trainer.py), for reading back (`tcs import`) and comparing with a run's
 *   saved config.
 * Fields from torchtitan/config/configs.py (`TrainingConfig`, `ParallelismConfig`) and
 * torchtitan/distributed/activation_checkpoint.py. What main has no field for is a warning naming the key:
 * - batches are token counts: `num_tokens_per_microbatch_per_dp_rank` = micro-batch × sequence, and
 *   `num_tokens_per_train_step` = global batch × sequence; `max_context_length` is the sequence length;
 * - the model is `model_registry("<flavor>", …)`; in JSON its `model_spec` {name, flavor} (the dump's model tree is
 *   built from it in code), so FP8 converters and MTP layers, arguments of that call, are Python only;
 * - FP8 at main is `Float8LinearConverter` with recipe rowwise or rowwise_with_gw_hp only (no tensorwise),
 *   `Float8GroupedExpertsConverter` for experts, or the MXFP8 converters;
 * - `expert_tensor_parallel_degree` is gone (experts borrow the FSDP and TP ranks);
 * - `activation_checkpoint` is the policy's Config (`SelectiveAC`, `FullAC`) or null for none.
 * JSON has no comments: the name, the cluster, the launch line and the warnings travel under a `tcs` key, which
 * torchtitan does not read.
 */
import { planTorchtitan } from './torchtitan';
import type { ResolvedConfig } from '../../simulator/config';
import { differingPaths, directiveLine, obj, type ExportResult, type ExportWarning } from './common';

type Obj = Record<string, unknown>;

/** SelectiveAC.Config()'s fields and defaults (torchtitan/distributed/activation_checkpoint.py). */
const SELECTIVE_AC = { preserve_rng_state: true, determinism_check: 'default', debug: false, force_recompute_mm_shapes_by_fqns: ['moe.router.gate'] };
const FULL_AC = { preserve_rng_state: true, determinism_check: 'default', debug: false };

/** What both writers say: main's fields, and the warnings for what neither form can express. */
interface MainSettings {
  config: ResolvedConfig;
  modelSpec: { name: string; flavor: string };
  training: Obj;
  parallelism: Obj;
  checkpoint: 'selective' | 'full' | 'none';
  warnings: ExportWarning[];
  notes: string[];
}

function mainSettings(value: unknown): MainSettings {
  const plan = planTorchtitan(value);
  const { config: r, notes } = plan;
  const get = (section: string, key: string) => plan.sections.get(section)?.find(([k]) => k === key)?.[1];
  const section = (name: string) => Object.fromEntries((plan.sections.get(name) ?? []).map(([k, v]) => [k, v]));
  // FP8 scaling and format, and MTP, are each writer's own; the TOML-era words for the model shape are main's here.
  const replaced = (path: string) => ['precision.fp8.scaling', 'precision.fp8.format', 'parallelism.expert_tensor', 'model.mtp_depth'].includes(path);
  const warnings: ExportWarning[] = plan.warnings
    .filter((w) => !replaced(w.path))
    .map((w) => ({ ...w, message: w.message.replace(/torchtitan's TOML names a built-in flavor(.*)\(a custom shape needs a TransformerModelArgs registered in Python\)/, "torchtitan main's model_registry names a built-in flavor$1(a custom shape needs its own model config in Python)") }));
  const warn = (path: string, message: string) => warnings.push({ path, message, kind: 'dropped' });

  const { training: t, parallelism: p } = r;
  const seq = t.sequenceLength;
  const training: Obj = {
    num_tokens_per_microbatch_per_dp_rank: t.microBatchSize * seq,
    num_tokens_per_train_step: t.globalBatchSize * seq,
    max_context_length: seq,
    steps: get('training', 'steps'),
    dtype: get('training', 'dtype') ?? 'float32',
    mixed_precision_param: get('training', 'mixed_precision_param'),
  };
  const parallelism: Obj = section('parallelism');
  delete parallelism.pipeline_parallel_microbatch_size;
  delete parallelism.expert_tensor_parallel_degree;
  if (parallelism.pipeline_parallel_expert_parallel_overlap !== undefined) {
    delete parallelism.pipeline_parallel_expert_parallel_overlap;
    warn('parallelism.overlap_expert_comm', 'torchtitan main has no pipeline_parallel_expert_parallel_overlap; DualPipeV runs without the expert-communication overlap.');
  }
  // Pipeline micro-batches per data-parallel rank: the whole local batch goes through the pipeline at once.
  parallelism.num_pp_microbatches = p.pipeline > 1 ? Math.max(1, Math.floor(t.globalBatchSize / (p.data * t.microBatchSize))) : 1;
  if (p.pipeline > 1 && t.globalBatchSize % (p.data * t.microBatchSize) !== 0) {
    warnings.push({ path: 'training.global_batch_size', message: `torchtitan needs the global batch (${t.globalBatchSize}) to be a multiple of DP ${p.data} × micro-batch ${t.microBatchSize}.`, kind: 'approximated' });
  }
  if (p.expertTensor !== 1) warn('parallelism.expert_tensor', `torchtitan main has no expert_tensor_parallel_degree (experts borrow the FSDP and TP ranks); ${p.expertTensor} reads back as 1.`);
  const mode = get('activation_checkpoint', 'mode');
  return {
    config: r,
    modelSpec: { name: String(get('model', 'name')), flavor: String(get('model', 'flavor')) },
    training,
    parallelism,
    checkpoint: mode === 'selective' || mode === 'full' ? mode : 'none',
    warnings,
    notes: [...notes],
  };
}

const launchLine = (r: ResolvedConfig, config: string) =>
  `NGPU=${r.cluster.gpusPerNode} on each of ${r.cluster.nodes} nodes (torchrun --nnodes ${r.cluster.nodes} --nproc_per_node ${r.cluster.gpusPerNode} -m torchtitan.train --module … --config ${config})`;

export function exportTorchtitanJson(value: unknown): ExportResult {
  const s = mainSettings(value);
  const { config: r, notes } = s;
  // No FP8 in the JSON at all: the TOML-era FP8 warnings give way to one per key dropped.
  const warnings = s.warnings.filter((w) => !w.path.startsWith('precision.fp8'));
  const warn = (path: string, message: string) => warnings.push({ path, message, kind: 'dropped' });
  if (r.precision.compute === 'fp8') {
    warn('precision.compute', 'torchtitan main applies FP8 through converters passed to model_registry in Python (tcs export --to torchtitan-python writes them); its JSON has no field for it, so this reads back as BF16.');
    for (const path of fp8Paths(value)) if (path !== 'precision.compute') warn(path, 'the FP8 recipe is a model_registry converter in Python, not a JSON field.');
  }
  if (r.model.mtpDepth > 0) warn('model.mtp_depth', `multi-token prediction is model_registry("${s.modelSpec.flavor}", num_mtp_layers=${r.model.mtpDepth}) in Python (deepseek_v3), not a JSON field; it reads back as 0.`);
  const json = {
    tcs: {
      about: `torchtitan main Trainer.Config as JSON (the shape --debug.save_config_file writes), exported by tcs from "${r.name}"; run it as a Python recipe (tcs export --to torchtitan-python). torchtitan does not read this "tcs" key.`,
      ...(typeof obj(value).name === 'string' ? { name: obj(value).name } : {}),
      cluster: obj(obj(value).cluster),
      launch: launchLine(r, '…'),
      warnings: warnings.map((w) => `WARN ${w.path}: ${w.message}`),
      notes,
    },
    model_spec: s.modelSpec,
    training: s.training,
    parallelism: s.parallelism,
    activation_checkpoint: s.checkpoint === 'selective' ? SELECTIVE_AC : s.checkpoint === 'full' ? FULL_AC : null,
  };
  return { text: JSON.stringify(json, null, 2) + '\n', warnings, notes };
}

/** The config paths that change when FP8 is dropped (the recipe's keys, as resolved). */
function fp8Paths(value: unknown): string[] {
  const root = obj(value);
  return differingPaths(value, { ...root, precision: { ...obj(root.precision), compute: 'bf16', fp8: undefined } });
}

/** A value as a Python literal (the settings are numbers, strings, booleans, lists and None). */
function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(', ')}]`;
  return String(v);
}

/** FP8 at main: the converters model_registry applies (torchtitan/components/quantization/float8.py, mx.py). */
function converters(r: ResolvedConfig, warn: (path: string, message: string) => void): { imports: string[]; calls: string[] } {
  const f = r.precision.fp8;
  if (r.precision.compute !== 'fp8' || !f) return { imports: [], calls: [] };
  const moe = r.model.moe !== undefined;
  const high = new Set(f.highPrecision);
  const experts = moe && !high.has('experts');
  if (f.scaling === 'mxfp8') {
    if (['output_head', 'router', 'attention'].some((m) => (high as ReadonlySet<string>).has(m))) warn('precision.fp8.high_precision', 'MXFP8LinearConverter converts every Linear unless its fqns list names the ones to convert; the high-precision list is not written.');
    return {
      imports: ['MXFP8LinearConverter', ...(experts ? ['MXFP8GroupedExpertsConverter'] : [])],
      calls: ['MXFP8LinearConverter.Config()', ...(experts ? ['MXFP8GroupedExpertsConverter.Config()'] : [])],
    };
  }
  if (f.scaling !== 'tensorwise' || f.format !== 'hybrid') {
    warn('precision.fp8.scaling', `torchtitan main's Float8LinearConverter has the rowwise recipes only (rowwise, rowwise_with_gw_hp); ${f.scaling} ${f.format} is written as rowwise.`);
  } else warn('precision.fp8.scaling', "torchtitan main's Float8LinearConverter has no tensorwise recipe any more; rowwise is written.");
  // Module names of main's models: lm_head, router.gate (the DeepSeek-V3 float8 recipe's filter_fqns), attention.
  const filter = [...(high.has('output_head') ? ['lm_head'] : []), ...(moe && high.has('router') ? ['router.gate'] : []), ...(high.has('attention') ? ['attention'] : [])];
  if (high.has('mlp')) warn('precision.fp8.high_precision', "filter_fqns cannot keep dense FFN layers out of FP8 without naming each; they run in FP8.");
  return {
    imports: ['Float8LinearConverter', ...(experts ? ['Float8GroupedExpertsConverter'] : [])],
    calls: [`Float8LinearConverter.Config(recipe_name="rowwise", filter_fqns=${py(filter)})`, ...(experts ? ['Float8GroupedExpertsConverter.Config()'] : [])],
  };
}

/** `DeepSeek-V3 pre-training` → `deepseek_v3_pre_training`: the recipe function's name. */
const functionName = (name: string) => (name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'config_$1') || 'exported');

export function exportTorchtitanPython(value: unknown): ExportResult {
  const s = mainSettings(value);
  const { config: r, warnings, notes } = s;
  const warn = (path: string, message: string, kind: ExportWarning['kind'] = 'approximated') => warnings.push({ path, message, kind });
  const fp8 = converters(r, warn);
  const registryArgs = [py(s.modelSpec.flavor)];
  if (r.model.mtpDepth > 0) {
    if (s.modelSpec.name === 'deepseek_v3') registryArgs.push(`num_mtp_layers=${r.model.mtpDepth}`);
    else warn('model.mtp_depth', `${s.modelSpec.name}'s model_registry has no multi-token prediction.`, 'dropped');
  }
  if (fp8.calls.length > 0) registryArgs.push(`converters=[\n            ${fp8.calls.join(',\n            ')},\n        ]`);
  const fn = functionName(r.name);
  const kwargs = (o: Obj) => Object.entries(o).map(([k, v]) => `            ${k}=${py(v)},`).join('\n');
  const policy = s.checkpoint === 'selective' ? 'SelectiveAC.Config()' : s.checkpoint === 'full' ? 'FullAC.Config()' : 'None';
  const lines = [
    `"""torchtitan main recipe exported by tcs from ${JSON.stringify(r.name)}.`,
    '',
    `Run: ${launchLine(r, fn)}.`,
    'Data, tokenizer (hf_assets_path), optimizer and checkpointing keep torchtitan\'s defaults: set them for your run.',
    ...warnings.map((w) => `WARN ${w.path}: ${w.message}`),
    ...notes.map((n) => `NOTE ${n}`),
    '"""',
    directiveLine(obj(value), []) ?? '',
    '',
    'from torchtitan.components.loss import ChunkedLossWrapper, CrossEntropyLoss',
    ...(fp8.imports.length > 0 ? [`from torchtitan.components.quantization import ${fp8.imports.sort().join(', ')}`] : []),
    'from torchtitan.config import ParallelismConfig, TrainingConfig',
    ...(s.checkpoint === 'none' ? [] : [`from torchtitan.distributed.activation_checkpoint import ${s.checkpoint === 'full' ? 'FullAC' : 'SelectiveAC'}`]),
    'from torchtitan.models.common.config_utils import decoder_vocab_size',
    `from torchtitan.models.${s.modelSpec.name} import model_registry`,
    'from torchtitan.trainer import Trainer',
    '',
    '',
    `def ${fn}() -> Trainer.Config:`,
    `    model_spec = model_registry(${registryArgs.length === 1 ? registryArgs[0] : `\n        ${registryArgs.join(',\n        ')},\n    `})`,
    '    return Trainer.Config(',
    '        model_spec=model_spec,',
    '        loss=ChunkedLossWrapper.Config(loss_fn=CrossEntropyLoss.Config(global_vocab_size=decoder_vocab_size(model_spec))),',
    '        training=TrainingConfig(',
    kwargs(s.training),
    '        ),',
    '        parallelism=ParallelismConfig(',
    kwargs(s.parallelism),
    '        ),',
    `        activation_checkpoint=${policy},`,
    '    )',
  ];
  return { text: lines.join('\n') + '\n', warnings, notes };
}
