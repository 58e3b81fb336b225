/**
 * Config → Megatron-LM `pretrain_gpt.py` arguments behind a `torchrun` line (flag names: NVIDIA/Megatron-LM
 * megatron/training/arguments.py, main). What Megatron-LM main cannot run (DualPipe, zero-bubble schedules, FP8 knobs
 * Transformer Engine fixes) is a warning naming the key; the GPU and the rest of the cluster go in a `# tcs:` comment.
 */
import { defaultTpCommSmMargin, type ResolvedConfig } from '../../simulator/config';
import { layerSplit } from '../../simulator/stages';
import { layerFreqText } from '../formats/layerSpec';
import { resolveConfig } from '../resolve';
import { DEFAULT_IMBALANCE, directiveLine, obj, type ExportResult, type ExportWarning } from './common';

/** The largest divisor ≤ 128 of V/TP, so Megatron's padding to a multiple of D·TP leaves V as it is. */
function vocabDivisor(vocab: number, tp: number): number | undefined {
  if (vocab % tp !== 0) return undefined;
  for (let d = 128; d >= 1; d--) if ((vocab / tp) % d === 0) return d;
  return 1;
}

/** Megatron's layout string for the simulator's split: `Et*3|t*4|…|t*2mL`. */
function layoutString(layers: number[], mtp: number): string {
  return layers
    .map((n, s) => `${s === 0 ? 'E' : ''}${n === 0 ? '' : n === 1 ? 't' : `t*${n}`}${s === layers.length - 1 ? `${'m'.repeat(mtp)}L` : ''}`)
    .join('|');
}

/** Megatron-LM's --recompute-modules for the config's list: mlp_act has no Megatron module (nor have modules the model lacks). */
export function megatronRecomputeModules(r: ResolvedConfig): { written: string[]; dropped: string[] } {
  const written: string[] = [];
  const dropped: string[] = [];
  const moe = r.model.moe;
  for (const m of r.training.recomputeModules) {
    const lacking = (m === 'mla_up_proj' && r.model.attention.type !== 'mla') || ((m === 'moe_act' || m === 'moe' || m === 'shared_experts') && !moe);
    if (m === 'mlp_act' || lacking) dropped.push(m);
    else written.push(m);
  }
  return { written, dropped };
}

