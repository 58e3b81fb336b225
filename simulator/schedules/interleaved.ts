/**
 * Interleaved 1F1B (Narayanan et al., SC'21; Megatron-LM `forward_backward_pipelining_with_interleaving`).
 * Rank r holds v chunks, chunk c being model stage c·P + r. Micro-batches go through the chunks in groups of P
 * (why Megatron requires N to be a multiple of P); backwards visit the chunks in reverse.
 */
import { EXCHANGE_COMBINED, EXCHANGE_NONE, EXCHANGE_SPLIT } from './exchanges';
import { type OpColumns, perRank } from './program';
import type { ScheduleSpec } from './spec';

/** Megatron's warm-up forwards on rank r: 2(P−r−1) + (v−1)P, capped at the N·v total. */
function warmupOf(ranks: number, microBatches: number, chunksPerRank: number, pipelineRank: number): number {
  const total = microBatches * chunksPerRank;
  // With N = P the steady state has nothing to pair, so Megatron runs all forwards first.
  return microBatches === ranks ? total : Math.min((ranks - pipelineRank - 1) * 2 + (chunksPerRank - 1) * ranks, total);
}

export function interleaved1F1B(ranks: number, microBatches: number, chunksPerRank: number): OpColumns {
  const group = ranks * chunksPerRank;
  const total = microBatches * chunksPerRank;
  /** Megatron's virtual micro-batch k → micro-batch and chunk (backwards visit the chunks in reverse). */
  const microBatchOf = (k: number) => Math.floor(k / group) * ranks + (k % ranks);
  const chunkOf = (k: number, forward: boolean) => {
    const chunk = Math.floor((k % group) / ranks);
    return forward ? chunk : chunksPerRank - 1 - chunk;
  };
  return perRank(ranks, (pipelineRank, rank) => {
    const warmup = warmupOf(ranks, microBatches, chunksPerRank, pipelineRank);
    for (let k = 0; k < warmup; k++) rank.forward(microBatchOf(k), chunkOf(k, true));
    for (let k = 0; k < total - warmup; k++) {
      rank.forward(microBatchOf(warmup + k), chunkOf(warmup + k, true));
      rank.backward(microBatchOf(k), chunkOf(k, false));
    }
    for (let k = total - warmup; k < total; k++) rank.backward(microBatchOf(k), chunkOf(k, false));
  }, 'chunk', 2 * total);
}

const isCount = (n: number) => Number.isInteger(n) && n >= 1;
const chunks = (virtualStages: number) => Math.max(1, virtualStages);

export const interleavedSchedule: ScheduleSpec<'interleaved-1f1b'> = {
  kind: 'interleaved-1f1b',
  displayName: 'Interleaved 1F1B',
  docs: 'Interleaved 1F1B (Megatron-LM, Narayanan et al., 2021): `virtual_stages` chunks per rank divide the bubble by that factor, at more point-to-point traffic; m must be a multiple of P.',
  evenLayerSplit: true,
  splitsBackward: false,
  laneField: 'chunk',
  usesVirtualStages: true,
  directions: 1,
  pairsChunks: false,
  lanesPerRank: ({ virtualStages }) => chunks(virtualStages),
  stageCount: ({ ranks, virtualStages }) => ranks * chunks(virtualStages),
  stageOfLane: (ranks, rank, lane) => lane * ranks + rank,
  validate: ({ ranks: P, microBatches: N, virtualStages: v }) => {
    if (!isCount(v)) return { code: 'schedule/invalid-virtual-stages', reason: `virtual stages per rank must be a positive integer, got ${v}` };
    if (N % P !== 0)
      return {
        code: 'schedule/interleaved-micro-batches',
        reason: `interleaved 1F1B needs micro-batches to be a multiple of pipeline ranks (Megatron-LM): ${N} is not a multiple of ${P}`,
        microBatches: Math.max(P, Math.round(N / P) * P),
      };
    return undefined;
  },
  opBound: ({ ranks, microBatches, virtualStages }) => ranks * microBatches * chunks(virtualStages) * 2,
  generate: ({ ranks, microBatches, virtualStages }) => interleaved1F1B(ranks, microBatches, virtualStages),
  // Megatron's warm-up 2(P−r−1) + (v−1)P, plus one.
  peakActivationChunks: ({ ranks: P, microBatches, virtualStages }, r) => {
    const v = chunks(virtualStages);
    return Math.min(Math.max(1, microBatches) * v, 2 * (P - r - 1) + (v - 1) * P + 1);
  },
  // Megatron-LM `forward_backward_pipelining_with_interleaving` without overlap: a steady-state step runs its forward
  // and backward back to back, then one send_forward_backward_recv_forward_backward; warm-up and cool-down use
  // send_forward_recv_forward and send_backward_recv_backward; with every micro-batch in the warm-up the first
  // backward's gradient comes in its own recv_backward.
  exchangeAt: ({ ranks, microBatches, virtualStages }, r, boundary) => {
    const v = chunks(virtualStages);
    const total = microBatches * v;
    const warmup = warmupOf(ranks, microBatches, v, r);
    if (warmup >= total) return boundary === warmup ? EXCHANGE_SPLIT : EXCHANGE_COMBINED;
    return boundary > warmup && boundary < warmup + 2 * (total - warmup) && (boundary - warmup) % 2 === 1 ? EXCHANGE_NONE : EXCHANGE_COMBINED;
  },
};
