/** GPipe (Huang et al., 2019): all forwards, then all backwards. Holds every micro-batch's activations. */
import { type OpColumns, perRank } from './program';

export function gpipe(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (_pipelineRank, rank) => {
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.forward(microBatch);
    for (let microBatch = 0; microBatch < microBatches; microBatch++) rank.backward(microBatch);
  }, undefined, 2 * microBatches);
}
