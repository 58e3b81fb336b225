/** A rank's op list under construction: what every generator writes into. */
import type { OpKind, ScheduleOp } from './types';

/** The field that names an op's lane: DualPipe's direction, or the chunk (interleaved chunks, V legs); none for the rest. */
export type LaneField = 'direction' | 'chunk' | undefined;

/** Op kinds as small integers, the index into `KIND_NAMES`. */
export const KIND_F = 0;
export const KIND_B = 1;
export const KIND_b = 2;
export const KIND_W = 3;
export const KIND_FB = 4;
export const KIND_NAMES: readonly OpKind[] = ['F', 'B', 'b', 'W', 'FB'];
export const KIND_CODES: Readonly<Record<OpKind, number>> = { F: KIND_F, B: KIND_B, b: KIND_b, W: KIND_W, FB: KIND_FB };

/**
 * Every rank's ops as columns, ranks concatenated: rank r's ops are first[r] .. first[r+1]−1. An op's lane is its
 * direction or chunk (see `laneField`); `backMicroBatch`/`backLane` hold the backward half of an FB pair (else 0).
 * 17 bytes per op and no object per op: this is what the executor reads.
 */
export interface OpColumns {
  laneField: LaneField;
  first: Int32Array;
  kind: Uint8Array;
  microBatch: Int32Array;
  lane: Int32Array;
  backMicroBatch: Int32Array;
  backLane: Int32Array;
}

const INITIAL_CAPACITY = 64;
/** A rank's ops while it is built: one Int32Array, five numbers per op (one backing store per rank, not five). */
const STRIDE = 5;
const KIND = 0;
const MICRO_BATCH = 1;
const LANE = 2;
const BACK_MICRO_BATCH = 3;
const BACK_LANE = 4;

/**
 * Ops are written straight from (micro-batch, lane) numbers into a growable typed array: generating 10^6 ops
 * allocates no object per op, so nothing is left for the garbage collector to trace or promote.
 */
export class RankProgram {
  length = 0;
  /** Op i is ops[i·5 .. i·5+4]: kind code, micro-batch, lane, and the backward half of an FB pair (else 0, 0). */
  private ops: Int32Array;
  /** Positions of input-only backwards whose W has not run yet, oldest first (W runs FIFO, as in the Zero Bubble and DualPipe code). */
  private readonly deferredWeights: number[] = [];
  private nextDeferred = 0;

  /** `capacity`: the ops this rank will likely write (a hint: the array grows past it, by doubling). */
  constructor(
    readonly laneField?: LaneField,
    capacity = INITIAL_CAPACITY,
  ) {
    this.ops = new Int32Array(STRIDE * Math.max(1, Math.ceil(capacity)));
  }

  forward(microBatch: number, lane?: number): void {
    this.push(KIND_F, microBatch, lane ?? 0, 0, 0);
  }

  /** Full backward B (input and weight gradients together). */
  backward(microBatch: number, lane?: number): void {
    this.push(KIND_B, microBatch, lane ?? 0, 0, 0);
  }

  /** Input-only backward b; its W is deferred. */
  inputBackward(microBatch: number, lane?: number): void {
    this.deferredWeights.push(this.length);
    this.push(KIND_b, microBatch, lane ?? 0, 0, 0);
  }

  /** Runs the oldest deferred W. */
  weight(): void {
    const at = STRIDE * this.deferredWeights[this.nextDeferred++];
    // The queue restarts whenever it drains, so it holds at most the pending Ws.
    if (this.nextDeferred === this.deferredWeights.length) {
      this.deferredWeights.length = 0;
      this.nextDeferred = 0;
    }
    this.push(KIND_W, this.ops[at + MICRO_BATCH], this.ops[at + LANE], 0, 0);
  }

  /** Overlapped pair: the forward of one micro-batch with the full backward of another (DualPipe, DualPipeV). */
  forwardBackward(forwardMicroBatch: number, forwardLane: number, backwardMicroBatch: number, backwardLane: number): void {
    this.push(KIND_FB, forwardMicroBatch, forwardLane, backwardMicroBatch, backwardLane);
  }

  get pendingWeights(): number {
    return this.deferredWeights.length - this.nextDeferred;
  }