export function exportMegatron(value: unknown): ExportResult {
  const r: ResolvedConfig = resolveConfig(value);
  const raw = obj(value);
  const warnings: ExportWarning[] = [];
  const notes: string[] = [];
  const warn = (path: string, message: string, kind: ExportWarning['kind'] = 'dropped') => warnings.push({ path, message, kind });
  const flags: string[][] = [];
  const add = (...f: (string | number)[]) => flags.push(f.map(String));
  const { model: m, training: t, precision: pr, parallelism: p, cluster: c } = r;

  add('--num-layers', m.layers);
  add('--hidden-size', m.hiddenSize);
  add('--ffn-hidden-size', m.ffnHiddenSize);
  const d = vocabDivisor(m.vocabSize, p.tensor);
  add('--vocab-size', m.vocabSize);
  add('--make-vocab-size-divisible-by', d ?? 128);
  if (d === undefined) notes.push(`model.vocab_size ${m.vocabSize} is not a multiple of TP ${p.tensor}: Megatron pads the embedding to ${Math.ceil(m.vocabSize / (128 * p.tensor)) * 128 * p.tensor} rows.`);
  if (m.activation === 'swiglu') add('--swiglu');
  else if (m.activation === 'squared_relu') add('--squared-relu');
  else if (m.activation === 'geglu') {
    add('--quick-geglu');
    warn('model.activation', 'geglu is written as --quick-geglu (a sigmoid approximation of GELU).', 'approximated');
  } else if (m.activation === 'relu') warn('model.activation', 'relu has no Megatron-LM flag; GeLU (the default) is used.');
  if (!m.tiedEmbeddings) add('--untie-embeddings-and-output-weights');
  const a = m.attention;
  add('--num-attention-heads', a.heads);
  if (a.type === 'gqa') add('--group-query-attention', '--num-query-groups', a.kvHeads);
  if (a.type === 'mla') {
    add('--multi-latent-attention');
    if (a.qLoraRank !== undefined) add('--q-lora-rank', a.qLoraRank);
    add('--kv-lora-rank', a.kvLoraRank!);
    add('--qk-head-dim', a.qkNopeHeadDim!);
    add('--qk-pos-emb-head-dim', a.qkRopeHeadDim!);
    add('--v-head-dim', a.vHeadDim!);
    if (a.headDim !== a.qkNopeHeadDim! + a.qkRopeHeadDim!) warn('model.attention.head_dim', 'MLA heads are qk_nope_head_dim + qk_rope_head_dim wide in Megatron-LM; head_dim is not a separate flag.');
  } else add('--kv-channels', a.headDim);
  if (m.moe) {
    const e = m.moe;
    add('--num-experts', e.routedExperts);
    add('--moe-router-topk', e.expertsPerToken);
    add('--moe-ffn-hidden-size', e.expertHiddenSize);
    if (e.sharedExperts > 0) add('--moe-shared-expert-intermediate-size', e.sharedExperts * e.expertHiddenSize);
    if (e.denseLayers > 0) add('--moe-layer-freq', `"${layerFreqText(e.denseLayers, m.layers)}"`);
    add('--moe-grouped-gemm', '--moe-token-dispatcher-type', p.moeTokenDispatcher);
    if (e.forceLoadBalancing) add('--moe-router-force-load-balancing');
    else if (e.loadImbalance !== DEFAULT_IMBALANCE) warn('model.moe.load_imbalance', `the expert load imbalance (${e.loadImbalance}) is an outcome of routing, not a Megatron-LM flag.`);
    // Group-limited routing (resolve gives the node limit its groups when they can be the EP group's nodes).
    if (e.routerGroups !== undefined && e.routerGroupTopk !== undefined) add('--moe-router-num-groups', e.routerGroups, '--moe-router-group-topk', e.routerGroupTopk);
    else if (e.maxNodesPerToken !== undefined) warn('model.moe.max_nodes_per_token', `node-limited routing needs the EP group (${p.expert}) to span whole nodes of ${c.gpusPerNode} GPUs with the experts divisible by the node count; Megatron's group-limited routing cannot express it here.`);
  }
  if (m.mtpDepth > 0) add('--mtp-num-layers', m.mtpDepth);

  add('--seq-length', t.sequenceLength, '--max-position-embeddings', t.sequenceLength);
  add('--global-batch-size', t.globalBatchSize);
  add('--micro-batch-size', t.microBatchSize);
  const samples = Math.ceil(t.tokens / t.sequenceLength);
  add('--train-samples', samples);
  if (samples * t.sequenceLength !== t.tokens) warn('training.tokens', `${t.tokens} tokens are not a whole number of ${t.sequenceLength}-token sequences; --train-samples rounds up to ${samples}.`);
  if (t.attentionBackend !== 'auto') add('--attention-backend', t.attentionBackend);
  if (t.crossEntropyLossFusion) add('--cross-entropy-loss-fusion');
  if (t.recompute === 'selective') {
    const modules = megatronRecomputeModules(r);
    if (modules.dropped.length > 0) warn('training.recompute_modules', `Megatron-LM has no recompute module for ${modules.dropped.join(', ')} here (mlp_act, the dense MLP's activation, is not a Megatron module; others need MLA or MoE layers); they are left out.`);
    add('--recompute-granularity', 'selective');
    if (modules.written.length > 0) add('--recompute-modules', ...modules.written);
    else warn('training.recompute_modules', 'an empty module list is not expressible: Megatron-LM falls back to core_attn.');
  } else if (t.recompute === 'full') add('--recompute-granularity', 'full', '--recompute-method', t.recomputeMethod, '--recompute-num-layers', t.recomputeLayers);

  add('--bf16');
  if (pr.compute === 'fp8' && pr.fp8) {
    const f = pr.fp8;
    add('--fp8-format', f.format, '--fp8-recipe', f.scaling);
    if (f.scaling === 'delayed') add('--fp8-amax-history-len', 1024, '--fp8-amax-compute-algo', 'max');
    const high = new Set(f.highPrecision);
    if (m.moe && high.has('router')) add('--moe-router-dtype', 'fp32');
    if (!m.moe && !high.has('router')) warn('precision.fp8.high_precision', 'a dense model has no router; Megatron-LM reads its high-precision list with the router in it.');
    if (!high.has('attention')) add('--fp8-dot-product-attention');
    if (!high.has('output_head')) {
      if (f.scaling === 'mxfp8') add('--fp8-output-proj');
      else warn('precision.fp8.high_precision', 'an FP8 output head (--fp8-output-proj) exists for MXFP8 only; the head stays in BF16.');
    }
    for (const mod of ['embedding', 'norm'] as const) if (!high.has(mod)) warn('precision.fp8.high_precision', `Transformer Engine never runs the ${mod} in FP8; it stays in BF16.`);
    for (const mod of ['mlp', 'experts'] as const) if (high.has(mod)) warn('precision.fp8.high_precision', `Megatron-LM has no flag to keep the ${mod} out of FP8; it runs in FP8.`);
    for (const [key, v] of [['activation_tile', f.activationTile], ['weight_block', f.weightBlock], ['accumulation_interval', f.accumulationInterval]] as const) {
      if (v !== 128) warn(`precision.fp8.${key}`, `Transformer Engine fixes ${key.replace('_', ' ')} at 128; ${v} cannot be set.`);
    }
    if (!f.dispatchFp8) warn('precision.fp8.dispatch_fp8', 'Megatron-LM has no flag for the precision of the expert dispatch.');
  }
  if (pr.masterWeights !== 'fp32' || pr.optimizerStates !== 'fp32' || pr.gradients !== 'fp32') {
    add('--use-precision-aware-optimizer', '--main-params-dtype', pr.masterWeights, '--main-grads-dtype', pr.gradients);
    add('--exp-avg-dtype', pr.optimizerStates, '--exp-avg-sq-dtype', pr.optimizerStates);
  }

  add('--tensor-model-parallel-size', p.tensor);
  if (p.sequenceParallel) add('--sequence-parallel');
  add('--pipeline-model-parallel-size', p.pipeline);
  add('--context-parallel-size', p.context);
  add('--expert-model-parallel-size', p.expert);
  add('--expert-tensor-parallel-size', p.expertTensor);
  // Megatron runs 1F1B, interleaved when there are virtual stages; nothing else.
  const v = p.pipeline > 1 ? p.virtualStages : 1;
  const runs = p.pipeline > 1 ? (v > 1 ? 'interleaved-1f1b' : '1f1b') : '1f1b';
  if (p.schedule !== runs) {
    const nearest = p.schedule === 'dualpipe' || p.schedule === 'dualpipev' ? '; the nearest is --overlap-moe-expert-parallel-comm --delay-wgrad-compute (EP all-to-all overlap)' : '';
    warn('parallelism.schedule', `${p.schedule} is not available in Megatron-LM main (it runs 1F1B, interleaved with virtual stages): ${runs} is what these flags run${nearest}.`);
  }
  if (p.pipeline === 1 && p.virtualStages > 1) warn('parallelism.virtual_stages', 'virtual stages need pipeline parallelism; without it Megatron-LM has none.');
  if (p.pipeline > 1) {
    const chunks = p.pipeline * v;
    const even = m.layers % chunks === 0;
    if (p.firstStageLayers !== undefined || p.lastStageLayers !== undefined) {
      if (p.firstStageLayers !== undefined) add('--decoder-first-pipeline-num-layers', p.firstStageLayers);
      if (p.lastStageLayers !== undefined) add('--decoder-last-pipeline-num-layers', p.lastStageLayers);
      if (v > 1) add('--num-virtual-stages-per-pipeline-rank', v);
    } else if (!even) {
      const layout = layerSplit({ ...r, parallelism: { ...p, schedule: runs, virtualStages: v } });
      if (layout.layersPerStage.length === chunks) {
        add('--pipeline-model-parallel-layout', `"${layoutString(layout.layersPerStage, m.mtpDepth)}"`);
        notes.push(`${m.layers} layers over ${chunks} stages need an explicit layout: ${layout.layersPerStage.join(', ')} layers (embedding first, ${m.mtpDepth ? 'MTP and ' : ''}loss last).`);
      }
    } else if (v > 1) add('--num-virtual-stages-per-pipeline-rank', v);
  }
  if (p.dataShard !== undefined && p.dataShard < p.data) {
    if (p.zeroStage >= 1 && p.data % p.dataShard === 0) add('--num-distributed-optimizer-instances', p.data / p.dataShard);
    else warn('parallelism.data_shard', `Megatron-LM's partial distributed optimizer needs zero_stage ≥ 1 and data_shard dividing data ${p.data}; data_shard ${p.dataShard} cannot be written.`);
  }
  if (p.zeroStage === 1) add('--use-distributed-optimizer');
  else if (p.zeroStage >= 2) add('--use-megatron-fsdp', '--data-parallel-sharding-strategy', p.zeroStage === 2 ? 'optim_grads' : 'optim_grads_params');
  if (p.overlapGradReduce) add('--overlap-grad-reduce');
  if (p.ddpBucketSize !== undefined) add('--ddp-bucket-size', p.ddpBucketSize);
  if (p.overlapParamGather) add('--overlap-param-gather');
  if (p.tpCommOverlap) add('--tp-comm-overlap');
  if (p.tpCommOverlap && JSON.stringify(p.tpCommSmMargin) !== JSON.stringify(defaultTpCommSmMargin()))
    warn('parallelism.tp_comm_sm_margin', "per-GEMM SM margins go in a Transformer Engine ub_cfgs YAML passed as --tp-comm-overlap-cfg, which tcs does not write; TE's defaults apply.");
  if (!p.overlapP2pComm) add('--no-overlap-p2p-communication');
  if (p.overlapExpertComm) add('--overlap-moe-expert-parallel-comm', '--delay-wgrad-compute');
  const world = c.nodes * c.gpusPerNode;
  if (!p.dataDerived && p.data * p.tensor * p.pipeline * p.context !== world) warn('parallelism.data', `Megatron-LM derives DP from the world size: ${world} / (TP·PP·CP) = ${world / (p.tensor * p.pipeline * p.context)}, not ${p.data}.`);

  const lines: string[] = ['#!/bin/bash', `# Megatron-LM arguments exported by tcs from "${r.name}".`];
  const directive = directiveLine(raw, ['cluster.nodes', 'cluster.gpus_per_node']);
  if (directive) lines.push(directive);
  for (const w of warnings) lines.push(`# WARN ${w.path}: ${w.message}`);
  for (const n of notes) lines.push(`# NOTE ${n}`);
  lines.push(`torchrun --nnodes ${c.nodes} --nproc_per_node ${c.gpusPerNode} pretrain_gpt.py \\`);
  flags.forEach((f, i) => lines.push(`  ${f.join(' ')}${i < flags.length - 1 ? ' \\' : ''}`));
  return { text: lines.join('\n') + '\n', warnings, notes };
}
