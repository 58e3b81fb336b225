/**
 * What one pipeline schedule is, in one place: its names and docs, how its ranks map onto model stages, what it
 * accepts, how it orders ops, how much activation memory it holds and whether it overlaps chunks. The registry
 * (registry.ts) holds one `ScheduleSpec` per kind; every other module asks it instead of switching on the kind.
 */
import type { ExchangeKind } from './exchanges';
import type { LaneField, OpColumns } from './program';

/** The numbers a schedule is generated from: P ranks, N micro-batches (DualPipe: both directions), v virtual stages. */
export interface ScheduleShape {
  ranks: number;
  microBatches: number;
  /** Chunks per rank for a schedule that `usesVirtualStages`; ≥ 1 (ignored by the others). */
  virtualStages: number;
}

/** Why a schedule refuses a shape, and what would fix it when a nearby value does. */
export interface ScheduleProblem {
  code: string;
  reason: string;
  /** The nearest micro-batch count that clears this problem. */
  microBatches?: number;
  /** Pipeline degrees that clear this problem (the problem is then about the ranks, not the micro-batches). */
  ranks?: number[];
}

export interface ScheduleSpec<K extends string = string> {
  /** The config value (`parallelism.schedule`). */
  readonly kind: K;
  /** How papers and tools write the name. */
  readonly displayName: string;
  /** One line of markdown for hover and completion: source, bubble, memory, requirements. */
  readonly docs: string;
  /** The op field naming a rank's lane: DualPipe's direction, the chunk (interleaved chunks, V legs), or none. */
  readonly laneField: LaneField;
  /** Whether `virtual_stages` sets the chunks per rank (only then is it more than 1). */
  readonly usesVirtualStages: boolean;
  /**
   * Directions micro-batches enter from: 2 for DualPipe (N/2 each way, so each stage sees N/2 micro-batches per
   * direction), else 1.
   */
  readonly directions: 1 | 2;
  /**
   * Whether the steady state pairs one micro-batch's forward with another's backward (FB ops), hiding one chunk's
   * expert all-to-all under the other's compute (DualPipe, DualPipeV).
   */
  readonly pairsChunks: boolean;
  /**
   * Whether layers split evenly over stages: the schedules Megatron-Core itself runs (it refuses a remainder without
   * pinned ends). The others (Zero Bubble, DualPipe) come from frameworks that place layers by hand, so their split
   * is balanced by load.
   */
  readonly evenLayerSplit: boolean;
  /** Whether some backward is split into an input-gradient b and a deferred weight-gradient W. */
  readonly splitsBackward: boolean;
  /** Lanes (chunks, V legs or directions) each rank runs. */
  lanesPerRank(shape: ScheduleShape): number;
  /** Model stages the layers are split into (DualPipe: P, held twice). */
  stageCount(shape: ScheduleShape): number;
  /** The model stage lane `lane` computes on `rank` of `ranks`. */
  stageOfLane(ranks: number, rank: number, lane: number): number;
  /** The schedule's own requirements, once P and N are known to be positive integers. */
  validate(shape: ScheduleShape): ScheduleProblem | undefined;
  /** Upper bound on the op count (all ranks), computed before generating: it caps the generator's work. */
  opBound(shape: ScheduleShape): number;
  /** Every rank's op order, as typed columns. Called only on a shape `validate` accepts and `opBound` allows. */
  generate(shape: ScheduleShape): OpColumns;
  /**
   * Published peak of micro-batch chunks in flight on rank `rank` (one chunk = one stage's activations for one
   * micro-batch): the memory estimate's closed form, used without generating.
   */
  peakActivationChunks(shape: ScheduleShape, rank: number): number;
  /**
   * Without P2P overlap (Megatron --no-overlap-p2p-communication), the blocking exchange at boundary `boundary` of
   * rank `rank`'s order (between its ops boundary−1 and boundary, 0 < boundary < opCount): `EXCHANGE_NONE`, one
   * batched call (`EXCHANGE_COMBINED`) or a send call then a receive call (`EXCHANGE_SPLIT`); see exchanges.ts.
   * Absent: one combined call between every two ops.
   */
  exchangeAt?(shape: ScheduleShape, rank: number, boundary: number, opCount: number): ExchangeKind;
}

/** Stage mapping of the schedules with one stage per rank (GPipe, 1F1B, ZB-H1/H2). */
export const oneStagePerRank = {
  laneField: undefined,
  usesVirtualStages: false,
  directions: 1,
  pairsChunks: false,
  lanesPerRank: () => 1,
  stageCount: (shape: ScheduleShape) => shape.ranks,
  stageOfLane: (_ranks: number, rank: number) => rank,
} as const satisfies Partial<ScheduleSpec>;

/** Stage mapping of the V schedules (ZB-V, DualPipeV): rank r holds stage r (leg 0, down) and 2P−1−r (leg 1, up). */
export const vShape = {
  laneField: 'chunk',
  usesVirtualStages: false,
  directions: 1,
  lanesPerRank: () => 2,
  stageCount: (shape: ScheduleShape) => 2 * shape.ranks,
  stageOfLane: (ranks: number, rank: number, lane: number) => (lane === 1 ? 2 * ranks - 1 - rank : rank),
} as const satisfies Partial<ScheduleSpec>;

/** The V schedules and DualPipe need N ≥ 2P: every rank's two lanes must both reach their steady state. */
export function atLeastTwoPerRank(name: string, shape: ScheduleShape): ScheduleProblem | undefined {
  const { ranks: P, microBatches: N } = shape;
  if (N >= 2 * P) return undefined;
  return {
    code: 'schedule/too-few-micro-batches',
    reason: `${name} needs at least 2 × ${P} ranks = ${2 * P} micro-batches, got ${N}`,
    microBatches: 2 * P,
  };
}
