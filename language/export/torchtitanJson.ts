/**
 * Config → torchtitan main's config as JSON: the shape of `Trainer.Config.to_dict()`, which torchtitan writes with
 * `--debug.save_config_file` (pytorch/torchtitan@b5bcd76 torchtitan/trainer.py; fields from torchtitan/config/
 * configs.py `TrainingConfig`/`ParallelismConfig`, torchtitan/distributed/activation_checkpoint.py). torchtitan
 * main runs Python recipes (`--module M --config F` returning a `Trainer.Config`, torchtitan/config/README.md),
 * so this file is for reading back (`tcs import`) and comparing with a run's saved config; its values are the
 * recipe's keyword arguments. What main has no field for is a warning naming the key, as for the TOML:
 * - batches are token counts: `num_tokens_per_microbatch_per_dp_rank` = micro-batch × sequence, and
 *   `num_tokens_per_train_step` = global batch × sequence; `max_context_length` is the sequence length;
 * - the model is `model_spec` {name, flavor} of its `model_registry` (the dump's model tree is built from it in
 *   code); FP8 and MTP are arguments of that call in Python (`converters=[Float8LinearConverter.Config(…)]`,
 *   `num_mtp_layers`), not JSON fields;
 * - `expert_tensor_parallel_degree` is gone (experts borrow the FSDP and TP ranks);
 * - `activation_checkpoint` is the policy's Config (`SelectiveAC`, `FullAC`) or null for none.
 * JSON has no comments: the name, the cluster, the launch line and the warnings travel under a `tcs` key, which
 * torchtitan does not read.
 */
import { planTorchtitan } from './torchtitan';
import { differingPaths, obj, type ExportResult, type ExportWarning } from './common';

type Obj = Record<string, unknown>;

/** SelectiveAC.Config()'s fields and defaults (torchtitan/distributed/activation_checkpoint.py). */
const SELECTIVE_AC = { preserve_rng_state: true, determinism_check: 'default', debug: false, force_recompute_mm_shapes_by_fqns: ['moe.router.gate'] };
const FULL_AC = { preserve_rng_state: true, determinism_check: 'default', debug: false };

export function exportTorchtitanJson(value: unknown): ExportResult {
  const plan = planTorchtitan(value);
  const { config: r, notes } = plan;
  const get = (section: string, key: string) => plan.sections.get(section)?.find(([k]) => k === key)?.[1];
  const section = (name: string) => Object.fromEntries((plan.sections.get(name) ?? []).map(([k, v]) => [k, v]));
  const replaced = (path: string) => path.startsWith('precision.fp8') || ['precision.compute', 'parallelism.expert_tensor', 'model.mtp_depth'].includes(path);
  const warnings: ExportWarning[] = plan.warnings
    .filter((w) => !replaced(w.path))
    .map((w) => ({ ...w, message: w.message.replace(/torchtitan's TOML names a built-in flavor(.*)\(a custom shape needs a TransformerModelArgs registered in Python\)/, "torchtitan main's model_spec names a model_registry flavor$1(a custom shape needs its own model config in Python)") }));
  const warn = (path: string, message: string) => warnings.push({ path, message, kind: 'dropped' });

  const { training: t, parallelism: p, precision: pr, model: m } = r;
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

  if (pr.compute === 'fp8') {
    const why = 'torchtitan main applies FP8 through converters passed to model_registry in Python (converters=[Float8LinearConverter.Config(filter_fqns=[…])]); its JSON has no field for it, so this reads back as BF16.';
    warn('precision.compute', why);
    for (const path of fp8Paths(value)) if (path !== 'precision.compute') warn(path, 'the FP8 recipe is a model_registry converter in Python, not a JSON field.');
  }
  if (m.mtpDepth > 0) warn('model.mtp_depth', `multi-token prediction is model_registry("${String(get('model', 'flavor'))}", num_mtp_layers=${m.mtpDepth}) in Python (deepseek_v3), not a JSON field; it reads back as 0.`);
  else for (const w of plan.warnings.filter((x) => x.path === 'model.mtp_depth')) warnings.push(w);
  if (p.expertTensor !== 1) warn('parallelism.expert_tensor', `torchtitan main has no expert_tensor_parallel_degree (experts borrow the FSDP and TP ranks); ${p.expertTensor} reads back as 1.`);

  const mode = get('activation_checkpoint', 'mode');
  const json = {
    tcs: {
      about: `torchtitan main Trainer.Config as JSON (the shape --debug.save_config_file writes), exported by tcs from "${r.name}"; run it as a Python recipe (--module/--config) with these values. torchtitan does not read this "tcs" key.`,
      ...(typeof obj(value).name === 'string' ? { name: obj(value).name } : {}),
      cluster: obj(obj(value).cluster),
      launch: `NGPU=${r.cluster.gpusPerNode} on each of ${r.cluster.nodes} nodes (torchrun --nnodes ${r.cluster.nodes} --nproc_per_node ${r.cluster.gpusPerNode} -m torchtitan.train --module … --config …)`,
      warnings: warnings.map((w) => `WARN ${w.path}: ${w.message}`),
      notes,
    },
    model_spec: { name: get('model', 'name'), flavor: get('model', 'flavor') },
    training,
    parallelism,
    activation_checkpoint: mode === 'selective' ? SELECTIVE_AC : mode === 'full' ? FULL_AC : null,
  };
  return { text: JSON.stringify(json, null, 2) + '\n', warnings, notes };
}

/** The config paths that change when FP8 is dropped (the recipe's keys, as resolved). */
function fp8Paths(value: unknown): string[] {
  const root = obj(value);
  return differingPaths(value, { ...root, precision: { ...obj(root.precision), compute: 'bf16', fp8: undefined } });
}
