/**
 * ZB-H2, a Zero Bubble handcrafted schedule (Qi et al., ICLR 2024, §2): extra warm-up forwards (2(P−r−1)+1 on rank
 * r) fill the bubble before the first b; then b, W, F, with rank r keeping 2r Ws pending so that the tail is filled
 * too and every rank's timeline is gap-free (a parallelogram). Every rank holds 2P−1 micro-batches.
 * Bubble (P−1)(T_F + T_b − 2T_W): zero when the three are equal.
 */
import { type OpColumns, perRank } from './program';
import { oneStagePerRank, type ScheduleSpec } from './spec';

export function zbH2(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (pipelineRank, rank) => {
    const warmup = Math.min(2 * (ranks - pipelineRank - 1) + 1, microBatches);
    const steady = microBatches - warmup;
    for (let microBatch = 0; microBatch < warmup; microBatch++) rank.forward(microBatch);
    for (let i = 0; i < steady; i++) {
      rank.inputBackward(i);
      rank.weightsDownTo(2 * pipelineRank);
      rank.forward(warmup + i);
    }
    for (let microBatch = steady; microBatch < microBatches; microBatch++) {
      rank.inputBackward(microBatch);
      rank.weightsDownTo(2 * pipelineRank);
    }
    rank.weightsDownTo(0);
  }, undefined, 3 * microBatches);
}

export const zbH2Schedule: ScheduleSpec<'zb-h2'> = {
  kind: 'zb-h2',
  displayName: 'ZB-H2',
  docs: 'ZB-H2 (Qi et al., 2023): more warm-up forwards fill the pipeline to a near-zero bubble, at about twice 1F1B\'s activation memory.',
  evenLayerSplit: false,
  splitsBackward: true,
  ...oneStagePerRank,
  validate: () => undefined,
  // F, b and W per micro-batch.
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 3,
  generate: ({ ranks, microBatches }) => zbH2(ranks, microBatches),
  peakActivationChunks: ({ ranks, microBatches }, r) => Math.min(Math.max(1, microBatches), 2 * (ranks - r) - 1),
};
