/** Labels for the preview (schedule names, ops in the DualPipe notation); numbers come from simulator/format. */
import { SCHEDULE_DISPLAY_NAMES, type ScheduleKind } from '../simulator/config';
import type { OpKind, OpRef, TimedOp } from '../simulator/schedules/types';
import { formatSeconds } from '../simulator/format';

export * from '../simulator/format';

export function scheduleName(kind: ScheduleKind): string {
  return SCHEDULE_DISPLAY_NAMES[kind] ?? String(kind);
}

export const OP_NAMES: Record<OpKind, string> = {
  F: 'Forward',
  B: 'Backward',
  b: 'Input-only backward',
  W: 'Weight gradient',
  FB: 'Forward & backward (overlapped)',
};

/** Schedule op notation (simulator formatOp): direction.microBatch with a direction ("F1.3"), else the micro-batch ("F3"). */
function refLabel(prefix: string, ref: OpRef): string {
  const id = ref.direction === undefined ? `${ref.microBatch}` : `${ref.direction}.${ref.microBatch}`;
  return ref.chunk === undefined || ref.direction !== undefined ? `${prefix}${id}` : `${prefix}${id}c${ref.chunk}`;
}

/** "F3", "b1.2", "F0.3&B1.1". */
export function opLabel(op: TimedOp): string {
  if (op.kind === 'FB') return `${refLabel('F', op)}&${refLabel('B', op.backward ?? op)}`;
  return refLabel(op.kind, op);
}

function refText(ref: OpRef): string {
  const parts = [`micro-batch ${ref.microBatch}`];
  if (ref.direction !== undefined) parts.push(`direction ${ref.direction}`);
  if (ref.chunk !== undefined) parts.push(`chunk ${ref.chunk}`);
  return parts.join(', ');
}

/** Tooltip lines for an op on a rank. */
export function describeOp(op: TimedOp, rank: number): string[] {
  const lines = [`${OP_NAMES[op.kind] ?? op.kind} ${opLabel(op)} · rank ${rank}`];
  if (op.kind === 'FB') {
    lines.push(`forward: ${refText(op)}`);
    lines.push(`backward: ${refText(op.backward ?? op)}`);
  } else {
    lines.push(refText(op));
  }
  lines.push(`start ${formatSeconds(op.start)} · duration ${formatSeconds(op.end - op.start)}`);
  return lines;
}
