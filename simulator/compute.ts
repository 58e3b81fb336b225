/**
 * Compute time of one layer (and of the boundary modules) for one micro-batch on one GPU.
 *
 * Efficiency model (all constants in constants.ts, per GPU family):
 * - GEMM: FLOPs / (peak for its precision × SM share × peak fraction × K/(K+K½) × wave utilisation), floored by the
 *   HBM time of its operands (small GEMMs are memory-bound). Routed experts of one GPU are costed as one grouped GEMM
 *   (one wave count over all local experts' tiles). Transformer Engine's GroupedLinear (Megatron-Core TEGroupedMLP)
 *   in fact launches one cuBLAS GEMM per expert, round-robin over 4 compute streams (NVIDIA/TransformerEngine
 *   common/util/multi_stream.cpp, common/gemm/cublaslt_gemm.cu); with at most 4 local experts the two quantise alike.
 * - FP8 with fine-grained (blockwise) scaling on GPUs without block-scaled MMA: partial sums are promoted to FP32 on
 *   CUDA cores every `accumulationInterval` elements, concurrently with the MMAs of the other warpgroup; the GEMM takes
 *   the longer of the two. Blackwell's MXFP8 scales in hardware and pays nothing.
 * - Attention core: FlashAttention FLOPs (backward 2.5× forward: it recomputes QKᵀ) at the family's attention fraction;
 *   unfused attention (attention_backend: unfused) runs QKᵀ and P·V as batched GEMMs over the full s × s square and
 *   writes, softmaxes, drops out and re-reads the scores in HBM.
 * - Elementwise work (norms, residuals, activation function, RoPE, FP8 quantisation, MoE permute/unpermute, router,
 *   loss): bytes at the HBM fraction of the GPU's bandwidth. Backward moves twice the forward bytes (reads saved input
 *   and gradient), except the MoE permutations: the gradient of a permute is the inverse permutation of the same
 *   copies, so it moves the forward's bytes once.
 */
import type { RecomputeModule, ResolvedConfig } from './config';
import {
  FAMILY_CONSTANTS,
  type FamilyConstants,
  LOGIT_BYTES,
  PROMOTION_FLOPS_PER_OUTPUT,
  MOE_DISPATCH_SYNC_SECONDS,
  SCALE_BYTES,
  UNFUSED_SCORE_BYTES,
  UNFUSED_LOGIT_BYTES,
} from './constants';
import {
  attentionInFp8,
  expertLoadImbalance,
  type Gemm,
  gemmInFp8,
  isGated,
  type LayerKind,
  type LayerShape,
  layerShape,
  unfusedAttention,
} from './model';

export interface ComputeContext {
  config: ResolvedConfig;
  family: FamilyConstants;
  /** Share of SMs left to compute kernels (1 − reserved for communication). */
  smShare: number;
  /** The multiplier on every tensor peak: the SM share compute kernels get × the sustained clock. */
  derate: number;
  /** Tokens of one micro-batch on one GPU after context parallelism: b·s/cp. */
  tokens: number;
}

export function computeContext(config: ResolvedConfig, smShare: number): ComputeContext {
  const t = config.training;
  const family = FAMILY_CONSTANTS[config.cluster.gpu.family] ?? FAMILY_CONSTANTS.hopper;
  return {
    config,
    family,
    smShare,
    derate: smShare * family.sustainedClockFraction,
    tokens: (t.microBatchSize * t.sequenceLength) / Math.max(1, config.parallelism.context),
  };
}

/** Seconds per phase: forward, input-gradient backward (b, including recomputation), weight-gradient backward (W). */
export interface Phases {
  F: number;
  b: number;
  W: number;
}

export const zeroPhases = (): Phases => ({ F: 0, b: 0, W: 0 });
export const addPhases = (a: Phases, b: Phases, k = 1): Phases => ({ F: a.F + k * b.F, b: a.b + k * b.b, W: a.W + k * b.W });

