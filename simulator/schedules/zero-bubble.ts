/**
 * Zero Bubble handcrafted schedules (Qi et al., ICLR 2024, §2). The backward is split into b (input gradient, on the
 * critical path) and W (weight gradient, free to move), and Ws fill the bubbles.
 */
import { type OpColumns, perRank } from './program';

/**
 * ZB-H1: 1F1B's warm-up, then F, b, and a W delayed so that rank r keeps r of them pending. Every rank then holds at
 * most P micro-batches (1F1B's peak) while b reaches rank 0 sooner; the delayed Ws fill the tail.
 * Bubble (P−1)(T_F + T_b − T_W).
 */
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

/**
 * ZB-H2: extra warm-up forwards (2(P−r−1)+1 on rank r) fill the bubble before the first b; then b, W, F, with rank
 * r keeping 2r Ws pending so that the tail is filled too and every rank's timeline is gap-free (a parallelogram).
 * Every rank holds 2P−1 micro-batches. Bubble (P−1)(T_F + T_b − 2T_W): zero when the three are equal.
 */
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
