/**
 * Interleaved 1F1B (Narayanan et al., SC'21; Megatron-LM `forward_backward_pipelining_with_interleaving`).
 * Rank r holds v chunks, chunk c being model stage c·P + r. Micro-batches go through the chunks in groups of P
 * (why Megatron requires N to be a multiple of P); backwards visit the chunks in reverse.
 */
import { type OpColumns, perRank } from './program';

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
    // With N = P the steady state has nothing to pair, so Megatron runs all forwards first.
    const warmup =
      microBatches === ranks ? total : Math.min((ranks - pipelineRank - 1) * 2 + (chunksPerRank - 1) * ranks, total);
    for (let k = 0; k < warmup; k++) rank.forward(microBatchOf(k), chunkOf(k, true));
    for (let k = 0; k < total - warmup; k++) {
      rank.forward(microBatchOf(warmup + k), chunkOf(warmup + k, true));
      rank.backward(microBatchOf(k), chunkOf(k, false));
    }
    for (let k = total - warmup; k < total; k++) rank.backward(microBatchOf(k), chunkOf(k, false));
  }, 'chunk', 2 * total);
}
