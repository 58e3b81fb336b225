/**
 * Per-stage costs of one micro-batch: compute per phase (F, b, W) and communication per kind, computed once per
 * simulation (layer kinds are costed once and multiplied), so per-op durations are array lookups.
 */
import type { ResolvedConfig } from './config';
import { dispatchShare, moeLayerTpShare, expertAllToAll, noTransfer, pipelineTransfer, scaleTransfer, tensorParallelLayer, contextParallelLayer, type Transfer, addTransfers } from './comm';
import { computeContext, embeddingCompute, headCompute, layerCompute, type ModuleCompute, mtpCompute, type Phases, sumModules } from './compute';
import { COMM_SM_FRACTION_WHEN_OVERLAPPED } from './constants';
import { layerShape, mtpKind } from './model';
import { scheduleSpec } from './schedules/registry';
import { type StageLayers, stageLayers } from './stages';

/** Communication of one stage for one micro-batch, forward and backward (W has none). */
export interface StageComm {
  F: Transfer;
  B: Transfer;
}

export interface StageCost {
  compute: ModuleCompute;
  tp: StageComm;
  ep: StageComm;
  cp: StageComm;
  /** Seconds of CP traffic left after hiding under the attention core, per phase. */
  cpExposed: { F: number; B: number };
  /** Seconds of TP traffic left exposed, per phase (all of it unless `tp_comm_overlap`). */
  tpExposed: { F: number; B: number };
  /**
   * Compute an unpaired op can hide its EP all-to-all under (`overlap_expert_comm`), per phase: only the shared
   * experts', which need neither the dispatch nor the combine (DeepSeek-V2 §3.1 overlaps exactly that; Megatron-Core's
   * --moe-shared-expert-overlap). Attention comes before the dispatch and the routed experts wait for it.
   */
  epHideable: Phases;
  /**
   * The routed experts' compute, per phase: what sits between a MoE layer's dispatch and its combine, so what a
   * paired op hides the other chunk's dispatch (or combine) under (see `pairedSeconds` in simulate.ts).
   */
  routed: Phases;
}

export interface CostModel {
  stages: StageCost[];
  /** The layers each stage holds (dense and MoE). */
  stageLayers: StageLayers;
  /** Whether EP all-to-all runs concurrently with compute (DualPipe pairs or `overlapExpertComm`). */
  expertCommOverlapped: boolean;
  /** Share of SMs compute kernels get. */
  smShare: number;
  /** One PP send of one micro-batch's activation or gradient. */
  pipelineTransfer: Transfer;
  /** Share of EP seconds in the dispatch direction (comm.ts `dispatchShare`). */
  dispatchShare: number;
  /** Per-layer pieces, for breakdowns and the layout search's bounds. */
  modules: { dense: ModuleCompute; moe?: ModuleCompute; embedding: ModuleCompute; head: ModuleCompute; mtp?: ModuleCompute };
}


/** The per-layer compute of each module kind, and the SM share it runs with: what stages are composed of (and what
 * the layout search composes its bounds from, without splitting layers or costing communication). */
export function costModules(config: ResolvedConfig): Pick<CostModel, 'modules' | 'expertCommOverlapped' | 'smShare'> & { tokens: number } {
  const p = config.parallelism;
  const moeModel = !!config.model.moe && p.expert > 1;
  const expertCommOverlapped = moeModel && (scheduleSpec(p.schedule).pairsChunks || p.overlapExpertComm);
  const smShare = expertCommOverlapped ? 1 - COMM_SM_FRACTION_WHEN_OVERLAPPED : 1;
  const ctx = computeContext(config, smShare);
  const dense = layerCompute(ctx, 'dense');
  const moe = config.model.moe ? layerCompute(ctx, 'moe') : undefined;
  const embedding = embeddingCompute(ctx);
  const head = headCompute(ctx);
  const mtpBlock = mtpKind(config.model) === 'moe' && moe ? moe : dense;
  const mtp = config.model.mtpDepth > 0 ? mtpCompute(ctx, mtpBlock, head) : undefined;
  return { modules: { dense, moe, embedding, head, mtp }, expertCommOverlapped, smShare, tokens: ctx.tokens };
}

