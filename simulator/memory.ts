/**
 * Memory per GPU per pipeline rank, closed-form (the language service calls it on every keystroke).
 *
 * Per rank, over the stages it holds (two for DualPipe: its parameters count twice, DeepSeek-V3 Table 2):
 * - weights in BF16 (TP-sharded; routed experts EP×ETP-sharded), plus an FP8 copy with 128×128 block scales of every
 *   weight whose GEMM the recipe runs in FP8 (Transformer Engine keeps it for the backward);
 * - gradients in their precision, sharded by DP at ZeRO ≥ 2; optimizer states (FP32 master when kept, two AdamW moments
 *   in their precision) sharded at ZeRO ≥ 1; weights too at ZeRO 3 (Rajbhandari et al. 2020). Experts shard over the
 *   expert-DP group;
 * - activations: one micro-batch's saved tensors for the stage × the peak chunks in flight;
 * - buffers: all-to-all receive buffers, PP send/receive, DP buckets when gradients are sharded, plus a fixed reserve
 *   (constants.ts).
 */
import type { ResolvedConfig } from './config';
import { GIB, RESERVED_GIB, SCALE_BYTES } from './constants';
import { zeroShardSizes } from './comm';
import { countParameters, gemmInFp8, gemmParameters, isGated, type LayerKind, layerCounts, layerShape, mtpKind, unfusedAttention } from './model';
import type { MemoryResult, StageMemory } from './result';
import { publishedPeakChunks, stageCount, type StageLayers, stageLayers, stagesOfRanks } from './stages';


export interface StageParameters {
  dense: number;
  experts: number;
  /** Of dense + experts: weights whose GEMMs run in FP8. */
  fp8: number;
  /** Transformer layers (and MTP blocks) in the stage: FSDP's wrapping units. */
  layers: number;
  /** Of `layers`, those holding routed experts (their units in the expert buffer). */
  expertLayers: number;
  /** The kinds of unit the stage holds (dense layer, MoE layer, MTP block), each's parameters before sharding:
   * the layout's, not the parallelism's, so the search can share them across TP and EP. */
  unitKinds: readonly { dense: number; experts: number }[];
}

/**
 * Saved activation bytes per token of one layer (before TP/CP sharding), and the part of them that lives outside the
 * tensor-parallel region (the residual stream, the norms and the inputs of the first projections): without sequence
 * parallelism every TP rank keeps that part whole (Korthikanti et al. 2022, arXiv 2205.05198, Table 2: sbh·10 of the
 * 34 bytes per layer are not divided by t). Stored tensors: each norm's input; for attention the projections' inputs
 * (MLA: its latents), Q/K/V unless recomputed, the output and its log-sum-exp; for the FFN the inputs of each GEMM and
 * of the activation function. Under an FP8 recipe GEMM inputs are cached in FP8 (DeepSeek-V3 §3.3.4). Selective
 * recompute frees what each module in `recompute_modules` would have saved (Megatron-Core transformer_config.py):
 * layernorm the norm outputs, mla_up_proj the per-head Q/K/V, core_attn an unfused kernel's scores, moe_act / mlp_act
 * the activation outputs, mlp / moe / shared_experts everything but the module's input. `full` keeps only the layer
 * input. Routing probabilities are applied before the down-projection, so expert outputs are not kept.
 */
export function activationBytesPerToken(config: ResolvedConfig, kind: LayerKind): number {
  return savedActivations(config, kind).total;
}

/**
 * Saved bytes per token of one layer (`activationBytesPerToken`) and the part of them that are inputs of its weight
 * GEMMs (what a weight-gradient pass W still reads after the input-gradient pass b: M_W in Zero Bubble's terms).
 * Under selective recompute b rebuilds the norm and activation outputs W needs; they are counted as retained, capped
 * at what the forward stored. Full recompute keeps only the layer input, which b expands again: all of it retained.
 */
