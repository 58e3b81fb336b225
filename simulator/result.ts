/** What a simulation returns. Plain JSON: the webview and `tcs simulate --json` print it as is. */
import type { OpKind, ScheduleKind, TimedOp } from './schedules/types';

export type CommKind = 'tp' | 'ep' | 'pp' | 'dp' | 'cp';

export interface CommBreakdown {
  kind: CommKind;
  /** Seconds per step on the critical rank, total. */
  totalSeconds: number;
  /** Of that, hidden under compute. */
  hiddenSeconds: number;
  exposedSeconds: number;
  /** Bytes per GPU per step sent across nodes / inside a node. */
  interNodeBytes: number;
  intraNodeBytes: number;
}

export interface StageMemory {
  /** Pipeline rank. */
  rank: number;
  parametersGiB: number;
  gradientsGiB: number;
  optimizerGiB: number;
  activationsGiB: number;
  buffersGiB: number;
  totalGiB: number;
  /** Peak micro-batch chunks whose activations this rank holds, read off the timeline. */
  peakActivationChunks: number;
}

/** A pipeline rank whose memory is over the GPU's HBM. */
export interface MemoryOverflow {
  rank: number;
  needBytes: number;
  hbmBytes: number;
}

export interface MemoryResult {
  peakGiB: number;
  hbmGiB: number;
  /** Every rank within HBM. A layout that does not fit is still priced: the result says so, it is not refused. */
  fits: boolean;
  /** The ranks over HBM, in rank order (empty when it fits). */
  overflow: MemoryOverflow[];
  perStage: StageMemory[];
}

export interface TimelineResult {
  schedule: ScheduleKind;
  ranks: number;
  microBatches: number;
  /** Seconds of one step's pipeline part (the executed makespan). */
  makespanSeconds: number;
  idleSecondsPerRank: number[];
  /** Per pipeline rank, executed ops with start/end in seconds (empty when simulated with `{ timeline: false }`). */
  ops: TimedOp[][];
  /** Mean op durations used (seconds), for legends and hovers (empty when simulated with `{ timeline: false }`). */
  opSeconds: Partial<Record<OpKind, number>>;
}

export interface SimulationResult {
  gpuHours: number;
  wallClockDays: number;
  /** Undefined when no price is set. */
  costUsd?: number;
  stepSeconds: number;
  steps: number;
  tokensPerSecond: number;
  /** Model FLOPs (6·N_active·tokens + attention) per second per GPU, in TFLOP/s. */
  tflopsPerGpu: number;
  /** Against the dense BF16 peak. */
  mfu: number;
  bubbleFraction: number;
  exposedCommFraction: number;
  memory: MemoryResult;
  breakdown: {
    /** Step time decomposition, seconds: pipeline makespan, exposed DP comm, optimizer, … */
    step: Record<string, number>;
    comm: CommBreakdown[];
    /** FLOPs per micro-batch by component, for a whole model replica. */
    flops: Record<string, number>;
    parameters: { total: number; active: number; perRank: number[] };
    notes: string[];
  };
  timeline: TimelineResult;
}

export type SimulationOutcome =
  | { ok: true; result: SimulationResult }
  | { ok: false; code: string; reason: string };

/**
 * An outcome's headline numbers: what a row of a results table shows (the preview's schedule comparison and
 * ablation). Plain and small, so it crosses a worker boundary without the timeline; a SimulationOutcome is one.
 */
export type OutcomeSummary =
  | {
      ok: true;
      result: Pick<SimulationResult, 'gpuHours' | 'wallClockDays' | 'stepSeconds' | 'bubbleFraction'> & { memory: Pick<MemoryResult, 'peakGiB' | 'fits'> };
    }
  | { ok: false; code: string; reason: string };

export function summarizeOutcome(outcome: SimulationOutcome): OutcomeSummary {
  if (!outcome.ok) return { ok: false, code: outcome.code, reason: outcome.reason };
  const r = outcome.result;
  return {
    ok: true,
    result: { gpuHours: r.gpuHours, wallClockDays: r.wallClockDays, stepSeconds: r.stepSeconds, bubbleFraction: r.bubbleFraction, memory: { peakGiB: r.memory.peakGiB, fits: r.memory.fits } },
  };
}
