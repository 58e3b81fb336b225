/**
 * DualPipeV (deepseek-ai/DualPipe `dualpipev.py`, the "cut-in-half" DualPipe of Sea AI Lab): one direction, a model
 * of 2P stages folded into a V. Rank r holds stage r (leg 0, going down) and stage 2P−1−r (leg 1, coming back up).
 * Same eight steps as DualPipe with H read as P, h as r, and every micro-batch on both legs; the last rank, where the
 * V turns, plays the middle rank.
 */
import { dualPipeSteps, type Leg } from './dualpipe';
import { type OpColumns, perRank } from './program';
import { atLeastTwoPerRank, type ScheduleSpec, vShape } from './spec';

export function dualPipeV(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (pipelineRank, rank) => dualPipeSteps(rank, ranks, pipelineRank, microBatches, (leg: Leg) => leg), 'chunk', 4 * microBatches + 2 * ranks);
}

export const dualPipeVSchedule: ScheduleSpec<'dualpipev'> = {
  kind: 'dualpipev',
  displayName: 'DualPipeV',
  docs: 'DualPipeV (DualPipe cut in half, V shape): one parameter copy, two chunks per rank, the same overlap; stages = 2 × P, m ≥ 2P.',
  evenLayerSplit: false,
  splitsBackward: true,
  ...vShape,
  pairsChunks: true,
  validate: (shape) => atLeastTwoPerRank('DualPipeV', shape),
  // At most F, b and W per micro-batch on each leg.
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 2 * 3,
  generate: ({ ranks, microBatches }) => dualPipeV(ranks, microBatches),
  // PP+1 chunks of a PP = 2P-stage model per device (deepseek-ai/DualPipe README), i.e. 2P+1 half-size chunks.
  peakActivationChunks: ({ ranks, microBatches }) => Math.min(2 * Math.max(1, microBatches), 2 * ranks + 1),
};
