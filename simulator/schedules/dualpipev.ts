/**
 * DualPipeV (deepseek-ai/DualPipe `dualpipev.py`, the "cut-in-half" DualPipe of Sea AI Lab): one direction, a model
 * of 2P stages folded into a V. Rank r holds stage r (leg 0, going down) and stage 2P−1−r (leg 1, coming back up).
 * Same eight steps as DualPipe with H read as P, h as r, and every micro-batch on both legs; the last rank, where the
 * V turns, plays the middle rank.
 */
import { dualPipeSteps, type Leg } from './dualpipe';
import { type OpColumns, perRank } from './program';

export function dualPipeV(ranks: number, microBatches: number): OpColumns {
  return perRank(ranks, (pipelineRank, rank) => dualPipeSteps(rank, ranks, pipelineRank, microBatches, (leg: Leg) => leg), 'chunk', 4 * microBatches + 2 * ranks);
}