/** Where a layer's compute time goes, per phase. */
export interface ComputeBreakdown {
  gemm: Phases;
  attention: Phases;
  memoryBound: Phases;
  /** Of `b`: recomputation of forward work. */
  recompute: number;
  /** Hardware FLOPs (what the GPU executes, recomputation included) per phase. */
  flops: Phases;
}

export interface ModuleCompute extends ComputeBreakdown {
  seconds: Phases;
  /** Of `gemm`: the shared experts' GEMMs, the only work of a MoE layer that does not wait for the dispatch. */
  sharedExperts?: Phases;
  /** Of `gemm`: the routed experts' GEMMs, the work between a MoE layer's dispatch and its combine. */
  routedExperts?: Phases;
}

function total(parts: ComputeBreakdown): ModuleCompute {
  return { ...parts, seconds: addPhases(addPhases(parts.gemm, parts.attention), parts.memoryBound) };
}

const hbmSeconds = (ctx: ComputeContext, bytes: number) =>
  bytes / (ctx.config.cluster.gpu.hbmTBps * 1e12 * ctx.family.hbmFraction);

/** Whether FP8 partial sums are promoted on CUDA cores (fine-grained scaling without hardware block scaling). */
function promotes(ctx: ComputeContext): boolean {
  const fp8 = ctx.config.precision.fp8;
  if (!fp8) return false;
  if (fp8.scaling === 'blockwise') return true;
  return fp8.scaling === 'mxfp8' && !ctx.config.cluster.gpu.mxfp8;
}

/**
 * Seconds of `groups` identical GEMMs (m×k)·(k×n) run as one grouped launch. `reduction` is the K of this pass.
 */
export function gemmSeconds(ctx: ComputeContext, m: number, n: number, reduction: number, fp8: boolean, groups = 1): number {
  if (m <= 0 || n <= 0 || reduction <= 0 || groups <= 0) return 0;
  const gpu = ctx.config.cluster.gpu;
  const precision = fp8 ? 'fp8' : 'bf16';
  const peak = (fp8 ? (gpu.fp8Tflops ?? gpu.bf16Tflops) : gpu.bf16Tflops) * 1e12 * ctx.derate;
  const flops = 2 * m * n * reduction * groups;
  const { rows, cols } = ctx.family.gemmTile;
  const sms = Math.max(1, Math.floor(gpu.sms * ctx.smShare + 1e-9)); // whole SMs; the epsilon absorbs float error in (sms − n)/sms
  const tiles = groups * Math.ceil(m / rows) * Math.ceil(n / cols);
  const waves = Math.ceil(tiles / sms);
  const waveUtilisation = tiles / (waves * sms);
  const kFactor = reduction / (reduction + ctx.family.gemmHalfEfficiencyK[precision]);
  const fraction = fp8 && promotes(ctx) ? ctx.family.gemmPeakFraction.fp8Blockwise : ctx.family.gemmPeakFraction[precision];
  const tensor = flops / (peak * fraction * kFactor * waveUtilisation);
  const elementBytes = fp8 ? 1 : 2;
  const memory = hbmSeconds(ctx, groups * (m * reduction * elementBytes + reduction * n * elementBytes + m * n * 2));
  let seconds = Math.max(tensor, memory);
  if (fp8 && promotes(ctx)) {
    const interval = Math.max(1, ctx.config.precision.fp8?.accumulationInterval ?? 128);
    const promotion = (groups * m * n * Math.ceil(reduction / interval) * PROMOTION_FLOPS_PER_OUTPUT) / (ctx.family.cudaCoreFp32Tflops * 1e12 * ctx.derate);
    seconds = Math.max(seconds, promotion);
  }
  return seconds;
}

/** Forward, dgrad and wgrad of one weight matrix: (m×k)(k×n); dgrad reduces over n, wgrad over m. `margin`: SMs
 * an overlapped TP collective takes from each pass (`tpOverlapMargin`). */
