/**
 * The model's arithmetic: parameters and the GEMMs of each layer type, per token. Pure counting; no hardware here.
 * FLOPs of a GEMM are 2·in·out per token (one multiply-add per weight); attention's score and value products are
 * counted separately (they have no weights) and causally: a token at position i attends to i keys, s/2 on average.
 */
import type { HighPrecisionModule, ResolvedConfig, ResolvedModel } from './config';
import type { BoundaryLoad } from './splitLayers';

/** Which part of a layer a GEMM belongs to; decides its precision (`high_precision`) and its breakdown line. */
export type GemmGroup = 'attention' | 'mlp' | 'experts' | 'router' | 'head' | 'mtp';

/** One weight matrix (or `count` identical ones) and how many copies of each token pass through it. */
export interface Gemm {
  name: string;
  group: GemmGroup;
  inFeatures: number;
  outFeatures: number;
  /** Identical matrices (routed experts: E). */
  count: number;
  /** Token copies through the group per token (routed experts: top-k; else 1). */
  tokensPerToken: number;
  /** Recomputed in backward under selective recompute (DeepSeek-V3: MLA up-projections). */
  selectiveRecompute?: boolean;
}

export type LayerKind = 'dense' | 'moe';

export interface LayerShape {
  gemms: Gemm[];
  /** Attention core FLOPs per token, forward, causal: s·heads·(d_qk + d_v). */
  attentionCoreFlopsPerToken: number;
  /** Norm weights (RMSNorm gains), parameters. */
  normParameters: number;
  /** Dims the memory-bound and activation estimates need. */
  qkDim: number;
  vDim: number;
  kvCacheDim: number;
  ffnHidden: number;
  /** FFN hidden rows the activation function sees per token (dense: f; MoE: (k + shared)·f_e). */
  activatedFfn: number;
}

export const isGated = (model: ResolvedModel) => model.activation === 'swiglu' || model.activation === 'geglu';

function attentionGemms(model: ResolvedModel): { gemms: Gemm[]; qk: number; v: number; kv: number; norms: number } {
  const h = model.hiddenSize;
  const a = model.attention;
  if (a.type === 'mla') {
    const nope = a.qkNopeHeadDim ?? 128;
    const rope = a.qkRopeHeadDim ?? 64;
    const vDim = a.vHeadDim ?? 128;
    const kvRank = a.kvLoraRank ?? 512;
    const qk = nope + rope;
    const gemms: Gemm[] = [];
    if (a.qLoraRank) {
      gemms.push({ name: 'q_a', group: 'attention', inFeatures: h, outFeatures: a.qLoraRank, count: 1, tokensPerToken: 1 });
      gemms.push({ name: 'q_b', group: 'attention', inFeatures: a.qLoraRank, outFeatures: a.heads * qk, count: 1, tokensPerToken: 1, selectiveRecompute: true });
    } else {
      gemms.push({ name: 'q', group: 'attention', inFeatures: h, outFeatures: a.heads * qk, count: 1, tokensPerToken: 1 });
    }
    gemms.push({ name: 'kv_a', group: 'attention', inFeatures: h, outFeatures: kvRank + rope, count: 1, tokensPerToken: 1 });
    gemms.push({ name: 'kv_b', group: 'attention', inFeatures: kvRank, outFeatures: a.heads * (nope + vDim), count: 1, tokensPerToken: 1, selectiveRecompute: true });
    gemms.push({ name: 'o', group: 'attention', inFeatures: a.heads * vDim, outFeatures: h, count: 1, tokensPerToken: 1 });
    return { gemms, qk, v: vDim, kv: kvRank + rope, norms: (a.qLoraRank ?? 0) + kvRank };
  }
  const d = a.headDim;
  return {
    gemms: [
      { name: 'qkv', group: 'attention', inFeatures: h, outFeatures: (a.heads + 2 * a.kvHeads) * d, count: 1, tokensPerToken: 1 },
      { name: 'o', group: 'attention', inFeatures: a.heads * d, outFeatures: h, count: 1, tokensPerToken: 1 },
    ],
    qk: d,
    v: d,
    kv: 2 * a.kvHeads * d,
    norms: 0,
  };
}

