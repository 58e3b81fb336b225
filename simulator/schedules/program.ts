/** A rank's op list under construction: what every generator writes into. */
import type { OpKind, ScheduleOp } from './types';

/** The field that names an op's lane: DualPipe's direction, or the chunk (interleaved chunks, V legs); none for the rest. */
export type LaneField = 'direction' | 'chunk' | undefined;

/**
 * Ops are built straight from (micro-batch, lane) numbers, one object per op (plus the backward half of an FB pair),
 * with exactly the fields the schedule uses: generating 10^6 ops allocates no temporaries.
 */
export class RankProgram {
  readonly ops: ScheduleOp[] = [];
  /** Input-only backwards whose W has not run yet, oldest first (W runs FIFO, as in the Zero Bubble and DualPipe code). */
  private readonly deferredWeights: ScheduleOp[] = [];
  private nextDeferred = 0;

  constructor(private readonly laneField?: LaneField) {}

  forward(microBatch: number, lane?: number): void {
    this.ops.push(this.op('F', microBatch, lane));
  }

  /** Full backward B (input and weight gradients together). */
  backward(microBatch: number, lane?: number): void {
    this.ops.push(this.op('B', microBatch, lane));
  }

  /** Input-only backward b; its W is deferred. */
  inputBackward(microBatch: number, lane?: number): void {
    const op = this.op('b', microBatch, lane);
    this.ops.push(op);
    this.deferredWeights.push(op);
  }

  /** Runs the oldest deferred W. */
  weight(): void {
    const b = this.deferredWeights[this.nextDeferred++];
    this.ops.push(this.op('W', b.microBatch, b.direction ?? b.chunk));
  }

  /** Overlapped pair: the forward of one micro-batch with the full backward of another. */
  forwardBackward(forwardMicroBatch: number, forwardLane: number, backwardMicroBatch: number, backwardLane: number): void {
    // FB is DualPipe's (lanes are directions) and DualPipeV's (lanes are chunks).
    this.ops.push(
      this.laneField === 'chunk'
        ? { kind: 'FB', microBatch: forwardMicroBatch, chunk: forwardLane, backward: { microBatch: backwardMicroBatch, chunk: backwardLane } }
        : { kind: 'FB', microBatch: forwardMicroBatch, direction: forwardLane as 0 | 1, backward: { microBatch: backwardMicroBatch, direction: backwardLane as 0 | 1 } },
    );
  }

  get pendingWeights(): number {
    return this.deferredWeights.length - this.nextDeferred;
  }

  /** Runs the oldest deferred Ws until at most `keep` are pending. */
  weightsDownTo(keep: number): void {
    while (this.pendingWeights > keep) this.weight();
  }

  private op(kind: OpKind, microBatch: number, lane: number | undefined): ScheduleOp {
    if (this.laneField === 'direction') return { kind, microBatch, direction: lane as 0 | 1 };
    if (this.laneField === 'chunk') return { kind, microBatch, chunk: lane };
    return { kind, microBatch };
  }
}

/** One program per pipeline rank. */
export function perRank(ranks: number, program: (pipelineRank: number, rank: RankProgram) => void, laneField?: LaneField): ScheduleOp[][] {
  const order: ScheduleOp[][] = [];
  for (let pipelineRank = 0; pipelineRank < ranks; pipelineRank++) {
    const rank = new RankProgram(laneField);
    program(pipelineRank, rank);
    order.push(rank.ops);
  }
  return order;
}
