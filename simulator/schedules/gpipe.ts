/** GPipe (Huang et al., 2019): all forwards, then all backwards. Holds every micro-batch's activations. */
import { type OpColumns, perRank } from './program';
import { oneStagePerRank, type ScheduleSpec } from './spec';

export function gpipe(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (_pipelineRank, rank) => {
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.forward(microBatch);
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.backward(microBatch);
  }, undefined, 2 * microBatches);
}

export const gpipeSchedule: ScheduleSpec<'gpipe'> = {
  kind: 'gpipe',
  displayName: 'GPipe',
  docs: 'GPipe (Huang et al., 2019): all forwards, then all backwards. Bubble (P−1)(F+B); keeps the activations of all m micro-batches.',
  evenLayerSplit: true,
  splitsBackward: false,
  ...oneStagePerRank,
  validate: () => undefined,
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 2,
  generate: ({ ranks, microBatches }) => gpipe(ranks, microBatches),
  // Every micro-batch's activations until the backwards start.
  peakActivationChunks: ({ microBatches }) => Math.max(1, microBatches),
};