function savedActivations(config: ResolvedConfig, kind: LayerKind): { total: number; weightInputs: number; replicated: number } {
  const model = config.model;
  const h = model.hiddenSize;
  const recompute = config.training.recompute;
  if (recompute === 'full') return { total: 2 * h, weightInputs: 2 * h, replicated: 2 * h };
  const shape = layerShape(model, kind, 1);
  const modules = new Set(recompute === 'selective' ? config.training.recomputeModules : []);
  const fp8 = (group: 'attention' | 'mlp' | 'experts') => gemmInFp8(config, group);
  const cached = (group: 'attention' | 'mlp' | 'experts') =>
    fp8(group) ? 1 + SCALE_BYTES / Math.max(1, config.precision.fp8?.activationTile ?? 128) : 2;
  const a = model.attention;
  const normInputs = 2 * (2 * h); // the two norms' inputs
  let bytes = normInputs;
  let weightInputs = 0;
  const normOutputs = 2 * h * cached('attention'); // norm outputs = the first GEMM inputs
  const keptNormOutputs = modules.has('layernorm') ? 0 : normOutputs;
  bytes += keptNormOutputs;
  weightInputs += normOutputs;
  if (a.type === 'mla') {
    const latents = 2 * ((a.qLoraRank ?? 0) + shape.kvCacheDim); // latents feed the up-projections
    bytes += latents;
    weightInputs += latents;
  }
  if (!(modules.has('mla_up_proj') && a.type === 'mla')) bytes += 2 * (a.heads * shape.qkDim * (a.type === 'mla' ? 2 : 1) + (a.type === 'mla' ? a.heads * shape.vDim : shape.kvCacheDim));
  const attentionOutput = a.heads * shape.vDim * cached('attention'); // the o-projection's input
  bytes += attentionOutput + 4 * a.heads; // and the log-sum-exp
  weightInputs += attentionOutput;
  // Unfused attention kept whole (no recompute) saves the softmax output, the dropout mask and its output per score:
  // 5·a·s bytes per token (Korthikanti et al. 2022, Eq. 1); recomputing core_attn re-runs that core instead.
  if (unfusedAttention(config) && !modules.has('core_attn')) bytes += 5 * a.heads * (config.training.sequenceLength / Math.max(1, config.parallelism.context));
  const gated = isGated(model);
  // Per FFN copy: its input and the down-projection's input feed weight GEMMs; the activation function's input does
  // not. `act`: the activation's output is recomputed; `whole`: the module is, and only its input is kept.
  const ffn = (hidden: number, group: 'mlp' | 'experts', act: boolean, whole: boolean) => ({
    total: h * cached(group) + (whole ? 0 : (gated ? 2 : 1) * hidden * cached(group) + (act ? 0 : hidden * cached(group))),
    weightInputs: h * cached(group) + hidden * cached(group),
  });
  let ffnInput: number;
  if (kind === 'moe' && model.moe) {
    const m = model.moe;
    const wholeLayer = modules.has('moe');
    const act = modules.has('moe_act');
    const routed = ffn(m.expertHiddenSize, 'experts', act, wholeLayer);
    const shared = ffn(m.expertHiddenSize, 'experts', act, wholeLayer || modules.has('shared_experts'));
    // The MLP norm's output feeds the router, the permutation and the shared experts. The router GEMM (never FP8)
    // keeps it in BF16 for its backward — as does a checkpointed `moe` module, whose input it is — in place of the
    // norm output counted above at the attention's width. The shared experts are one MLP of width shared × f
    // (Megatron-Core SharedExpertMLP, moe_shared_expert_intermediate_size): its fc1 keeps that same BF16 tensor, or
    // under an FP8 recipe its own FP8 copy (Transformer Engine saves the quantised input), once for all shared experts.
    // A checkpointed `moe` keeps nothing else: neither the routed copies nor the shared experts' tensors.
    const routerInput = 2 * h - h * cached('attention');
    const sharedWhole = wholeLayer || modules.has('shared_experts');
    const sharedInput = m.sharedExperts > 0 && !sharedWhole && fp8('experts') ? h * cached('experts') : 0;
    if (!modules.has('layernorm')) bytes += routerInput;
    bytes += wholeLayer ? 0 : 4 * m.routedExperts + m.expertsPerToken * routed.total + m.sharedExperts * (shared.total - h * cached('experts')) + sharedInput;
    weightInputs += routerInput + m.expertsPerToken * routed.weightInputs + (m.sharedExperts > 0 ? sharedInput + m.sharedExperts * m.expertHiddenSize * cached('experts') : 0);
    ffnInput = h * cached('experts'); // the router's input, outside the TP region like the attention norm's
  } else {
    // The dense FFN's input is the MLP norm's output, already counted with the norm outputs (Korthikanti et al. 2022
    // count it once: 2sbh of the MLP's 19sbh); Transformer Engine's LayerNormMLP saves that one ln_out for both.
    const f = ffn(model.ffnHiddenSize, 'mlp', modules.has('mlp_act'), modules.has('mlp'));
    // Recomputed norms (`layernorm`) discard it after FC1 and rebuild it for FC1's wgrad (Megatron-Core
    // CheckpointWithoutOutput), so it is never stored twice.
    const input = h * cached('mlp');
    bytes += f.total - input;
    weightInputs += f.weightInputs - input;
    ffnInput = 0;
  }
  return { total: bytes, weightInputs: Math.min(bytes, weightInputs), replicated: normInputs + keptNormOutputs + ffnInput };
}