function gemmPhases(ctx: ComputeContext, m: number, k: number, n: number, fp8: boolean, groups = 1, margin?: Phases): Phases {
  return {
    F: gemmSeconds(withoutSms(ctx, margin?.F ?? 0), m, n, k, fp8, groups),
    b: gemmSeconds(withoutSms(ctx, margin?.b ?? 0), m, k, n, fp8, groups),
    W: gemmSeconds(withoutSms(ctx, margin?.W ?? 0), k, n, m, fp8, groups),
  };
}

/** `ctx` with `sms` fewer SMs for the GEMM (Transformer Engine launches it on sm_count − num_comm_sm). */
function withoutSms(ctx: ComputeContext, sms: number): ComputeContext {
  if (sms <= 0) return ctx;
  const smShare = Math.max(1 / ctx.config.cluster.gpu.sms, ctx.smShare - sms / ctx.config.cluster.gpu.sms);
  return { ...ctx, smShare, derate: smShare * ctx.family.sustainedClockFraction };
}

/**
 * SMs the userbuffers collective overlapping `g` takes from each of its passes under `tp_comm_overlap`
 * (`parallelism.tp_comm_sm_margin`, TE ub_cfgs names; ring-exchange passes take none). Only the TP block's dense
 * GEMMs carry userbuffers: the fused QKV and output projections and the dense MLP; routed and shared experts
 * (GroupedLinear; their TP traffic is the dispatcher's) and MLA's low-rank projections have none.
 */
function tpOverlapMargin(config: ResolvedConfig, g: Gemm): Phases | undefined {
  const p = config.parallelism;
  if (!p.tpCommOverlap || p.tensor <= 1) return undefined;
  const m = p.tpCommSmMargin;
  if (g.name === 'qkv') return { F: 0, b: m.qkv_dgrad, W: m.qkv_wgrad };
  if (g.name === 'o') return { F: m.proj_fprop, b: 0, W: 0 };
  if (g.group !== 'mlp') return undefined;
  return rowParallel(g) ? { F: m.fc2_fprop, b: 0, W: 0 } : { F: 0, b: m.fc1_dgrad, W: m.fc1_wgrad };
}

const rowParallel = (g: Gemm) => g.name === 'o' || g.name.endsWith('_down');

/** Shape of `g` on one GPU for one micro-batch: rows (tokens), reduction, columns, grouped count. */
function localShape(ctx: ComputeContext, g: Gemm): { m: number; k: number; n: number; groups: number } {
  const p = ctx.config.parallelism;
  const tp = Math.max(1, p.tensor);
  const T = ctx.tokens;
  if (g.group === 'router') return { m: T / tp, k: g.inFeatures, n: g.outFeatures, groups: 1 };
  if (g.group === 'experts' && g.count > 1 && g.tokensPerToken < g.count) {
    // Routed experts: E/EP local experts; the EP group pools its GPUs' tokens (T/tp each after sequence parallelism),
    // k copies each, spread over E experts; expert-TP splits each expert's hidden size. The busiest GPU sets the pace.
    const ep = Math.max(1, p.expert);
    const etp = Math.max(1, p.expertTensor);
    const perExpert = ((T / tp) * g.tokensPerToken * ep * etp * expertLoadImbalance(ctx.config)) / g.count;
    const local = Math.max(1, g.count / ep);
    return rowParallel(g)
      ? { m: perExpert, k: g.inFeatures / etp, n: g.outFeatures, groups: local }
      : { m: perExpert, k: g.inFeatures, n: g.outFeatures / etp, groups: local };
  }
  // Dense and shared-expert matrices: all tokens, TP splits the output (column-parallel) or input (row-parallel).
  const width = g.group === 'experts' ? g.count : 1;
  return rowParallel(g)
    ? { m: T, k: (g.inFeatures * width) / tp, n: g.outFeatures, groups: 1 }
    : { m: T, k: g.inFeatures, n: (g.outFeatures * width) / tp, groups: 1 };
}

