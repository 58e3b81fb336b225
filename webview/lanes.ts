/**
 * A timeline as the canvas draws it: one lane per rank, ops as typed columns with their fill bucket, and any one op
 * as an object only when asked (a hover, a label). Pure: no DOM. A 64 × 512 step (65,536 ops) becomes a few typed
 * arrays, not 65,536 objects.
 */
import type { TimelineResult } from '../simulator/result';
import type { TimedOp } from '../simulator/schedules/types';
import { timelineOpsOf } from '../simulator/simulate';
import { bucketCode, bucketOf, sortedByStart } from './geometry';

export interface Lanes {
  readonly ranks: number;
  /** Rank r's ops are first[r] .. first[r+1]−1, sorted by start and not overlapping. */
  readonly first: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Each op's fill bucket (geometry.ts bucketOf). */
  readonly bucket: Uint8Array;
  /** Op g of rank `rank`, with its times. */
  op(rank: number, g: number): TimedOp;
}

/** Lanes from per-rank op lists (each sorted by start if it is not already). */
export function lanesOfRows(rows: readonly (readonly TimedOp[])[]): Lanes {
  const sorted = rows.map(sortedByStart);
  const first = new Int32Array(sorted.length + 1);
  for (let r = 0; r < sorted.length; r++) first[r + 1] = first[r] + sorted[r].length;
  const total = first[sorted.length];
  const start = new Float64Array(total);
  const end = new Float64Array(total);
  const bucket = new Uint8Array(total);
  for (let r = 0; r < sorted.length; r++) {
    for (let i = 0, g = first[r]; i < sorted[r].length; i++, g++) {
      const op = sorted[r][i];
      start[g] = op.start;
      end[g] = op.end;
      bucket[g] = bucketOf(op);
    }
  }
  return { ranks: sorted.length, first, start, end, bucket, op: (rank, g) => sorted[rank][g - first[rank]] };
}

/** Lanes of a simulated timeline: straight from the simulator's columns when it has them, else from `ops`. */
export function lanesOfTimeline(timeline: TimelineResult): Lanes {
  const columns = timelineOpsOf(timeline);
  if (!columns) return lanesOfRows(timeline.ops ?? []);
  const { first, kind, start, end, microBatch, direction } = columns;
  const bucket = new Uint8Array(kind.length);
  for (let g = 0; g < kind.length; g++) bucket[g] = bucketCode(kind[g], direction[g], microBatch[g]);
  return { ranks: first.length - 1, first, start, end, bucket, op: columns.opAt };
}

/** Ops in all lanes. */
export function opCount(lanes: Lanes): number {
  return lanes.first[lanes.ranks];
}
