/**
 * Config → torchtitan TOML (v0.2.x: torchtitan/config/job_config.py). The model is named by a built-in flavor, so
 * the nearest one is chosen and every key where its shape differs is a warning; what torchtitan has no field for
 * (ZeRO-1, blockwise or delayed FP8 scaling, mixed optimizer dtypes, most schedules) is a warning naming the key.
 * The cluster goes in a `# tcs:` comment and the launch line.
 */
import type { ResolvedConfig } from '../../simulator/config';
import { tomlValue } from '../formats/toml';
import { FLAVORS, MULTI_STAGE, TT_SCHEDULE_NAMES, type Flavor } from '../formats/torchtitanFlavors';
import { resolveConfig } from '../resolve';
import { differingPaths, directiveLine, obj, type ExportResult, type ExportWarning } from './common';

/** The flavor whose shape differs from the config's model in the fewest keys (ties: the first, smallest). */
function nearestFlavor(value: unknown): { flavor: Flavor; differing: string[] } {
  let best: { flavor: Flavor; differing: string[] } | undefined;
  for (const flavor of FLAVORS) {
    const differing = differingPaths(value, { ...obj(value), model: flavor.model }).filter((p) => p.startsWith('model.'));
    if (!best || differing.length < best.differing.length) best = { flavor, differing };
  }
  return best!;
}

/** torchtitan's settings for a config, by TOML section and key (v0.2.x names), with what they cannot say. */
export interface TorchtitanPlan {
  config: ResolvedConfig;
  sections: Map<string, [key: string, value: unknown, comment?: string][]>;
  warnings: ExportWarning[];
  notes: string[];
}