/**
 * M_W / M_B: the share of a stage's saved activations a split backward's b leaves for its W (Zero Bubble, Qi et al.
 * 2024, §3.1 and Table 1: M_B = 34sbh + 5as²b, M_W = 32sbh for a GPT layer; the reference scheduler's mem_w = −32h).
 * Weighted over the model's dense and MoE layers.
 */
export function retainedAfterInputBackward(config: ResolvedConfig): number {
  const counts = layerCounts(config.model);
  let total = 0;
  let retained = 0;
  for (const [kind, n] of [['dense', counts.dense], ['moe', counts.moe]] as const) {
    if (n <= 0) continue;
    const s = savedActivations(config, kind);
    total += n * s.total;
    retained += n * s.weightInputs;
  }
  return total > 0 ? retained / total : 1;
}

function layerParameters(config: ResolvedConfig, kind: LayerKind): StageParameters {
  const shape = layerShape(config.model, kind, 1);
  const out: StageParameters = { dense: shape.normParameters, experts: 0, fp8: 0, layers: 1, expertLayers: 0, unitKinds: [] };
  for (const g of shape.gemms) {
    const n = gemmParameters(g);
    if (g.group === 'experts' && g.name.startsWith('routed')) out.experts += n;
    else out.dense += n;
    if (gemmInFp8(config, g.group)) out.fp8 += n;
  }
  return out;
}

/** Parameters of each stage: layers plus embedding (first), head, final norm and MTP (last; sharing embedding/head). */
export function stageParameters(config: ResolvedConfig, stages: number, layout: StageLayers = stageLayers(config, stages)): StageParameters[] {
  const dense = layerParameters(config, 'dense');
  const moe = layerParameters(config, 'moe');
  const counts = countParameters(config.model);
  const mtpIsMoe = mtpKind(config.model) === 'moe';
  const mtpBlock = mtpIsMoe ? moe : dense;
  const h = config.model.hiddenSize;
  const mtpDense = 2 * h + 2 * h * h + mtpBlock.dense + h;
  const mtpDepth = config.model.mtpDepth;
  return layout.dense.map((d, s) => {
    const m = layout.moe[s];
    const last = s === stages - 1;
    const out: StageParameters = {
      dense: d * dense.dense + m * moe.dense,
      experts: d * dense.experts + m * moe.experts,
      fp8: d * dense.fp8 + m * moe.fp8,
      layers: d + m + (last ? mtpDepth : 0),
      expertLayers: m + (last && mtpIsMoe ? mtpDepth : 0),
      unitKinds: [
        ...(d > 0 ? [{ dense: dense.dense, experts: dense.experts }] : []),
        ...(m > 0 ? [{ dense: moe.dense, experts: moe.experts }] : []),
        ...(last && mtpDepth > 0 ? [{ dense: mtpDense, experts: mtpBlock.experts }] : []),
      ],
    };
    if (s === 0) out.dense += counts.embedding;
    if (last) {
      out.dense += counts.head + h + mtpDepth * mtpDense;
      out.experts += mtpDepth * mtpBlock.experts;
      out.fp8 += mtpDepth * (2 * h * h + mtpBlock.fp8);
      if (gemmInFp8(config, 'head')) out.fp8 += counts.head;
    }
    return out;
  });
}

/**
 * Saved activations of one micro-batch on one GPU for each stage, bytes. Full recompute keeps one layer input per
 * checkpointed group (uniform: ⌈layers / recompute_layers⌉ per stage) or only for the first recompute_layers layers of
 * each stage (block: Megatron-Core TransformerBlock._checkpointed_forward), the rest keeping everything. The layers of
 * the group being re-run in backward are alive for one micro-batch at a time and are not counted (as for one layer).
 */