/**
 * Quantising one BF16 tensor for FP8 GEMMs: read 2 bytes, write the FP8 copy and, because Hopper's FP8 MMA takes only
 * the TN layout, a transposed FP8 copy for the other pass (Transformer Engine's cast_transpose; DeepSeek-V3 §3.5.2
 * asks hardware to drop that transpose), plus one FP32 scale per tile of each. Current (tensorwise) scaling reads the
 * tensor twice, once for its amax and once to cast (Transformer Engine docs, FP8 current scaling, "Performance
 * analysis"); delayed scaling takes the scale from the amax history and fuses the amax into the cast. TE's own H200
 * benchmark agrees (docs/examples/gemm_profiling, 5B model: current scaling's quantisation costs 3.5 ms per layer,
 * delayed's ≈2.2 ms, for the same 2.5G elements: ≈5 and ≈3 bytes per element at 70% of HBM bandwidth).
 */
function fp8CastBytes(ctx: ComputeContext, elements: number): number {
  const fp8 = ctx.config.precision.fp8;
  const amaxPass = fp8?.scaling === 'tensorwise' ? 2 : 0;
  return elements * (4 + amaxPass + (2 * SCALE_BYTES) / Math.max(1, fp8?.activationTile ?? 128));
}

/**
 * MoE permute/unpermute HBM traffic per source token, forward, BF16 (Megatron-Core token_dispatcher.py):
 * - alltoall: permute reads the token and writes k copies, unpermute reads k copies and writes one (4h(k+1)); with
 *   more than one local expert the received chunks are also sorted by expert and unsorted afterwards (read + write
 *   k copies, twice: 8hk);
 * - flex (DeepEP): the dispatch and combine kernels write each copy straight into its expert-major slot and read it
 *   back once (2h(k+1));
 * - allgather: every gathered token of the EP group is read to select the local experts' copies, and the outputs are
 *   scattered back into the gathered buffer before the reduce-scatter (2h(2·ep + 2k)).
 * The busiest expert GPU receives `expertLoadImbalance` × the mean.
 */
function permuteBytesPerToken(ctx: ComputeContext): number {
  const { model, parallelism: p } = ctx.config;
  const moe = model.moe;
  if (!moe || p.expert <= 1) return 0;
  const h = model.hiddenSize;
  const k = moe.expertsPerToken;
  const receive = expertLoadImbalance(ctx.config);
  switch (p.moeTokenDispatcher) {
    case 'flex':
      return 2 * h * (1 + k * receive);
    case 'allgather':
      return 2 * h * (2 * p.expert + 2 * k * receive);
    default:
      return 4 * h * (1 + k * receive) + (moe.routedExperts / p.expert > 1 ? 8 * h * k * receive : 0);
  }
}

/**
 * Forward elementwise bytes per token of a layer before TP sharding. Inside the TP region (RoPE, activation, casts)
 * each rank does 1/tp; the norms and residual adds outside it are split by sequence parallelism, and without it every
 * rank runs them on the whole sequence (Korthikanti et al. 2022, arXiv 2205.05198 §4.2.2): `replicated`.
 * `permutations`: the MoE permute/unpermute share of `all`, whose backward moves its bytes once (see layerCompute).
 */
function layerElementwiseBytes(
  ctx: ComputeContext,
  shape: LayerShape,
  kind: LayerKind,
): { all: number; norms: number; activation: number; replicated: number; backwardOnly: number; permutations: number } {
  const model = ctx.config.model;
  const h = model.hiddenSize;
  const norms = 2 * (4 * h); // two RMSNorms: read and write h BF16 values
  const residuals = 2 * (6 * h); // two adds: read two, write one
  const rope = 4 * (model.attention.heads * shape.qkDim + shape.kvCacheDim);
  const activation = (isGated(model) ? 6 : 4) * shape.activatedFfn;
  const moe = kind === 'moe' && model.moe ? permuteBytesPerToken(ctx) + 8 * model.moe.routedExperts : 0;
  // Forward: each FP8 GEMM's input is cast; backward: each one's output gradient too (for dgrad and wgrad).
  let quantise = 0;
  let gradientCasts = 0;
  for (const g of shape.gemms)
    if (gemmInFp8(ctx.config, g.group)) {
      quantise += fp8CastBytes(ctx, g.inFeatures * g.tokensPerToken);
      gradientCasts += fp8CastBytes(ctx, g.outFeatures * g.tokensPerToken);
    }
  const permutations = kind === 'moe' && model.moe ? permuteBytesPerToken(ctx) : 0;
  return { all: norms + residuals + rope + activation + moe + quantise, norms, activation, replicated: norms + residuals, backwardOnly: gradientCasts, permutations };
}

