/**
 * Which layers each pipeline stage holds, and which stages each rank holds, per schedule. Closed-form, so the memory
 * estimate can run on every keystroke without generating a schedule.
 */
import type { ResolvedConfig, ScheduleKind } from './config';
import { type BoundaryLoad, type StageSplit, splitLayers } from './splitLayers';
import { scheduleSpec } from './schedules/registry';
import type { ScheduleSpec } from './schedules/spec';
import { boundaryLayerEquivalents, layerCounts } from './model';

/** Model stages the layers are split into: P, P·v (interleaved), 2P (V schedules); DualPipe holds P stages twice. */
export function stageCount(kind: ScheduleKind, ranks: number, virtualStages: number): number {
  return scheduleSpec(kind).stageCount({ ranks, microBatches: 1, virtualStages });
}

/** The memory estimate asks for every rank's stages of every layout a search prices (and each keystroke): a
 * (schedule, P, v)'s lists are kept, frozen, per registered spec, for pipelines up to this many ranks, up to this
 * many shapes per spec. */
const MAX_CACHED_RANKS = 1024;
const RANK_STAGES_CACHE_SIZE = 256;
const rankStagesCache = new WeakMap<ScheduleSpec, Map<string, readonly (readonly number[])[]>>();

/**
 * Stages rank `r` computes, one per lane (the schedule engine's `stageOf`). A stage can appear twice: the middle
 * rank of a DualPipe holds the same stage of both copies.
 */
export function stagesOfRank(kind: ScheduleKind, ranks: number, virtualStages: number, r: number): readonly number[] {
  if (!(Number.isInteger(r) && r >= 0 && r < ranks && ranks <= MAX_CACHED_RANKS)) return rankStages(kind, ranks, virtualStages, r);
  return stagesOfRanks(kind, ranks, virtualStages)[r];
}

/**
 * `stagesOfRank` of every rank 0 … ranks−1, for a caller that walks them all (the memory estimate, the step tail, a
 * layout search's bounds): one cache look-up for the pipeline, not one per rank.
 */
export function stagesOfRanks(kind: ScheduleKind, ranks: number, virtualStages: number): readonly (readonly number[])[] {
  if (!(Number.isInteger(ranks) && ranks >= 0 && ranks <= MAX_CACHED_RANKS)) return Array.from({ length: Math.max(0, ranks) }, (_, rank) => rankStages(kind, ranks, virtualStages, rank));
  const spec = scheduleSpec(kind);
  let shapes = rankStagesCache.get(spec);
  if (!shapes) rankStagesCache.set(spec, (shapes = new Map()));
  const key = `${ranks}/${virtualStages}`;
  let all = shapes.get(key);
  if (!all) {
    all = Object.freeze(Array.from({ length: ranks }, (_, rank) => rankStages(kind, ranks, virtualStages, rank)));
    if (shapes.size >= RANK_STAGES_CACHE_SIZE) shapes.delete(shapes.keys().next().value as string);
    shapes.set(key, all);
  }
  return all;
}

function rankStages(kind: ScheduleKind, ranks: number, virtualStages: number, r: number): readonly number[] {
  const spec = scheduleSpec(kind);
  const lanes = spec.lanesPerRank({ ranks, microBatches: 1, virtualStages });
  return Object.freeze(Array.from({ length: lanes }, (_, lane) => spec.stageOfLane(ranks, r, lane)));
}

export interface StageLayers {
  split: StageSplit;
  /** Per stage: dense and MoE transformer layers (dense layers come first in the model). */
  dense: number[];
  moe: number[];
}

/**
 * For each stage, the rank group whose load it adds to: the lowest rank holding it. Ranks that hold the same stages
 * share a group (DualPipe: ranks r and P−1−r share stages r and P−1−r); every other rank is a group of its own.
 */
export function rankGroupOfStage(kind: ScheduleKind, ranks: number, stages: number, virtualStages = 1): number[] {
  const group = Array.from({ length: stages }, (_, s) => s);
  const held = stagesOfRanks(kind, ranks, virtualStages);
  for (let r = ranks - 1; r >= 0; r--) for (const s of held[r]) if (s >= 0 && s < stages) group[s] = r;
  return group;
}

/** Per stage, how many times one rank runs it: 2 where a rank holds it twice (DualPipe's middle stage on an odd pipeline), else 1. */
export function copiesOfStage(kind: ScheduleKind, ranks: number, virtualStages: number, stages: number): number[] {
  const copies = new Array<number>(stages).fill(1);
  const held = stagesOfRanks(kind, ranks, virtualStages);
  for (let r = 0; r < ranks; r++) {
    const count = new Map<number, number>();
    for (const s of held[r]) count.set(s, (count.get(s) ?? 0) + 1);
    for (const [s, n] of count) if (s < stages) copies[s] = Math.max(copies[s], n);
  }
  return copies;
}

export function stageLayers(config: ResolvedConfig, stages: number, boundary = boundaryLayerEquivalents(config)): StageLayers {
  const { schedule, pipeline, virtualStages, firstStageLayers, lastStageLayers } = config.parallelism;
  const P = Math.max(1, pipeline);
  const split = splitLayers(config.model.layers, stages, boundary, rankGroupOfStage(schedule, P, stages, virtualStages), copiesOfStage(schedule, P, virtualStages, stages), {
    first: firstStageLayers,
    last: lastStageLayers,
    even: scheduleSpec(schedule).evenLayerSplit,
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

export interface LayerSplit {
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
 * The layer split and what it costs per rank once the output head and MTP modules are counted: the one split the
 * simulator, the layer-split rule and the hover all use.
 */
export function layerSplit(config: ResolvedConfig): LayerSplit {
  const { schedule, pipeline, virtualStages } = config.parallelism;
  const stages = stageCount(schedule, pipeline, virtualStages);
  const boundary = boundaryLayerEquivalents(config);
  if (config.model.layers < stages) return { stages, layersPerStage: [], rankLoad: [], rankImbalance: 0, boundary };
  const split = stageLayers(config, stages, boundary);
  const { loadPerStage, layersPerStage } = split.split;
  const held = stagesOfRanks(schedule, pipeline, virtualStages);
  const rankLoad = Array.from({ length: pipeline }, (_, r) =>
    held[r].reduce((sum, s) => sum + (loadPerStage[s] ?? 0), 0),
  );
  const mean = rankLoad.reduce((a, b) => a + b, 0) / Math.max(1, rankLoad.length);
  const rankImbalance = mean > 0 ? Math.max(...rankLoad) / mean - 1 : 0;
  return { stages, layersPerStage, rankLoad, rankImbalance, boundary, stageLayers: split };
}

/**
 * Published peak of micro-batch chunks in flight on rank r (one chunk = one stage's activations for one micro-batch),
 * as each schedule's spec states it (GPipe N; 1F1B P−r; DualPipe P+1; …).
 */
export function publishedPeakChunks(kind: ScheduleKind, ranks: number, virtualStages: number, microBatches: number, r: number): number {
  return scheduleSpec(kind).peakActivationChunks({ ranks, microBatches, virtualStages }, r);
}