export function buildCostModel(config: ResolvedConfig, stages: number): CostModel {
  const p = config.parallelism;
  const { modules, expertCommOverlapped, smShare, tokens } = costModules(config);
  const { dense, moe, embedding, head, mtp } = modules;
  const split = stageLayers(config, stages);
  // Full recompute with method block re-runs only the first recompute_layers layers of each stage; the others are
  // costed as without recompute.
  const t = config.training;
  const block = t.recompute === 'full' && t.recomputeMethod === 'block';
  const keptCtx = block ? computeContext({ ...config, training: { ...t, recompute: 'none' } }, smShare) : undefined;
  const keptDense = keptCtx ? layerCompute(keptCtx, 'dense') : dense;
  const keptMoe = keptCtx && config.model.moe ? layerCompute(keptCtx, 'moe') : moe;
  const recomputedIn = (d: number, m: number) => {
    if (!block) return { d, m };
    const group = Math.max(1, Math.floor(t.recomputeLayers));
    const rd = Math.min(group, d);
    return { d: rd, m: Math.min(group - rd, m) };
  };

  const tp = Math.max(1, p.tensor);
  // Sequence parallelism turns each TP all-reduce into a reduce-scatter plus an all-gather: the same bytes on the
  // ring (Korthikanti et al. 2022 §4.2.2), so the TP transfer does not depend on it.
  const tpRaw = tensorParallelLayer(config, tokens);
  const moeTpSaved = 1 - moeLayerTpShare(config);
  const tpLayer = recomputed(config, tpRaw);
  const epRaw = config.model.moe ? expertAllToAll(config, tokens / tp) : { forward: noTransfer, backward: noTransfer };
  const epLayer = recomputed(config, epRaw, config.training.recompute === 'selective' && config.training.recomputeModules.includes('moe'));
  const seq = config.training.sequenceLength;
  const cpRaw = (kind: 'dense' | 'moe') => contextParallelLayer(config, tokens, layerShape(config.model, kind, seq).kvCacheDim / tp);
  const cpDenseRaw = cpRaw('dense');
  const cpMoeRaw = config.model.moe ? cpRaw('moe') : cpDenseRaw;
  const cpDense = recomputed(config, cpDenseRaw);
  const cpMoe = recomputed(config, cpMoeRaw);

  const costs: StageCost[] = split.dense.map((d, s) => {
    const m = split.moe[s];
    const last = s === stages - 1;
    const mtpLayers = last ? config.model.mtpDepth : 0;
    const mtpMoe = mtpKind(config.model) === 'moe' ? mtpLayers : 0;
    const r = recomputedIn(d, m);
    const parts: ModuleCompute[] = [dense, keptDense];
    const weights = [r.d, d - r.d];
    if (moe && keptMoe) {
      parts.push(moe, keptMoe);
      weights.push(r.m, m - r.m);
    }
    if (s === 0) {
      parts.push(embedding);
      weights.push(1);
    }
    if (last) {
      parts.push(head);
      weights.push(1);
      if (mtp) {
        parts.push(mtp);
        weights.push(config.model.mtpDepth);
      }
    }
    const compute = sumModules(parts, weights);
    const layers = d + m + mtpLayers;
    const moeLayers = m + mtpMoe;
    const kept = d + m - r.d - r.m; // layers block recompute leaves alone (none otherwise)
    const keptDenseLayers = d - r.d;
    const cpF = addTransfers(scaleTransfer(cpDense.forward, d + mtpLayers - mtpMoe), scaleTransfer(cpMoe.forward, moeLayers));
    const cpB = addTransfers(
      scaleTransfer(cpDense.backward, d + mtpLayers - mtpMoe - keptDenseLayers),
      scaleTransfer(cpDenseRaw.backward, keptDenseLayers),
      scaleTransfer(cpMoe.backward, moeLayers - (m - r.m)),
      scaleTransfer(cpMoeRaw.backward, m - r.m),
    );
    // A MoE layer without shared experts carries half a layer's TP collectives (comm.ts `moeLayerTpShare`).
    const keptMoeLayers = m - r.m;
    const tpF = scaleTransfer(tpLayer.forward, layers - moeTpSaved * moeLayers);
    const tpB = addTransfers(
      scaleTransfer(tpLayer.backward, layers - kept - moeTpSaved * (moeLayers - keptMoeLayers)),
      scaleTransfer(tpRaw.backward, kept - moeTpSaved * keptMoeLayers),
    );
    return {
      compute,
      tp: { F: tpF, B: tpB },
      tpExposed: { F: tpExposed(config, tpF.seconds, compute.gemm.F), B: tpExposed(config, tpB.seconds, compute.gemm.b) },
      ep: { F: scaleTransfer(epLayer.forward, moeLayers), B: addTransfers(scaleTransfer(epLayer.backward, moeLayers - (m - r.m)), scaleTransfer(epRaw.backward, m - r.m)) },
      cp: { F: cpF, B: cpB },
      epHideable: compute.sharedExperts ?? { F: 0, b: 0, W: 0 },
      routed: compute.routedExperts ?? { F: 0, b: 0, W: 0 },
      // Ring attention hides its K/V passes under the attention core of the same layer.
      cpExposed: { F: Math.max(0, cpF.seconds - compute.attention.F), B: Math.max(0, cpB.seconds - compute.attention.b) },
    };
  });
  return {
    stages: costs,
    stageLayers: split,
    expertCommOverlapped,
    smShare,
    pipelineTransfer: pipelineTransfer(config, tokens),
    dispatchShare: dispatchShare(config),
    modules,
  };
}

/**
 * Full recompute re-runs each layer's forward in the backward, its TP, CP and EP collectives included; so does a
 * selectively recomputed MoE layer (`moe` in recompute_modules) with its dispatch and combine.
 */
function recomputed(config: ResolvedConfig, layer: { forward: Transfer; backward: Transfer }, selective = false): { forward: Transfer; backward: Transfer } {
  return config.training.recompute === 'full' || selective ? { forward: layer.forward, backward: addTransfers(layer.backward, layer.forward) } : layer;
}

/**
 * TP communication left exposed. With `tp_comm_overlap` (Transformer Engine userbuffers) each all-gather and
 * reduce-scatter is split into tp chunks pipelined against the GEMM that consumes or produces it: the first chunk
 * cannot hide (1/tp of the traffic), and traffic beyond the phase's GEMM time cannot either.
 */
function tpExposed(config: ResolvedConfig, comm: number, gemm: number): number {
  if (!config.parallelism.tpCommOverlap || comm <= 0) return comm;
  return Math.max(comm / Math.max(1, config.parallelism.tensor), comm - gemm);
}
