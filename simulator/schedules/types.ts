/** Pipeline schedule vocabulary shared by the generators, the executor and the cost model. */
import type { ScheduleKind } from '../config';

export type { ScheduleKind };

/**
 * F  forward of one chunk for one micro-batch
 * B  full backward (input gradient and weight gradient together)
 * b  input-only backward; its W runs later
 * W  deferred weight-gradient computation
 * FB an overlapped pair: the forward of one micro-batch and the full backward of another (DualPipe)
 */
export type OpKind = 'F' | 'B' | 'b' | 'W' | 'FB';

/** Which piece of work an op is about. */
export interface OpRef {
  microBatch: number;
  /** DualPipe: 0 = the copy entering at rank 0, 1 = the copy entering at rank P-1. */
  direction?: 0 | 1;
  /** Interleaved: the virtual chunk on this rank (0..v-1); V schedules: the leg (0 down, 1 back up). */
  chunk?: number;
}

export interface ScheduleOp extends OpRef {
  kind: OpKind;
  /** FB only: the backward half. The op's own ref is the forward half. */
  backward?: OpRef;
}

export interface TimedOp extends ScheduleOp {
  /** Seconds (or units under unit costs) from the start of the step. */
  start: number;
  end: number;
}

export interface ScheduleRequest {
  kind: ScheduleKind;
  /** Pipeline ranks P. */
  ranks: number;
  /** Micro-batches N per step (DualPipe: both directions together). */
  microBatches: number;
  /** Chunks per rank for interleaved 1F1B. */
  virtualStages?: number;
}

export interface Schedule {
  kind: ScheduleKind;
  ranks: number;
  microBatches: number;
  /** Chunks per rank: v for interleaved, 2 for V schedules and DualPipe (one per direction), else 1. */
  chunksPerRank: number;
  /** Model stages the layers are split into (P, P·v, 2P). DualPipe: P, held twice. */
  stages: number;
  /** Per rank, ops in execution order. */
  order: ScheduleOp[][];
}

export type Result<T> = { ok: true; value: T } | { ok: false; code: string; reason: string };
