/**
 * 1F1B (PipeDream-Flush; Narayanan et al., SC'21): rank r warms up with P−r−1 forwards, then alternates one forward
 * and one backward, then drains. At most P micro-batches in flight on rank 0.
 */
import { EXCHANGE_COMBINED, EXCHANGE_SPLIT } from './exchanges';
import { type OpColumns, perRank } from './program';
import { oneStagePerRank, type ScheduleSpec } from './spec';

/** Forwards rank r runs before its first backward (Megatron-LM `get_pp_rank_microbatches`: P − r − 1). */
const warmupOf = (ranks: number, microBatches: number, pipelineRank: number) => Math.min(ranks - pipelineRank - 1, microBatches);

export function oneFOneB(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (pipelineRank, rank) => {
    const warmup = warmupOf(ranks, microBatches, pipelineRank);
    const steady = microBatches - warmup;
    for (let microBatch = 0; microBatch < warmup; microBatch++) rank.forward(microBatch);
    for (let i = 0; i < steady; i++) {
      rank.forward(warmup + i);
      rank.backward(i);
    }
    for (let microBatch = steady; microBatch < microBatches; microBatch++) rank.backward(microBatch);
  }, undefined, 2 * microBatches);
}

export const oneFOneBSchedule: ScheduleSpec<'1f1b'> = {
  kind: '1f1b',
  displayName: '1F1B',
  docs: '1F1B (PipeDream-Flush, Narayanan et al., 2021): one forward, one backward in the steady state. Bubble (P−1)(F+B); activations of at most P micro-batches.',
  evenLayerSplit: true,
  splitsBackward: false,
  ...oneStagePerRank,
  validate: () => undefined,
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 2,
  generate: ({ ranks, microBatches }) => oneFOneB(ranks, microBatches),
  // P−r (Narayanan et al. 2021).
  peakActivationChunks: ({ ranks, microBatches }, r) => Math.min(Math.max(1, microBatches), ranks - r),
  // Megatron-LM `forward_backward_pipelining_without_interleaving`: the steady state's send_forward_recv_backward and
  // send_backward_recv_forward are one call each; warm-up and cool-down send, then receive (send_forward, recv_forward).
  exchangeAt: ({ ranks, microBatches }, r, boundary) => {
    const warmup = warmupOf(ranks, microBatches, r);
    const steady = microBatches - warmup;
    return boundary > warmup && boundary < warmup + 2 * steady ? EXCHANGE_COMBINED : EXCHANGE_SPLIT;
  },
};