export function planTorchtitan(value: unknown): TorchtitanPlan {
  const r: ResolvedConfig = resolveConfig(value);
  const warnings: ExportWarning[] = [];
  const notes: string[] = [];
  const warn = (path: string, message: string, kind: ExportWarning['kind'] = 'dropped') => warnings.push({ path, message, kind });
  const { model: m, training: t, precision: pr, parallelism: p } = r;
  const sections = new Map<string, [string, unknown, string?][]>();
  const put = (section: string, key: string, v: unknown, comment?: string) => {
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section)!.push([key, v, comment]);
  };

  const { flavor, differing } = nearestFlavor(value);
  for (const path of differing) warn(path, `torchtitan's TOML names a built-in flavor; ${flavor.name} ${flavor.flavor} is the nearest, and its value differs here (a custom shape needs a TransformerModelArgs registered in Python).`);
  put('job', 'description', r.name);
  put('model', 'name', flavor.name);
  put('model', 'flavor', flavor.flavor);
  const converters: string[] = [];
  const moe = m.moe !== undefined;

  put('training', 'seq_len', t.sequenceLength);
  const dp = p.data;
  const steps = Math.ceil(t.tokens / (t.globalBatchSize * t.sequenceLength));
  if (steps * t.globalBatchSize * t.sequenceLength !== t.tokens) warn('training.tokens', `torchtitan counts steps: ${steps} steps of ${t.globalBatchSize} × ${t.sequenceLength} tokens train ${steps * t.globalBatchSize * t.sequenceLength}, not ${t.tokens}.`);
  if (p.pipeline > 1) {
    if (t.globalBatchSize % dp !== 0) warn('training.global_batch_size', `torchtitan needs the global batch (${t.globalBatchSize}) to be a multiple of DP ${dp}.`, 'approximated');
    put('training', 'local_batch_size', Math.max(1, Math.floor(t.globalBatchSize / dp)), `global batch / DP ${dp}`);
    put('parallelism', 'pipeline_parallel_microbatch_size', t.microBatchSize);
  } else put('training', 'local_batch_size', t.microBatchSize);
  put('training', 'global_batch_size', t.globalBatchSize);
  put('training', 'steps', steps);
  put('training', 'mixed_precision_param', 'bfloat16');
  const dtypes = [pr.masterWeights, pr.optimizerStates, pr.gradients];
  if (dtypes.every((x) => x === 'bf16')) put('training', 'dtype', 'bfloat16');
  else {
    for (const [path, v] of [['precision.master_weights', pr.masterWeights], ['precision.optimizer_states', pr.optimizerStates], ['precision.gradients', pr.gradients]] as const) {
      if (v === 'bf16') warn(path, 'torchtitan keeps weights, optimizer states and gradients in one dtype (training.dtype); a mix is not expressible, so FP32 is used.');
    }
  }

  if (pr.compute === 'fp8' && pr.fp8) {
    const f = pr.fp8;
    const section = f.scaling === 'mxfp8' ? 'quantize.linear.mx' : 'quantize.linear.float8';
    converters.push(section);
    if (f.scaling === 'mxfp8') {
      put(section, 'recipe_name', 'mxfp8_cublas');
      if (f.format !== 'e4m3') warn('precision.fp8.format', 'MXFP8 in torchtitan is e4m3 throughout.');
    } else {
      if (f.format !== 'hybrid') warn('precision.fp8.format', 'torchao float8 runs e4m3 forward and e5m2 for gradients (hybrid); e4m3 throughout is not a torchtitan option.');
      if (f.scaling === 'tensorwise') put(section, 'recipe_name', 'tensorwise');
      else if (f.scaling === 'blockwise') {
        put(section, 'recipe_name', 'rowwise');
        warn('precision.fp8.scaling', 'torchtitan has no blockwise (1×128 / 128×128) FP8; rowwise scaling is the nearest and is written instead.', 'approximated');
      } else {
        put(section, 'recipe_name', 'tensorwise');
        warn('precision.fp8.scaling', 'torchtitan has no delayed scaling (recipes: tensorwise, rowwise, rowwise_with_gw_hp); tensorwise is written.');
      }
      put(section, 'enable_fsdp_float8_all_gather', p.zeroStage !== 0 && dp > 1);
      put(section, 'precompute_float8_dynamic_scale_for_fsdp', p.zeroStage !== 0 && dp > 1);
    }
    const high = new Set(f.highPrecision);
    const filter: string[] = [];
    if (high.has('output_head')) filter.push('output');
    if (moe && high.has('router')) filter.push('router.gate');
    if (high.has('attention')) filter.push('attention');
    put(section, 'filter_fqns', filter);
    if (moe && !high.has('experts')) {
      const grouped = f.scaling === 'mxfp8' ? 'quantize.grouped_mm.mx' : 'quantize.grouped_mm.float8';
      converters.push(grouped);
      put(grouped, 'fqns', ['experts']);
    }
    if (!moe && !high.has('router')) warn('precision.fp8.high_precision', 'a dense model has no router; torchtitan reads the list with the router in it.');
    if (!moe && high.has('experts')) warn('precision.fp8.high_precision', 'a dense model has no experts to keep in BF16.');
    for (const mod of ['embedding', 'norm'] as const) if (!high.has(mod)) warn('precision.fp8.high_precision', `torchtitan never converts the ${mod} to FP8.`);
    if (high.has('mlp')) warn('precision.fp8.high_precision', 'torchtitan\'s filter_fqns cannot keep dense FFN layers out of FP8 without naming each; they run in FP8.');
    for (const [key, v] of [['activation_tile', f.activationTile], ['weight_block', f.weightBlock], ['accumulation_interval', f.accumulationInterval]] as const) {
      if (v !== 128) warn(`precision.fp8.${key}`, `torchtitan has no ${key.replace('_', ' ')} setting.`);
    }
    if (!f.dispatchFp8) warn('precision.fp8.dispatch_fp8', 'torchtitan has no setting for the precision of the expert dispatch.');
  }
  put('model', 'converters', converters);

  // Data parallelism: FSDP2 shards (ZeRO-3, or ZeRO-2 without resharding), or plain replication (ZeRO-0).
  if (p.zeroStage === 0) {
    put('parallelism', 'data_parallel_replicate_degree', dp);
    put('parallelism', 'data_parallel_shard_degree', 1);
    if (p.dataShard !== undefined && p.dataShard < dp) warn('parallelism.data_shard', 'without sharding (zero_stage 0) there is no HSDP to write; plain replication is used.');
  } else {
    // HSDP: replicate × shard (torchtitan parallel_dims.py); plain FSDP shards over all of DP.
    const shard = p.dataShard ?? dp;
    const hybrid = shard < dp && dp % shard === 0 && shard > 1;
    put('parallelism', 'data_parallel_replicate_degree', hybrid ? dp / shard : 1);
    put('parallelism', 'data_parallel_shard_degree', hybrid ? shard : dp);
    if (p.dataShard !== undefined && p.dataShard < dp && !hybrid) warn('parallelism.data_shard', `data_shard ${p.dataShard} does not split DP ${dp} into shard groups torchtitan can run.`);
    if (p.zeroStage === 2) put('parallelism', 'fsdp_reshard_after_forward', 'never');
    if (dp === 1) warn('parallelism.zero_stage', 'with one data-parallel rank FSDP shards nothing; torchtitan reads it back as plain data parallelism.');
    else if (p.zeroStage === 1) warn('parallelism.zero_stage', 'torchtitan has no ZeRO-1 (sharded optimizer states only): FSDP shards everything (ZeRO-3).');
  }
  put('parallelism', 'tensor_parallel_degree', p.tensor);
  if (p.tpCommOverlap && p.tensor > 1) put('parallelism', 'enable_async_tensor_parallel', true, 'TP communication overlap (needs compile)');
  put('parallelism', 'pipeline_parallel_degree', p.pipeline);
  put('parallelism', 'context_parallel_degree', p.context);
  put('parallelism', 'expert_parallel_degree', p.expert);
  put('parallelism', 'expert_tensor_parallel_degree', p.expertTensor);
  if (moe && p.expertTensor !== 1 && p.expertTensor !== p.tensor) warn('parallelism.expert_tensor', `torchtitan allows expert tensor parallelism of 1 or TP (${p.tensor}) only.`, 'approximated');
  if (p.pipeline > 1) {
    let schedule = TT_SCHEDULE_NAMES[p.schedule];
    if (!schedule) {
      schedule = p.schedule === 'dualpipe' ? 'DualPipeV' : 'InterleavedZeroBubble';
      warn('parallelism.schedule', p.schedule === 'dualpipe' ? 'torchtitan has DualPipeV (the V-shaped variant, two stages per rank), not DualPipe; DualPipeV is written.' : 'torchtitan has no ZB-H2; InterleavedZeroBubble (ZB-H1 timing) is written.');
    }
    const multi = MULTI_STAGE.has(schedule.toLowerCase());
    const wanted = p.virtualStages;
    if (!multi && wanted > 1) warn('parallelism.virtual_stages', `${schedule} runs one stage per rank in torchtitan; ${wanted} virtual stages need a multi-stage schedule.`);
    if (multi && p.schedule === 'interleaved-1f1b' && wanted < 2) {
      schedule = '1F1B';
      warn('parallelism.schedule', 'Interleaved1F1B in torchtitan needs at least 2 stages per rank; with 1, 1F1B is written.');
    }
    put('parallelism', 'pipeline_parallel_schedule', schedule);
    const stages = p.pipeline * wanted;
    const virtualLayers = m.layers + 2; // torchtitan counts the embedding and the output as one layer each (first/last_stage_less_layers = 1)
    if (multi && p.schedule !== 'zbv' && p.schedule !== 'dualpipev' && p.schedule !== 'dualpipe' && wanted !== 2 && wanted >= 2) {
      const perStage = Math.ceil(virtualLayers / stages);
      if (Math.ceil(virtualLayers / perStage) === stages) put('parallelism', 'pipeline_parallel_layers_per_stage', perStage, `⌈(${m.layers} layers + 2) / ${stages} stages⌉`);
      else warn('parallelism.virtual_stages', `no whole layers-per-stage gives ${stages} stages for ${m.layers} layers; torchtitan's default of 2 stages per rank is used.`);
    } else if ((p.schedule === 'zbv' || p.schedule === 'dualpipev' || p.schedule === 'dualpipe') && wanted !== 2) {
      // The config counts V schedules' two chunks per rank itself; torchtitan's reading is 2 stages per rank.
      warn('parallelism.virtual_stages', `${schedule} runs two stages per rank in torchtitan; virtual_stages ${wanted} reads back as 2.`);
    }
    if (p.overlapExpertComm) {
      if (schedule === 'DualPipeV') put('parallelism', 'pipeline_parallel_expert_parallel_overlap', true);
      else warn('parallelism.overlap_expert_comm', 'torchtitan overlaps expert communication only inside DualPipeV.');
    }
  } else {
    if (p.schedule !== '1f1b') warn('parallelism.schedule', 'without pipeline parallelism there is no schedule to set.');
    if (p.virtualStages !== 1) warn('parallelism.virtual_stages', 'without pipeline parallelism there are no virtual stages.');
    if (p.overlapExpertComm) warn('parallelism.overlap_expert_comm', 'torchtitan overlaps expert communication only inside DualPipeV.');
  }
  // Megatron-Core's communication and kernel choices have no torchtitan field (FSDP2, async TP and SDPA decide).
  const raw0 = obj(value);
  const unset = {
    ...raw0,
    training: { ...obj(raw0.training), attention_backend: undefined, cross_entropy_loss_fusion: undefined },
    model: { ...obj(raw0.model), ...(obj(raw0.model).moe ? { moe: { ...obj(obj(raw0.model).moe), force_load_balancing: undefined, load_imbalance: undefined } } : {}) },
    parallelism: { ...obj(raw0.parallelism), moe_token_dispatcher: undefined, tp_comm_overlap: p.tensor > 1 ? obj(raw0.parallelism).tp_comm_overlap : undefined, tp_comm_sm_margin: undefined, overlap_grad_reduce: undefined, overlap_param_gather: undefined, overlap_p2p_comm: undefined, first_stage_layers: undefined, last_stage_layers: undefined, ddp_bucket_size: undefined },
  };
  for (const path of differingPaths(value, unset)) warn(path, `torchtitan has no setting for ${path.slice(path.lastIndexOf('.') + 1).replace(/_/g, ' ')}; its own default applies.`);
  put('activation_checkpoint', 'mode', t.recompute);
  if (t.recompute === 'selective') put('activation_checkpoint', 'selective_ac_option', 'op');
  // torchtitan's op-level selective checkpointing has no module list; full checkpoints every layer on its own.
  if (t.recompute === 'selective' && JSON.stringify(resolveConfig({ ...raw0, model: flavor.model, training: { ...obj(raw0.training), recompute_modules: undefined } }).training.recomputeModules) !== JSON.stringify(t.recomputeModules))
    warn('training.recompute_modules', 'torchtitan\'s selective checkpointing ("op") has no module list; its own op policy (matmul outputs kept, elementwise ops re-run) applies.');
  if (t.recompute === 'full' && t.recomputeMethod !== 'uniform') warn('training.recompute_method', 'torchtitan\'s full checkpointing covers every layer; block recompute is not expressible.');
  if (t.recompute === 'full' && t.recomputeLayers !== 1) warn('training.recompute_layers', 'torchtitan\'s full checkpointing checkpoints each layer on its own.');
  if (p.tensor > 1 && !p.sequenceParallel) warn('parallelism.sequence_parallel', 'torchtitan\'s tensor-parallel plan always shards norms along the sequence; sequence_parallel off is not expressible.');

  return { config: r, sections, warnings, notes };
}

export function exportTorchtitan(value: unknown): ExportResult {
  const { config: r, sections, warnings, notes } = planTorchtitan(value);
  const c = r.cluster;
  const raw = obj(value);
  const lines = [`# torchtitan (v0.2.x TOML) exported by tcs from "${r.name}".`];
  const directive = directiveLine(raw, []);
  if (directive) lines.push(directive);
  lines.push(`# launch: NGPU=${c.gpusPerNode} on each of ${c.nodes} nodes (torchrun --nnodes ${c.nodes} --nproc_per_node ${c.gpusPerNode} -m torchtitan.train --job.config_file this.toml)`);
  for (const w of warnings) lines.push(`# WARN ${w.path}: ${w.message}`);
  for (const n of notes) lines.push(`# NOTE ${n}`);
  for (const [section, entries] of sections) {
    lines.push('', `[${section}]`);
    for (const [k, v, comment] of entries) lines.push(`${k} = ${tomlValue(v)}${comment ? `  # ${comment}` : ''}`);
  }
  return { text: lines.join('\n') + '\n', warnings, notes };
}