export function stageActivationBytes(config: ResolvedConfig, stages: number, layout: StageLayers = stageLayers(config, stages)): number[] {
  const t = config.training;
  const p = config.parallelism;
  const tp = Math.max(1, p.tensor);
  const tokens = (t.microBatchSize * t.sequenceLength) / Math.max(1, p.context);
  // On one GPU: the TP-sharded part, plus (without sequence parallelism) the rest of the replicated part.
  const local = (a: { total: number; replicated: number }) => a.total / tp + (p.sequenceParallel ? 0 : a.replicated * (1 - 1 / tp));
  const dense = local(savedActivations(config, 'dense'));
  const moe = local(savedActivations(config, 'moe'));
  const full = t.recompute === 'full';
  const block = full && t.recomputeMethod === 'block';
  const kept = block ? { ...config, training: { ...t, recompute: 'none' as const } } : undefined;
  const keptDense = kept ? local(savedActivations(kept, 'dense')) : dense;
  const keptMoe = kept ? local(savedActivations(kept, 'moe')) : moe;
  const group = Math.max(1, Math.floor(t.recomputeLayers));
  const h = config.model.hiddenSize;
  const mtpLayer = mtpKind(config.model) === 'moe' ? moe : dense;
  const finalNorm = local({ total: 2 * h, replicated: 2 * h });
  return layout.dense.map((d, s) => {
    const m = layout.moe[s];
    let perToken: number;
    if (block) {
      const rd = Math.min(group, d);
      const rm = Math.min(group - rd, m);
      perToken = rd * dense + rm * moe + (d - rd) * keptDense + (m - rm) * keptMoe;
    } else if (full) perToken = Math.ceil((d + m) / group) * dense;
    else perToken = d * dense + m * moe;
    if (s === stages - 1) perToken += config.model.mtpDepth * (mtpLayer + (3 * 2 * h) / tp) + finalNorm; // MTP blocks, final norm
    return tokens * perToken;
  });
}

/**
 * What the estimate reads per stage before sharding: its parameters (from the model, the precision and the layer
 * split) and one micro-batch's saved activations on one GPU (those and the micro-batch's tokens per GPU, context
 * degree and recompute). A layout search shares them between layouts that differ only in other keys.
 */
export interface StageFootprint {
  params: readonly StageParameters[];
  activations: readonly number[];
}

/**
 * Memory per pipeline rank. Without `peakActivationChunksPerRank`, the schedule's published in-flight counts
 * (1F1B: P−r on rank r; DualPipe: P+1; …); with it, the peaks measured on the executed timeline. `layout`: the
 * simulator's already-split stages (the same `stageLayers` for this config), so it is not split twice; `footprint`:
 * this config's `stageParameters` and `stageActivationBytes` when the caller already has them.
 */
export function estimateMemory(config: ResolvedConfig, peakActivationChunksPerRank?: number[], layout?: StageLayers, footprint?: StageFootprint): MemoryResult {
  const perStage: StageMemory[] = [];
  const peakGiB = rankMemory(config, peakActivationChunksPerRank, layout, footprint, perStage);
  const hbmGiB = config.cluster.gpu.hbmGiB;
  const overflow = perStage.filter((s) => s.totalGiB > hbmGiB).map((s) => ({ rank: s.rank, needBytes: s.totalGiB * GIB, hbmBytes: hbmGiB * GIB }));
  return { peakGiB, hbmGiB, fits: peakGiB <= hbmGiB, overflow, perStage };
}

/** `estimateMemory(...).peakGiB` without the per-rank breakdown: a layout search asks it for ~24K layouts. */
export function estimatePeakGiB(config: ResolvedConfig, peakActivationChunksPerRank?: number[], layout?: StageLayers, footprint?: StageFootprint): number {
  return rankMemory(config, peakActivationChunksPerRank, layout, footprint, undefined);
}