function ffnGemms(model: ResolvedModel, hidden: number, group: 'mlp' | 'experts', count: number, tokensPerToken: number, name: string): Gemm[] {
  const h = model.hiddenSize;
  return [
    { name: `${name}_up`, group, inFeatures: h, outFeatures: (isGated(model) ? 2 : 1) * hidden, count, tokensPerToken },
    { name: `${name}_down`, group, inFeatures: hidden, outFeatures: h, count, tokensPerToken },
  ];
}

/**
 * Layer shapes and parameter counts read the model alone, and one simulate asks for them a dozen times (a layout
 * search, for thousands of configs sharing one model object): kept per model object, frozen. A resolved model is
 * never changed in place (a changed config is a new object), so an entry never goes stale; the WeakMaps let it go
 * with its model.
 */
const shapeCache = new WeakMap<ResolvedModel, { dense: Map<number, LayerShape>; moe: Map<number, LayerShape> }>();
const parameterCache = new WeakMap<ResolvedModel, ParameterCount>();

/** The GEMMs and shapes of one transformer layer of the given kind. */
export function layerShape(model: ResolvedModel, kind: LayerKind, sequenceLength: number): LayerShape {
  let shapes = shapeCache.get(model);
  if (!shapes) shapeCache.set(model, (shapes = { dense: new Map(), moe: new Map() }));
  let shape = shapes[kind].get(sequenceLength);
  if (!shape) {
    shape = buildLayerShape(model, kind, sequenceLength);
    shape.gemms.forEach((g) => Object.freeze(g));
    Object.freeze(shape.gemms);
    shapes[kind].set(sequenceLength, Object.freeze(shape));
  }
  return shape;
}

function buildLayerShape(model: ResolvedModel, kind: LayerKind, sequenceLength: number): LayerShape {
  const h = model.hiddenSize;
  const att = attentionGemms(model);
  const gemms = [...att.gemms];
  const moe = model.moe;
  let activatedFfn = model.ffnHiddenSize;
  if (kind === 'moe' && moe) {
    gemms.push({ name: 'router', group: 'router', inFeatures: h, outFeatures: moe.routedExperts, count: 1, tokensPerToken: 1 });
    if (moe.sharedExperts > 0) gemms.push(...ffnGemms(model, moe.expertHiddenSize, 'experts', moe.sharedExperts, moe.sharedExperts, 'shared'));
    gemms.push(...ffnGemms(model, moe.expertHiddenSize, 'experts', moe.routedExperts, moe.expertsPerToken, 'routed'));
    activatedFfn = (moe.expertsPerToken + moe.sharedExperts) * moe.expertHiddenSize;
  } else {
    gemms.push(...ffnGemms(model, model.ffnHiddenSize, 'mlp', 1, 1, 'ffn'));
  }
  return {
    gemms,
    attentionCoreFlopsPerToken: sequenceLength * model.attention.heads * (att.qk + att.v),
    normParameters: 2 * h + att.norms,
    qkDim: att.qk,
    vDim: att.v,
    kvCacheDim: att.kv,
    ffnHidden: kind === 'moe' && moe ? moe.expertHiddenSize : model.ffnHiddenSize,
    activatedFfn,
  };
}

/**
 * Tokens on the busiest expert GPU over the mean, per micro-batch: 1 under forced balance, else the config's measured
 * (or default) dropless imbalance. The all-to-all synchronises the EP group, so the busiest GPU sets the pace of the
 * expert GEMMs, the dispatch/combine and the permutation alike.
 */
export function expertLoadImbalance(config: ResolvedConfig): number {
  const moe = config.model.moe;
  if (!moe || moe.forceLoadBalancing) return 1;
  return Number.isFinite(moe.loadImbalance) && moe.loadImbalance >= 1 ? moe.loadImbalance : 1;
}

/** Whether the attention kernel writes the s × s scores to memory (Megatron's unfused path). */
export const unfusedAttention = (config: ResolvedConfig) => config.training.attentionBackend === 'unfused';