  /** Runs the oldest deferred Ws until at most `keep` are pending. */
  weightsDownTo(keep: number): void {
    while (this.pendingWeights > keep) this.weight();
  }

  /** Copies this rank's ops into `c` from position `at` on. */
  copyTo(c: OpColumns, at: number): void {
    const ops = this.ops;
    for (let i = 0, o = 0, g = at; i < this.length; i++, o += STRIDE, g++) {
      c.kind[g] = ops[o + KIND];
      c.microBatch[g] = ops[o + MICRO_BATCH];
      c.lane[g] = ops[o + LANE];
      c.backMicroBatch[g] = ops[o + BACK_MICRO_BATCH];
      c.backLane[g] = ops[o + BACK_LANE];
    }
  }

  private push(kind: number, microBatch: number, lane: number, backMicroBatch: number, backLane: number): void {
    let o = STRIDE * this.length;
    if (o === this.ops.length) {
      const next = new Int32Array(2 * o + STRIDE);
      next.set(this.ops);
      this.ops = next;
    }
    const ops = this.ops;
    ops[o++] = kind;
    ops[o++] = microBatch;
    ops[o++] = lane;
    ops[o++] = backMicroBatch;
    ops[o] = backLane;
    this.length++;
  }
}

/** The ranks' programs as one set of columns, ranks concatenated (all five columns share one backing store). */
export function columnsOf(programs: readonly RankProgram[], laneField?: LaneField): OpColumns {
  const P = programs.length;
  let total = 0;
  for (const p of programs) total += p.length;
  // Int32 columns first (first[], then four per-op columns), the one-byte kinds last.
  const buffer = new ArrayBuffer(4 * (P + 1 + 4 * total) + total);
  const first = new Int32Array(buffer, 0, P + 1);
  const column = (i: number) => new Int32Array(buffer, 4 * (P + 1 + i * total), total);
  const c: OpColumns = {
    laneField,
    first,
    kind: new Uint8Array(buffer, 4 * (P + 1 + 4 * total), total),
    microBatch: column(0),
    lane: column(1),
    backMicroBatch: column(2),
    backLane: column(3),
  };
  for (let r = 0; r < P; r++) {
    first[r + 1] = first[r] + programs[r].length;
    programs[r].copyTo(c, first[r]);
  }
  return c;
}

/** One program per pipeline rank; `opsPerRank`: how many ops a rank writes (or a bound), to size the columns once. */
export function perRank(
  ranks: number,
  program: (pipelineRank: number, rank: RankProgram) => void,
  laneField?: LaneField,
  opsPerRank?: number,
): OpColumns {
  const programs: RankProgram[] = [];
  for (let pipelineRank = 0; pipelineRank < ranks; pipelineRank++) {
    const rank = new RankProgram(laneField, opsPerRank);
    program(pipelineRank, rank);
    programs.push(rank);
  }
  return columnsOf(programs, laneField);
}

/**
 * Op `g` as the object the generators used to build: exactly the fields the schedule uses (no lane field for
 * one-lane schedules; `backward` only on FB).
 */
export function opAt(c: OpColumns, g: number): ScheduleOp {
  const kind = KIND_NAMES[c.kind[g]];
  const microBatch = c.microBatch[g];
  if (c.laneField === 'direction') {
    const direction = c.lane[g] as 0 | 1;
    return kind === 'FB'
      ? { kind, microBatch, direction, backward: { microBatch: c.backMicroBatch[g], direction: c.backLane[g] as 0 | 1 } }
      : { kind, microBatch, direction };
  }
  if (c.laneField === 'chunk') {
    const chunk = c.lane[g];
    return kind === 'FB'
      ? { kind, microBatch, chunk, backward: { microBatch: c.backMicroBatch[g], chunk: c.backLane[g] } }
      : { kind, microBatch, chunk };
  }
  return { kind, microBatch };
}

/** Every rank's ops as objects (what `Schedule.order` holds). */
export function orderOf(c: OpColumns): ScheduleOp[][] {
  const order: ScheduleOp[][] = [];
  for (let r = 0; r + 1 < c.first.length; r++) {
    const ops: ScheduleOp[] = new Array(c.first[r + 1] - c.first[r]);
    for (let g = c.first[r], i = 0; g < c.first[r + 1]; g++, i++) ops[i] = opAt(c, g);
    order.push(ops);
  }
  return order;
}