/** One transformer layer of `kind` for one micro-batch on one GPU. */
export function layerCompute(ctx: ComputeContext, kind: LayerKind): ModuleCompute {
  const config = ctx.config;
  const tp = Math.max(1, config.parallelism.tensor);
  const shape = layerShape(config.model, kind, config.training.sequenceLength);
  const gemm = zeroPhases();
  const flops = zeroPhases();
  const sharedExperts = zeroPhases();
  const routedExperts = zeroPhases();
  let recomputeGemm = 0;
  let recomputeFlops = 0;
  const modules = new Set(config.training.recompute === 'selective' ? config.training.recomputeModules : []);
  // The GEMMs selective recompute re-runs: MLA up-projections, or the whole dense MLP / MoE experts / shared experts.
  const rerun = (g: (typeof shape.gemms)[number]) =>
    (modules.has('mla_up_proj') && g.selectiveRecompute) ||
    (modules.has('mlp') && g.group === 'mlp') ||
    (modules.has('moe') && g.group === 'experts') ||
    (modules.has('shared_experts') && g.name.startsWith('shared'));
  for (const g of shape.gemms) {
    const { m, k, n, groups } = localShape(ctx, g);
    const t = gemmPhases(ctx, m, k, n, gemmInFp8(config, g.group), groups, tpOverlapMargin(config, g));
    Object.assign(gemm, addPhases(gemm, t));
    if (g.name.startsWith('shared')) Object.assign(sharedExperts, addPhases(sharedExperts, t));
    else if (g.group === 'experts') Object.assign(routedExperts, addPhases(routedExperts, t));
    const f = 2 * m * k * n * groups;
    Object.assign(flops, addPhases(flops, { F: f, b: f, W: f }));
    if (rerun(g)) {
      recomputeGemm += t.F;
      recomputeFlops += f;
    }
  }
  // Attention core: heads split by TP, tokens by CP (load-balanced causal).
  const gpu = config.cluster.gpu;
  const attnPeak = (attentionInFp8(config) ? (gpu.fp8Tflops ?? gpu.bf16Tflops) : gpu.bf16Tflops) * 1e12 * ctx.derate;
  const unfused = unfusedAttention(config);
  // Unfused attention computes the whole s × s square (twice the causal FLOPs); FlashAttention skips the masked half.
  const attnFlops = ((unfused ? 2 : 1) * ctx.tokens * shape.attentionCoreFlopsPerToken) / tp;
  const attention: Phases = unfused
    ? unfusedAttentionPhases(ctx, shape)
    : {
        F: attnFlops / (attnPeak * ctx.family.attentionPeakFraction.forward),
        b: (2.5 * attnFlops) / (attnPeak * ctx.family.attentionPeakFraction.backward),
        W: 0,
      };
  const bytes = layerElementwiseBytes(ctx, shape, kind);
  const replicatedShare = config.parallelism.sequenceParallel ? 0 : (tp - 1) * bytes.replicated; // ×tp without SP
  const fwdBytes = (ctx.tokens * (bytes.all + replicatedShare)) / tp;
  // The gradient of a permutation is the inverse permutation of the same copies: permute's backward is an unpermute
  // (read k gradient copies, write one) and unpermute's a permute (Transformer Engine moe_permute / moe_unpermute and
  // Megatron-Core's permute/unpermute are each other's autograd backward; since Megatron-Core applies the routing
  // probabilities in the experts' activation, the unpermute carries none), so those bytes move once, not twice.
  const permutationBytes = (ctx.tokens * bytes.permutations) / tp;
  const memoryBound: Phases = { F: hbmSeconds(ctx, fwdBytes), b: hbmSeconds(ctx, 2 * fwdBytes - permutationBytes + (ctx.tokens * bytes.backwardOnly) / tp), W: 0 };
  // The dispatchers that size their buffers on the host (alltoall, flex) wait for the token counts once per dispatch.
  if (kind === 'moe' && config.model.moe && config.parallelism.expert > 1 && config.parallelism.moeTokenDispatcher !== 'allgather') {
    memoryBound.F += MOE_DISPATCH_SYNC_SECONDS;
    memoryBound.b += MOE_DISPATCH_SYNC_SECONDS;
  }

  // Recomputation re-runs forward work inside the input-gradient phase: everything (full), or the norms and the
  // GEMMs a recipe marks (selective; FlashAttention already recomputes its scores, unfused attention's core is
  // re-run, as Megatron's selective recompute does: Korthikanti et al. 2022).
  let recompute = 0;
  let recomputeFlopsTotal = 0;
  if (config.training.recompute === 'full') {
    recompute = gemm.F + attention.F + memoryBound.F;
    gemm.b += gemm.F;
    attention.b += attention.F;
    memoryBound.b += memoryBound.F;
    recomputeFlopsTotal = flops.F + attnFlops;
  } else if (config.training.recompute === 'selective') {
    const normShare = config.parallelism.sequenceParallel ? 1 : tp;
    const norms = modules.has('layernorm') ? hbmSeconds(ctx, (ctx.tokens * bytes.norms * normShare) / tp) : 0;
    const core = unfused && modules.has('core_attn') ? attention.F : 0;
    // The activation function re-run from its saved input (moe_act / mlp_act, or inside a recomputed mlp / moe).
    const actModules: RecomputeModule[] = kind === 'moe' ? ['moe_act', 'moe'] : ['mlp_act', 'mlp'];
    const act = actModules.some((x) => modules.has(x)) ? hbmSeconds(ctx, (ctx.tokens * bytes.activation) / tp) : 0;
    recompute = recomputeGemm + norms + core + act;
    gemm.b += recomputeGemm;
    memoryBound.b += norms + act;
    attention.b += core;
    recomputeFlopsTotal = recomputeFlops + (core > 0 ? attnFlops : 0);
  }
  flops.b += 2.5 * attnFlops + recomputeFlopsTotal;
  flops.F += attnFlops;
  return { ...total({ gemm, attention, memoryBound, recompute, flops }), sharedExperts, routedExperts };
}