/** The peak over the pipeline ranks, GiB; each rank's breakdown pushed onto `perStage` when given. */
function rankMemory(config: ResolvedConfig, peakActivationChunksPerRank: number[] | undefined, layout: StageLayers | undefined, footprint: StageFootprint | undefined, perStage: StageMemory[] | undefined): number {
  const p = config.parallelism;
  const P = Math.max(1, p.pipeline);
  const stages = stageCount(p.schedule, P, p.virtualStages);
  if (!footprint) layout ??= stageLayers(config, stages);
  const params = footprint?.params ?? stageParameters(config, stages, layout);
  const activations = footprint?.activations ?? stageActivationBytes(config, stages, layout);
  const shardGroups = zeroShardSizes(config);
  const tp = Math.max(1, p.tensor);
  const expertShards = Math.max(1, p.expert) * Math.max(1, p.expertTensor);
  const prec = config.precision;
  const zero = p.zeroStage;
  const gradBytes = prec.gradients === 'fp32' ? 4 : 2;
  const optimizerBytes = (prec.masterWeights === 'fp32' ? 4 : 0) + 2 * (prec.optimizerStates === 'fp32' ? 4 : 2);
  const fp8WeightBytes = 1 + SCALE_BYTES / Math.max(1, (prec.fp8?.weightBlock ?? 128) ** 2);
  const t = config.training;
  const tokens = (t.microBatchSize * t.sequenceLength) / Math.max(1, p.context);
  const h = config.model.hiddenSize;
  const moe = config.model.moe;
  const a2aBuffers = moe && p.expert > 1 ? ((tokens / tp) * moe.expertsPerToken * h * 3) : 0; // FP8 in + BF16 out
  const ppBuffers = P > 1 ? (4 * tokens * h * 2) / tp : 0; // send and receive, both directions

  // ZeRO shards over the shard group (the whole DP group unless HSDP).
  const shardDense = (bytes: number, stage: number) => (zero >= stage ? bytes / shardGroups.dense : bytes);
  const shardExperts = (bytes: number, stage: number) => (zero >= stage ? bytes / shardGroups.experts : bytes);

  // Called per layout by the search: the loops below read the held stages in place (no per-rank arrays).
  let peakGiB = 0;
  const rankLanes = stagesOfRanks(p.schedule, P, p.virtualStages);
  for (let r = 0; r < P; r++) {
    const lanes = rankLanes[r];
    let held = 0;
    for (let i = 0; i < lanes.length; i++) if (lanes[i] < stages) held++;
    let dense = 0;
    let experts = 0;
    let fp8 = 0;
    let actPerChunk = 0;
    // The chunks in flight come from every stage the rank holds (DualPipe: both directions alike): use their mean.
    for (let i = 0; i < lanes.length; i++) if (lanes[i] < stages) actPerChunk += activations[lanes[i]] / held;
    let heldRaw = 0;
    let unit = 0;
    for (let i = 0; i < lanes.length; i++) {
      const s = lanes[i];
      if (s >= stages) continue;
      for (const u of params[s].unitKinds) unit = Math.max(unit, u.dense / tp + u.experts / expertShards);
      dense += params[s].dense / tp;
      experts += params[s].experts / expertShards;
      fp8 += params[s].fp8;
      heldRaw = heldRaw + params[s].dense + params[s].experts;
    }
    // FP8 copies: the dense share of FP8 weights is TP-sharded, the expert share EP-sharded; split proportionally.
    const totalParams = dense + experts;
    const fp8Local = heldRaw > 0 ? (fp8 / heldRaw) * totalParams : 0;
    const weightBytes = shardDense(dense * 2, 3) + shardExperts(experts * 2, 3) + fp8Local * fp8WeightBytes;
    const gradientBytes = shardDense(dense * gradBytes, 2) + shardExperts(experts * gradBytes, 2);
    const optimizer = shardDense(dense * optimizerBytes, 1) + shardExperts(experts * optimizerBytes, 1);
    const chunks = peakActivationChunksPerRank?.[r] ?? publishedPeakChunks(p.schedule, P, p.virtualStages, p.microBatches, r);
    const activationBytes = actPerChunk * chunks;
    // DP buckets: at ZeRO 0-1 Megatron-Core's buckets are views into the contiguous gradient buffer, counted under
    // gradients (NVIDIA/Megatron-LM megatron/core/distributed/param_and_grad_buffer.py, `_get(..., BufferType.GRAD)`).
    // ZeRO 2-3 are FSDP, whose unit is a layer (comm.ts `ddpBuckets`): two units' full gradients are in flight (one
    // reducing, one filling) and, at ZeRO 3, two units' gathered BF16 weights (the one running, the one prefetched);
    // the largest unit sets the peak. (torchtitan's root unit, embedding and head, is not counted.)
    const ddpBuckets = zero >= 2 ? 2 * unit * gradBytes + (zero >= 3 ? 2 * unit * 2 : 0) : 0;
    const buffers = a2aBuffers + ppBuffers + ddpBuckets + RESERVED_GIB * GIB;
    const totalGiB = (weightBytes + gradientBytes + optimizer + activationBytes + buffers) / GIB;
    peakGiB = Math.max(peakGiB, totalGiB);
    perStage?.push({
      rank: r,
      parametersGiB: weightBytes / GIB,
      gradientsGiB: gradientBytes / GIB,
      optimizerGiB: optimizer / GIB,
      activationsGiB: activationBytes / GIB,
      buffersGiB: buffers / GIB,
      totalGiB,
      peakActivationChunks: chunks,
    });
  }
  return peakGiB;
}
