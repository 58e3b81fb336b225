/**
 * Which layers each pipeline stage holds, and which stages each rank holds, per schedule. Closed-form, so the memory
 * estimate can run on every keystroke without generating a schedule.
 */
import type { ResolvedConfig, ScheduleKind } from './config';
import { type BoundaryLoad, type StageSplit, splitLayers } from './layout';
import { boundaryLayerEquivalents, layerCounts } from './model';

/** Model stages the layers are split into: P, P·v (interleaved), 2P (V schedules); DualPipe holds P stages twice. */
export function stageCount(kind: ScheduleKind, ranks: number, virtualStages: number): number {
  switch (kind) {
    case 'interleaved-1f1b':
      return ranks * Math.max(1, virtualStages);
    case 'zbv':
    case 'dualpipev':
      return 2 * ranks;
    default:
      return ranks;
  }
}

/** Stages rank `r` computes (the same mapping as the schedule engine's `stageOf`). */
export function stagesOfRank(kind: ScheduleKind, ranks: number, virtualStages: number, r: number): number[] {
  switch (kind) {
    case 'interleaved-1f1b':
      return Array.from({ length: Math.max(1, virtualStages) }, (_, c) => c * ranks + r);
    case 'zbv':
    case 'dualpipev':
      return [r, 2 * ranks - 1 - r];
    case 'dualpipe':
      return ranks === 1 ? [0] : [r, ranks - 1 - r];
    default:
      return [r];
  }
}

export interface StageLayers {
  split: StageSplit;
  /** Per stage: dense and MoE transformer layers (dense layers come first in the model). */
  dense: number[];
  moe: number[];
}

/** For each stage, the rank group whose load it adds to (DualPipe: ranks r and P−1−r share stages r and P−1−r). */
export function rankGroupOfStage(kind: ScheduleKind, ranks: number, stages: number): number[] {
  return Array.from({ length: stages }, (_, s) => {
    switch (kind) {
      case 'interleaved-1f1b':
        return s % ranks;
      case 'zbv':
      case 'dualpipev':
        return s < ranks ? s : 2 * ranks - 1 - s;
      case 'dualpipe':
        return Math.min(s, ranks - 1 - s);
      default:
        return s;
    }
  });
}

/** Per stage, how many times one rank runs it: 2 where a rank holds it twice (DualPipe's middle stage on an odd pipeline), else 1. */
export function copiesOfStage(kind: ScheduleKind, ranks: number, virtualStages: number, stages: number): number[] {
  const copies = new Array<number>(stages).fill(1);
  for (let r = 0; r < ranks; r++) {
    const count = new Map<number, number>();
    for (const s of stagesOfRank(kind, ranks, virtualStages, r)) count.set(s, (count.get(s) ?? 0) + 1);
    for (const [s, n] of count) if (s < stages) copies[s] = Math.max(copies[s], n);
  }
  return copies;
}

/** Schedules Megatron-Core itself runs: their layers split evenly (it refuses a remainder without pinned ends). The
 * others (Zero Bubble, DualPipe) come from frameworks that place layers by hand, so they are balanced by load. */
const MEGATRON_SCHEDULES: ReadonlySet<ScheduleKind> = new Set(['gpipe', '1f1b', 'interleaved-1f1b']);

export function stageLayers(config: ResolvedConfig, stages: number, boundary = boundaryLayerEquivalents(config)): StageLayers {
  const { schedule, pipeline, virtualStages, firstStageLayers, lastStageLayers } = config.parallelism;
  const P = Math.max(1, pipeline);
  const split = splitLayers(config.model.layers, stages, boundary, rankGroupOfStage(schedule, P, stages), copiesOfStage(schedule, P, virtualStages, stages), {
    first: firstStageLayers,
    last: lastStageLayers,
    even: MEGATRON_SCHEDULES.has(schedule),
  });
  const denseTotal = layerCounts(config.model).dense;
  const dense: number[] = [];
  const moe: number[] = [];
  let first = 0;
  for (const n of split.layersPerStage) {
    const d = Math.max(0, Math.min(n, denseTotal - first));
    dense.push(d);
    moe.push(n - d);
    first += n;
  }
  return { split, dense, moe };
}

export interface PipelineLayout {
  stages: number;
  /** Transformer layers per stage. Empty when there are fewer layers than stages (the rules report that). */
  layersPerStage: number[];
  /** Load per pipeline rank (its stages' layers + the boundary modules), in layer-equivalents. */
  rankLoad: number[];
  /** max rank load / mean − 1: the share of each step the slowest rank costs. */
  rankImbalance: number;
  boundary: BoundaryLoad;
  /** The split with dense/MoE layers per stage, for the memory estimate; absent when layers < stages. */
  stageLayers?: StageLayers;
}

/**
 * The layer split and what it costs per rank once the output head and MTP modules are counted: the one layout the
 * simulator, the layer-split rule and the hover all use.
 */
export function pipelineLayout(config: ResolvedConfig): PipelineLayout {
  const { schedule, pipeline, virtualStages } = config.parallelism;
  const stages = stageCount(schedule, pipeline, virtualStages);
  const boundary = boundaryLayerEquivalents(config);
  if (config.model.layers < stages) return { stages, layersPerStage: [], rankLoad: [], rankImbalance: 0, boundary };
  const split = stageLayers(config, stages, boundary);
  const { loadPerStage, layersPerStage } = split.split;
  const rankLoad = Array.from({ length: pipeline }, (_, r) =>
    stagesOfRank(schedule, pipeline, virtualStages, r).reduce((sum, s) => sum + (loadPerStage[s] ?? 0), 0),
  );
  const mean = rankLoad.reduce((a, b) => a + b, 0) / Math.max(1, rankLoad.length);
  const rankImbalance = mean > 0 ? Math.max(...rankLoad) / mean - 1 : 0;
  return { stages, layersPerStage, rankLoad, rankImbalance, boundary, stageLayers: split };
}

/**
 * Published peak of micro-batch chunks in flight on rank r (one chunk = one stage's activations for one micro-batch):
 * GPipe N; 1F1B and ZB-H1 P−r (Narayanan et al. 2021; Qi et al. 2024); ZB-H2 2(P−r)−1; interleaved 1F1B Megatron's
 * warm-up 2(P−r−1) + (v−1)P plus one; ZB-V 2P (p·M_B in half-size chunks); DualPipe P+1 (DeepSeek-V3 Table 2);
 * DualPipeV 2P+2 half-size chunks (the same P+1 per device).
 */
export function publishedPeakChunks(kind: ScheduleKind, ranks: number, virtualStages: number, microBatches: number, r: number): number {
  const P = ranks;
  const N = Math.max(1, microBatches);
  const v = Math.max(1, virtualStages);
  switch (kind) {
    case 'gpipe':
      return N;
    case '1f1b':
    case 'zb-h1':
      return Math.min(N, P - r);
    case 'zb-h2':
      return Math.min(N, 2 * (P - r) - 1);
    case 'interleaved-1f1b':
      return Math.min(N * v, 2 * (P - r - 1) + (v - 1) * P + 1);
    case 'zbv':
      return Math.min(2 * N, 2 * P);
    case 'dualpipe':
      return Math.min(N, P + 1);
    case 'dualpipev':
      return Math.min(2 * N, 2 * P + 2);
  }
}