/**
 * Unfused attention of one layer (Megatron-LM's CoreAttention before FlashAttention): per sequence and local head,
 * QKᵀ and P·V as batched GEMMs over the full s × s square, and the scores written by the GEMM, softmaxed and dropped
 * out through HBM (UNFUSED_SCORE_BYTES per score). Backward: the four GEMMs of the two products' gradients and the
 * dropout and softmax backward passes.
 */
function unfusedAttentionPhases(ctx: ComputeContext, shape: LayerShape): Phases {
  const config = ctx.config;
  const tp = Math.max(1, config.parallelism.tensor);
  const s = config.training.sequenceLength / Math.max(1, config.parallelism.context);
  const sequences = ctx.tokens / Math.max(1, s);
  const groups = (sequences * config.model.attention.heads) / tp;
  const qk = shape.qkDim;
  const v = shape.vDim;
  const scores = groups * s * s;
  const forward = gemmSeconds(ctx, s, s, qk, false, groups) + gemmSeconds(ctx, s, v, s, false, groups) + hbmSeconds(ctx, scores * UNFUSED_SCORE_BYTES.forward);
  const backward =
    gemmSeconds(ctx, s, s, v, false, groups) + // dP = dO·Vᵀ
    gemmSeconds(ctx, s, v, s, false, groups) + // dV = Pᵀ·dO
    gemmSeconds(ctx, s, qk, s, false, groups) + // dQ = dS·K
    gemmSeconds(ctx, s, qk, s, false, groups) + // dK = dSᵀ·Q
    hbmSeconds(ctx, scores * UNFUSED_SCORE_BYTES.backward);
  return { F: forward, b: backward, W: 0 };
}

