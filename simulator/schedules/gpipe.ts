/** GPipe (Huang et al., 2019): all forwards, then all backwards. Holds every micro-batch's activations. */
import { perRank } from './program';
import type { ScheduleOp } from './types';

export function gpipe(ranks: number, microBatches: number): ScheduleOp[][] {
  return perRank(ranks, (_pipelineRank, rank) => {
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.forward(microBatch);
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.backward(microBatch);
  });
}
