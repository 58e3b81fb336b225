/**
 * Op labels, one home for both notations: F, B, W and F&B as in the DualPipe README
 * (https://github.com/deepseek-ai/DualPipe), b for an input-only backward (Zero Bubble's B, arXiv 2401.10241). The
 * trace (CLI, error messages, tests) writes the lane (direction / chunk / leg) before the micro-batch as the DualPipe
 * reference does ("F1.3", pairs in brackets "(F0.3&B1.1)", space-separated per rank); the preview tells chunks from
 * DualPipe directions ("F1.3" is direction 1, "F3c1" chunk 1) and drops the brackets.
 */
import type { OpRef, Schedule, ScheduleOp, TimedOp } from './types';

/** `kind` + the lane and micro-batch of `ref`; `chunkSuffix`: a chunk is written after the micro-batch ("3c1"). */
function refLabel(kind: string, ref: OpRef, chunkSuffix: boolean): string {
  if (ref.direction !== undefined) return `${kind}${ref.direction}.${ref.microBatch}`;
  if (ref.chunk === undefined) return `${kind}${ref.microBatch}`;
  return chunkSuffix ? `${kind}${ref.microBatch}c${ref.chunk}` : `${kind}${ref.chunk}.${ref.microBatch}`;
}

/** Trace notation: kind, then direction / chunk / leg when the schedule has more than one, then the micro-batch. */
export function formatOp(op: ScheduleOp): string {
  return op.kind === 'FB' && op.backward ? `(${refLabel('F', op, false)}&${refLabel('B', op.backward, false)})` : refLabel(op.kind, op, false);
}

/** One line per rank, e.g. "F0.0 b1.0 W1.0 (F0.3&B1.1) …". */
export function formatOrder(schedule: Schedule): string[] {
  return schedule.order.map((ops) => ops.map(formatOp).join(' '));
}

/** Preview notation: "F3", "b1.2", "W5c1", "F0.3&B1.1". */
export function opLabel(op: ScheduleOp | TimedOp): string {
  if (op.kind === 'FB') return `${refLabel('F', op, true)}&${refLabel('B', op.backward ?? op, true)}`;
  return refLabel(op.kind, op, true);
}