/** Input embedding: a gather forward, a scatter-add into the FP32 gradient in backward. Memory-bound. */
export function embeddingCompute(ctx: ComputeContext): ModuleCompute {
  const h = ctx.config.model.hiddenSize;
  const tp = Math.max(1, ctx.config.parallelism.tensor);
  const memoryBound: Phases = { F: hbmSeconds(ctx, (ctx.tokens * h * 4) / tp), b: 0, W: hbmSeconds(ctx, (ctx.tokens * h * 8) / tp) };
  return total({ gemm: zeroPhases(), attention: zeroPhases(), memoryBound, recompute: 0, flops: zeroPhases() });
}

/**
 * Output head (V/tp columns per GPU) and the softmax cross-entropy over its logits: one fused pass
 * (`cross_entropy_loss_fusion`), or Megatron's FP32 elementwise passes (UNFUSED_LOGIT_BYTES).
 */
export function headCompute(ctx: ComputeContext): ModuleCompute {
  const { model, parallelism } = ctx.config;
  const tp = Math.max(1, parallelism.tensor);
  const vocab = model.vocabSize / tp;
  const gemm = gemmPhases(ctx, ctx.tokens, model.hiddenSize, vocab, gemmInFp8(ctx.config, 'head'));
  const logits = ctx.tokens * vocab;
  const bytes = ctx.config.training.crossEntropyLossFusion ? { forward: (LOGIT_BYTES * 2) / 3, backward: LOGIT_BYTES / 3 } : UNFUSED_LOGIT_BYTES;
  const memoryBound: Phases = { F: hbmSeconds(ctx, logits * bytes.forward), b: hbmSeconds(ctx, logits * bytes.backward), W: 0 };
  const f = 2 * ctx.tokens * model.hiddenSize * vocab;
  return total({ gemm, attention: zeroPhases(), memoryBound, recompute: 0, flops: { F: f, b: f, W: f } });
}

/** One MTP module (DeepSeek-V3 §2.2): two RMSNorms, a 2h→h projection, one block, the shared head and its loss. */
export function mtpCompute(ctx: ComputeContext, block: ModuleCompute, head: ModuleCompute): ModuleCompute {
  const h = ctx.config.model.hiddenSize;
  const tp = Math.max(1, ctx.config.parallelism.tensor);
  const proj = gemmPhases(ctx, ctx.tokens, 2 * h, h / tp, gemmInFp8(ctx.config, 'mtp'));
  const norms = (ctx.tokens * 2 * 4 * h) / tp;
  const f = 2 * ctx.tokens * 2 * h * (h / tp);
  const own: ComputeBreakdown = {
    gemm: proj,
    attention: zeroPhases(),
    memoryBound: { F: hbmSeconds(ctx, norms), b: hbmSeconds(ctx, 2 * norms), W: 0 },
    recompute: 0,
    flops: { F: f, b: f, W: f },
  };
  return sumModules([total(own), block, head]);
}

export function sumModules(parts: ModuleCompute[], weights?: number[]): ModuleCompute {
  const out: ModuleCompute = {
    gemm: zeroPhases(),
    attention: zeroPhases(),
    memoryBound: zeroPhases(),
    recompute: 0,
    flops: zeroPhases(),
    seconds: zeroPhases(),
  };
  parts.forEach((p, i) => {
    const k = weights?.[i] ?? 1;
    out.gemm = addPhases(out.gemm, p.gemm, k);
    out.attention = addPhases(out.attention, p.attention, k);
    out.memoryBound = addPhases(out.memoryBound, p.memoryBound, k);
    out.recompute += k * p.recompute;
    out.flops = addPhases(out.flops, p.flops, k);
    out.seconds = addPhases(out.seconds, p.seconds, k);
    if (p.sharedExperts) out.sharedExperts = addPhases(out.sharedExperts ?? zeroPhases(), p.sharedExperts, k);
    if (p.routedExperts) out.routedExperts = addPhases(out.routedExperts ?? zeroPhases(), p.routedExperts, k);
  });
  return out;
}