export const gemmParameters = (g: Gemm) => g.inFeatures * g.outFeatures * g.count;
/** Weights a token touches: routed experts count k of E. */
export const gemmActiveParameters = (g: Gemm) => g.inFeatures * g.outFeatures * g.tokensPerToken;
/** Forward FLOPs per token. */
export const gemmFlopsPerToken = (g: Gemm) => 2 * gemmActiveParameters(g);

export interface LayerParameters {
  total: number;
  active: number;
  /** Of total: routed expert weights (sharded by EP; shared experts are replicated like dense weights). */
  experts: number;
}

function layerParameters(shape: LayerShape): LayerParameters {
  let total = shape.normParameters;
  let active = shape.normParameters;
  let experts = 0;
  for (const g of shape.gemms) {
    total += gemmParameters(g);
    active += gemmActiveParameters(g);
    if (g.group === 'experts' && g.count > 1 && g.name.startsWith('routed')) experts += gemmParameters(g);
  }
  return { total, active, experts };
}

export interface ParameterCount {
  /** Main model (without MTP), as DeepSeek-V3 counts its 671B. */
  total: number;
  /** Parameters a token touches in the main model, embedding included (DeepSeek's 37B, Llama's 405B). */
  active: number;
  embedding: number;
  /** 0 when tied to the embedding. */
  head: number;
  /** MTP modules' own weights (projection, norms, one block per depth); embedding and head are shared in training. */
  mtp: number;
  /** As the released checkpoint counts MTP: own weights plus its copy of the embedding and head (DeepSeek: ≈14B). */
  mtpCheckpoint: number;
  perLayer: { dense: LayerParameters; moe?: LayerParameters };
  denseLayers: number;
  moeLayers: number;
}

export function layerCounts(model: ResolvedModel): { dense: number; moe: number } {
  if (!model.moe) return { dense: model.layers, moe: 0 };
  const dense = Math.min(model.layers, Math.max(0, model.moe.denseLayers));
  return { dense, moe: model.layers - dense };
}

/** Kind of layer `index` (0-based): the leading `denseLayers` are dense, the rest MoE. */
export const layerKind = (model: ResolvedModel, index: number): LayerKind =>
  model.moe && index >= Math.max(0, model.moe.denseLayers) ? 'moe' : 'dense';

/** Kind of the MTP block: the same as the model's last layer. */
export const mtpKind = (model: ResolvedModel): LayerKind => layerKind(model, model.layers - 1);

export function countParameters(model: ResolvedModel): ParameterCount {
  let count = parameterCache.get(model);
  if (!count) {
    count = buildParameterCount(model);
    Object.freeze(count.perLayer);
    parameterCache.set(model, Object.freeze(count));
  }
  return count;
}

function buildParameterCount(model: ResolvedModel): ParameterCount {
  const h = model.hiddenSize;
  const counts = layerCounts(model);
  const dense = layerParameters(layerShape(model, 'dense', 1));
  const moe = model.moe ? layerParameters(layerShape(model, 'moe', 1)) : undefined;
  const embedding = model.vocabSize * h;
  const head = model.tiedEmbeddings ? 0 : model.vocabSize * h;
  const finalNorm = h;
  const layersTotal = counts.dense * dense.total + counts.moe * (moe?.total ?? 0);
  const layersActive = counts.dense * dense.active + counts.moe * (moe?.active ?? 0);
  // DeepSeek-V3 MTP module: RMSNorm of the hidden state and of the next token's embedding, a 2h→h projection, a block.
  const block = mtpKind(model) === 'moe' && moe ? moe : dense;
  const mtp = model.mtpDepth * (2 * h + 2 * h * h + block.total + finalNorm);
  return {
    total: layersTotal + embedding + head + finalNorm,
    active: layersActive + embedding + (model.tiedEmbeddings ? embedding : head) + finalNorm,
    embedding,
    head,
    mtp,
    mtpCheckpoint: mtp + model.mtpDepth * (embedding + (model.tiedEmbeddings ? embedding : head)),
    perLayer: { dense, moe },
    denseLayers: counts.dense,
    moeLayers: counts.moe,
  };
}

