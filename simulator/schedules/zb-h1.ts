/**
 * ZB-H1, a Zero Bubble handcrafted schedule (Qi et al., ICLR 2024, §2). The backward is split into b (input
 * gradient, on the critical path) and W (weight gradient, free to move), and Ws fill the bubbles: 1F1B's warm-up,
 * then F, b, and a W delayed so that rank r keeps r of them pending. Every rank then holds at most P micro-batches
 * (1F1B's peak) while b reaches rank 0 sooner; the delayed Ws fill the tail. Bubble (P−1)(T_F + T_b − T_W).
 */
import { type OpColumns, perRank } from './program';
import { oneStagePerRank, type ScheduleSpec } from './spec';

export function zbH1(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (pipelineRank, rank) => {
    const warmup = Math.min(ranks - pipelineRank - 1, microBatches);
    const steady = microBatches - warmup;
    for (let microBatch = 0; microBatch < warmup; microBatch++) rank.forward(microBatch);
    for (let i = 0; i < steady; i++) {
      rank.forward(warmup + i);
      rank.inputBackward(i);
      rank.weightsDownTo(pipelineRank);
    }
    for (let microBatch = steady; microBatch < microBatches; microBatch++) {
      rank.inputBackward(microBatch);
      rank.weightsDownTo(pipelineRank);
    }
    rank.weightsDownTo(0);
  }, undefined, 3 * microBatches);
}

export const zbH1Schedule: ScheduleSpec<'zb-h1'> = {
  kind: 'zb-h1',
  displayName: 'ZB-H1',
  docs: 'ZB-H1 (zero bubble, Qi et al., 2023): the backward is split into input (b) and weight (W) gradients and W fills the bubble. Bubble (P−1)(F+B−2W) at 1F1B memory.',
  evenLayerSplit: false,
  splitsBackward: true,
  ...oneStagePerRank,
  validate: () => undefined,
  // F, b and W per micro-batch.
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 3,
  generate: ({ ranks, microBatches }) => zbH1(ranks, microBatches),
  // P−r chunks held whole, as 1F1B (Qi et al. 2024, §2.1); the executed timeline adds r·M_W/M_B for the r Ws a
  // rank keeps pending (their inputs), the closed form leaves it out: rank 0's P, the peak, is the same.
  peakActivationChunks: ({ ranks, microBatches }, r) => Math.min(Math.max(1, microBatches), ranks - r),
};
