/** Shared test data for the preview tests: a resolved config shaped like DeepSeek-V3's, and synthetic timelines. */
import type { ResolvedConfig } from '../../simulator/config';
import type { TimedOp } from '../../simulator/schedules/types';
import { deepSeekV3 } from '../simulator/fixtures';

/** DeepSeek-V3 as the simulator tests resolve it: one fixture for the whole suite. */
export function sampleConfig(): ResolvedConfig {
  return deepSeekV3();
}

/** Back-to-back ops of `kinds`, one per micro-batch in turn, with a gap of `idle` between them. */
export function syntheticRow(count: number, duration = 1, idle = 0): TimedOp[] {
  const kinds = ['F', 'B', 'b', 'W', 'FB'] as const;
  const ops: TimedOp[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    ops.push({ kind, microBatch: i, direction: (i % 2) as 0 | 1, start: t, end: t + duration, ...(kind === 'FB' ? { backward: { microBatch: i + 1, direction: 1 } } : {}) });
    t += duration + idle;
  }
  return ops;
}