/**
 * Training work per token of one layer (forward + both backward GEMMs + attention fwd/bwd), in BF16-FLOP equivalents:
 * FP8 GEMMs count half (twice the peak), so the stage split balances time, not raw FLOPs.
 */
function layerTrainingWork(config: ResolvedConfig, shape: LayerShape): number {
  const gemm = shape.gemms.reduce((s, g) => s + gemmFlopsPerToken(g) / (gemmInFp8(config, g.group) ? 2 : 1), 0);
  return 3 * gemm + (3 * shape.attentionCoreFlopsPerToken) / (attentionInFp8(config) ? 2 : 1);
}

/**
 * Extra load of the first stage (embedding) and last stage (output head, loss and MTP modules) in layer-equivalents
 * of training work (as above), for `splitLayers`. The embedding is a lookup (≈0); the head is a V×h GEMM.
 */
export function boundaryLayerEquivalents(config: ResolvedConfig): BoundaryLoad {
  const model = config.model;
  const s = config.training.sequenceLength;
  const counts = layerCounts(model);
  const denseWork = layerTrainingWork(config, layerShape(model, 'dense', s));
  const moeWork = counts.moe > 0 ? layerTrainingWork(config, layerShape(model, 'moe', s)) : 0;
  const mean = (counts.dense * denseWork + counts.moe * moeWork) / Math.max(1, model.layers);
  if (!(mean > 0)) return { first: 0, last: 0 };
  const h = model.hiddenSize;
  const headWork = (3 * 2 * h * model.vocabSize) / (gemmInFp8(config, 'head') ? 2 : 1);
  const mtpBlock = mtpKind(model) === 'moe' ? moeWork : denseWork;
  const mtpWork = model.mtpDepth * (mtpBlock + (3 * 2 * 2 * h * h) / (gemmInFp8(config, 'mtp') ? 2 : 1) + headWork);
  return { first: 0, last: (headWork + mtpWork) / mean };
}

/**
 * Model FLOPs per token for MFU: 6·N_active (main model, as published) plus causal attention (3× its forward).
 * MTP and recomputation are hardware work, not model FLOPs.
 */
export function modelFlopsPerToken(config: ResolvedConfig): { total: number; dense: number; attention: number } {
  const model = config.model;
  const s = config.training.sequenceLength;
  const counts = layerCounts(model);
  const params = countParameters(model);
  const attn = (kind: LayerKind) => layerShape(model, kind, s).attentionCoreFlopsPerToken;
  const attention = 3 * (counts.dense * attn('dense') + (counts.moe > 0 ? counts.moe * attn('moe') : 0));
  // The embedding is a lookup, but the published 6·N convention keeps it in N (Llama 3: 3.8e25 ≈ 6·405e9·15.6e12).
  const dense = 6 * params.active;
  return { total: dense + attention, dense, attention };
}

/** Whether a recipe runs `group`'s GEMMs in FP8. Attention projections follow `attention` only for the core op. */
export function gemmInFp8(config: ResolvedConfig, group: GemmGroup): boolean {
  const p = config.precision;
  if (p.compute !== 'fp8' || !config.cluster.gpu.fp8Tflops) return false;
  // A short list, read per GEMM by every memory estimate: searched in place, no Set built per call.
  const keep: readonly HighPrecisionModule[] = p.fp8?.highPrecision ?? [];
  switch (group) {
    case 'head':
      return !keep.includes('output_head');
    case 'router':
      return !keep.includes('router');
    case 'mlp':
      return !keep.includes('mlp');
    case 'experts':
      return !keep.includes('experts');
    case 'attention': // the projections are Linear layers (FP8 in DeepSeek-V3's Fig. 6); `attention` keeps the core op
    case 'mtp':
      return true;
  }
}

/** Whether the attention core (QKᵀ, softmax, ·V) runs in FP8 (FlashAttention-3 FP8); DeepSeek keeps it in BF16. */
export function attentionInFp8(config: ResolvedConfig): boolean {
  const p = config.precision;
  return p.compute === 'fp8' && !!config.cluster.gpu.fp8Tflops && !(p.fp8?.highPrecision ?? []).includes('attention');
}
