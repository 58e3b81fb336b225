/**
 * DualPipe (DeepSeek-V3 report §3.2.1; deepseek-ai/DualPipe `dualpipe.py`). Micro-batches enter from both ends;
 * rank r holds stage r of one copy and stage P−1−r of the other, so each rank sees a "near" direction (entering on
 * its own side) and a "far" one. The steady state pairs a forward of one direction with a full backward of the other
 * so that each chunk's all-to-all and PP traffic hides under the other's compute.
 */
import { type OpColumns, perRank, RankProgram } from './program';
import { atLeastTwoPerRank, type ScheduleSpec } from './spec';

/** The two streams a rank runs: near (leg 0) and far (leg 1). */
export type Leg = 0 | 1;

/**
 * The eight steps of the reference `step()`, shared with DualPipeV.
 * halfRanks H, halfRank h (distance from the nearer end), microBatchesPerLeg M; `lane` is a leg's direction or chunk.
 */
export function dualPipeSteps(rank: RankProgram, H: number, h: number, M: number, lane: (leg: Leg) => number): void {
  const forwarded = [0, 0];
  const backwarded = [0, 0];
  const F = (leg: Leg) => rank.forward(forwarded[leg]++, lane(leg));
  const B = (leg: Leg, inputOnly = false) =>
    inputOnly ? rank.inputBackward(backwarded[leg]++, lane(leg)) : rank.backward(backwarded[leg]++, lane(leg));
  const FB = (forwardLeg: Leg, backwardLeg: Leg) =>
    rank.forwardBackward(forwarded[forwardLeg]++, lane(forwardLeg), backwarded[backwardLeg]++, lane(backwardLeg));
  const isMiddle = h === H - 1;

  // 1. Warm-up: near forwards, so the far stream meets this rank with work already queued.
  for (let i = 0; i < 2 * (H - h - 1); i++) F(0);
  // 2. Alternate near and far forwards.
  for (let i = 0; i < h + 1; i++) {
    F(0);
    F(1);
  }
  // 3. Far backwards as zero-bubble b + W, each followed by a far forward.
  for (let i = 0; i < H - h - 1; i++) {
    B(1, true);
    rank.weight();
    F(1);
  }
  // 4. Steady state: (near F & far B), (far F & near B). The middle ranks run their very first pair unoverlapped,
  //    which shortens the bubble (reference: "We don't overlap these two chunks").
  for (let i = 0; i < M - 2 * H + h + 1; i++) {
    if (i === 0 && isMiddle) {
      F(0);
      B(1);
    } else {
      FB(0, 1);
    }
    FB(1, 0);
  }
  // 5. Far backward, then (far F & near B).
  for (let i = 0; i < H - h - 1; i++) {
    B(1);
    FB(1, 0);
  }
  // 6. Cool-down: far and near backwards; the second half of these 2(h+1) backwards is input-only (W deferred).
  for (let i = 0; i < 2 * (h + 1); i++) B(i % 2 === 0 ? 1 : 0, i >= h + 1);
  // 7. Deferred W, then near input-only backward.
  for (let i = 0; i < H - h - 1; i++) {
    rank.weight();
    B(0, true);
  }
  // 8. Flush the deferred Ws.
  rank.weightsDownTo(0);
}

/** DualPipe with P ranks (even) and N micro-batches (even, N/2 per direction, N ≥ 2P). */
export function dualPipe(ranks: number, microBatches: number): OpColumns {
  const H = ranks / 2;
  return perRank(ranks, (pipelineRank, rank) => {
    const near = pipelineRank < H ? 0 : 1;
    const direction = (leg: Leg) => (leg === 0 ? near : 1 - near);
    dualPipeSteps(rank, H, Math.min(pipelineRank, ranks - 1 - pipelineRank), microBatches / 2, direction);
  }, 'direction', 2 * microBatches + ranks);
}

export const dualPipeSchedule: ScheduleSpec<'dualpipe'> = {
  kind: 'dualpipe',
  displayName: 'DualPipe',
  docs: 'DualPipe (DeepSeek-V3): micro-batches enter from both ends and forward/backward chunks overlap, hiding the expert all-to-all. Bubble (P/2−1)(F&B+B−3W); two copies of the parameters; P even, m even and ≥ 2P.',
  evenLayerSplit: false,
  splitsBackward: true,
  laneField: 'direction',
  usesVirtualStages: false,
  directions: 2,
  pairsChunks: true,
  // One lane per direction. A single rank runs no pipeline (the rules skip the schedule) and holds the model once.
  lanesPerRank: ({ ranks }) => (ranks === 1 ? 1 : 2),
  // P stages, each held by two ranks (r holds stage r of direction 0 and P−1−r of direction 1).
  stageCount: ({ ranks }) => ranks,
  stageOfLane: (ranks, rank, lane) => (lane === 1 ? ranks - 1 - rank : rank),
  validate: (shape) => {
    const { ranks: P, microBatches: N } = shape;
    if (P % 2 !== 0)
      return {
        code: 'schedule/dualpipe-odd-ranks',
        reason: `DualPipe needs an even number of pipeline ranks, got ${P}`,
        ranks: [P - 1, P + 1].filter((v) => v >= 2),
      };
    if (N % 2 !== 0)
      return {
        code: 'schedule/dualpipe-odd-micro-batches',
        reason: `DualPipe splits micro-batches evenly between its two directions, so their number must be even, got ${N}`,
        microBatches: Math.max(2 * P, N + 1),
      };
    return atLeastTwoPerRank('DualPipe', shape);
  },
  // N forwards and N backwards per rank (N counts both directions), plus at most P deferred Ws.
  opBound: ({ ranks, microBatches }) => ranks * (2 * microBatches + ranks),
  generate: ({ ranks, microBatches }) => dualPipe(ranks, microBatches),
  // P+1 (DeepSeek-V3 Table 2).
  peakActivationChunks: ({ ranks, microBatches }) => Math.min(Math.max(1, microBatches), ranks + 1),
};
