/** Labels for the preview (schedule names, ops in the DualPipe notation); numbers come from simulator/format. */
import { SCHEDULE_DISPLAY_NAMES, type ScheduleKind } from '../simulator/config';
import { opLabel } from '../simulator/schedules/notation';
import type { OpKind, OpRef, TimedOp } from '../simulator/schedules/types';
import { formatSeconds } from '../simulator/format';

export * from '../simulator/format';
export { opLabel };

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
