/**
 * Communication volumes and times. Ranks are numbered Megatron-style, innermost first:
 *   tensor (TP) → context (CP) → data (DP) → pipeline (PP),
 * and expert parallelism is laid over the TP·CP·DP ranks of a stage as expert-tensor (ETP) → expert (EP) → expert-DP.
 * A group whose members span one node uses NVLink (intraNodeGBps); one that spans several uses the NIC (interNodeGBps,
 * one NIC per GPU, so every member drives its own link). Collectives are rings: all-reduce moves 2(n−1)/n of the
 * buffer per GPU, reduce-scatter and all-gather (n−1)/n each (Patarasuk & Yuan 2009; NCCL's "bus bandwidth").
 */
import type { ResolvedConfig } from './config';
import { COLLECTIVE_LATENCY_SECONDS, DDP_BUCKET, SCALE_BYTES } from './constants';
import { expertLoadImbalance } from './model';

export interface GroupPlacement {
  size: number;
  /** Rank distance between consecutive members. */
  stride: number;
  /** Nodes the group's members occupy. */
  nodes: number;
  /** GB/s per GPU the group's collectives run at. */
  gbPerSecond: number;
  interNode: boolean;
}

export function placeGroup(config: ResolvedConfig, size: number, stride: number): GroupPlacement {
  const perNode = Math.max(1, config.cluster.gpusPerNode);
  const n = Math.max(1, size);
  const nodes = n <= 1 ? 1 : Math.max(1, Math.min(n, Math.ceil((n * stride) / perNode)));
  const interNode = nodes > 1;
  return { size: n, stride, nodes, interNode, gbPerSecond: interNode ? config.cluster.interNodeGBps : config.cluster.intraNodeGBps };
}

export interface Placement {
  tp: GroupPlacement;
  cp: GroupPlacement;
  dp: GroupPlacement;
  pp: GroupPlacement;
  ep: GroupPlacement;
  /** Replicas of each expert shard (expert data parallelism): their gradients are reduced over this group. */
  expertDp: GroupPlacement;
  /**
   * HSDP (data_shard < data): ZeRO shards over `dpShard` (consecutive DP ranks) and each shard is replicated over
   * `dpReplicas` (stride dataShard); the expert-DP group splits into the same number of replicas. Without HSDP
   * dpShard = dp, expertShard = expertDp and the replica groups have one member.
   * Dense gradients and their ZeRO shards span the context-parallel ranks too (`dp` and `dpShard` have cp × as many
   * members): each CP rank computes its sequence part's gradients of the same weights (Megatron-Core reduces and shards
   * over the data-parallel group with context parallelism, parallel_state `get_data_parallel_group(
   * with_context_parallel=True)`; torchtitan's FSDP shards over its dp_shard_cp mesh).
   */
  dpShard: GroupPlacement;
  dpReplicas: GroupPlacement;
  expertShard: GroupPlacement;
  expertReplicas: GroupPlacement;
}

/** The group sizes `placement` places: data parallelism with its HSDP shards and replicas, and expert DP alike. */
function groupSizes(p: ResolvedConfig['parallelism']) {
  const tp = Math.max(1, p.tensor);
  const cp = Math.max(1, p.context);
  const dp = Math.max(1, p.data);
  const etp = Math.max(1, p.expertTensor);
  const ep = Math.max(1, p.expert);
  const stageRanks = tp * cp * dp;
  const shard = Math.max(1, Math.min(dp, p.dataShard ?? dp));
  const replicas = Math.max(1, Math.floor(dp / shard));
  const expertDp = Math.max(1, Math.floor(stageRanks / (ep * etp)));
  const expertShard = Math.max(1, Math.floor(expertDp / replicas));
  return { tp, cp, dp, etp, ep, stageRanks, shard, replicas, expertDp, expertShard };
}

export function placement(config: ResolvedConfig): Placement {
  const p = config.parallelism;
  const { tp, cp, dp, etp, ep, stageRanks, shard, replicas, expertDp, expertShard } = groupSizes(p);
  const dpGroup = placeGroup(config, dp * cp, tp);
  const expertDpGroup = placeGroup(config, expertDp, ep * etp);
  return {
    tp: placeGroup(config, tp, 1),
    cp: placeGroup(config, cp, tp),
    dp: dpGroup,
    pp: placeGroup(config, p.pipeline, stageRanks),
    ep: placeGroup(config, ep, etp),
    expertDp: expertDpGroup,
    dpShard: replicas > 1 ? placeGroup(config, shard * cp, tp) : dpGroup,
    dpReplicas: placeGroup(config, replicas, tp * cp * shard),
    expertShard: replicas > 1 ? placeGroup(config, expertShard, ep * etp) : expertDpGroup,
    expertReplicas: placeGroup(config, Math.max(1, Math.floor(expertDp / expertShard)), ep * etp * expertShard),
  };
}

/**
 * The sizes of `placement`'s ZeRO shard groups (dpShard, expertShard) without placing the ten groups: the memory
 * estimate, which a layout search calls per layout, reads only these.
 */
export function zeroShardSizes(config: ResolvedConfig): { dense: number; experts: number } {
  const { cp, dp, shard, replicas, expertDp, expertShard } = groupSizes(config.parallelism);
  return { dense: Math.max(1, replicas > 1 ? shard * cp : dp * cp), experts: replicas > 1 ? expertShard : expertDp };
}

const seconds = (bytes: number, g: GroupPlacement) => (bytes > 0 ? bytes / (g.gbPerSecond * 1e9) + COLLECTIVE_LATENCY_SECONDS : 0);

/** Bytes each GPU sends in a ring collective over `g` on a buffer of `bytes`. */
export function ringBytes(kind: 'all-reduce' | 'reduce-scatter' | 'all-gather', bytes: number, g: GroupPlacement): number {
  if (g.size <= 1) return 0;
  const share = (g.size - 1) / g.size;
  return (kind === 'all-reduce' ? 2 : 1) * share * bytes;
}

export function collectiveSeconds(kind: 'all-reduce' | 'reduce-scatter' | 'all-gather', bytes: number, g: GroupPlacement): number {
  return seconds(ringBytes(kind, bytes, g), g);
}

/** Bytes and seconds one GPU spends on one communication, split by link. */
export interface Transfer {
  seconds: number;
  interNodeBytes: number;
  intraNodeBytes: number;
}

export const noTransfer: Transfer = { seconds: 0, interNodeBytes: 0, intraNodeBytes: 0 };

export function addTransfers(...ts: Transfer[]): Transfer {
  return ts.reduce(
    (a, t) => ({ seconds: a.seconds + t.seconds, interNodeBytes: a.interNodeBytes + t.interNodeBytes, intraNodeBytes: a.intraNodeBytes + t.intraNodeBytes }),
    noTransfer,
  );
}

export const scaleTransfer = (t: Transfer, k: number): Transfer => ({
  seconds: t.seconds * k,
  interNodeBytes: t.interNodeBytes * k,
  intraNodeBytes: t.intraNodeBytes * k,
});

function collective(kind: 'all-reduce' | 'reduce-scatter' | 'all-gather', bytes: number, g: GroupPlacement): Transfer {
  const moved = ringBytes(kind, bytes, g);
  return { seconds: seconds(moved, g), interNodeBytes: g.interNode ? moved : 0, intraNodeBytes: g.interNode ? 0 : moved };
}

/**
 * Token copies one token makes in the EP dispatch, by link, per dispatcher (Megatron-Core --moe-token-dispatcher-type).
 * The EP group spans `span` nodes with ep/span of its GPUs on each.
 * - flex (DeepEP, DeepSeek-V3 §3.2.2): IB carries one copy to the GPU with the same in-node index on each target
 *   node, NVLink forwards it to the experts there. Node-limited routing (M) reaches R = min(M, span) nodes (span
 *   without a limit); top-k experts drawn uniformly over them hit R·(1 − (1 − 1/R)^k) distinct nodes on average (M=4,
 *   k=8: 3.6), one of them the token's own with probability 1/span. Every expert copy crosses NVLink once.
 * - alltoall (NCCL): one copy per expert on another GPU; each copy bound for another node crosses the NIC itself,
 *   whatever the node limit: k·(1 − 1/span) over IB, k·(ep/span − 1)/ep over NVLink.
 * (allgather moves whole token blocks instead: see `expertAllToAll`.)
 */
export function expertRouting(config: ResolvedConfig): { spanNodes: number; targetNodes: number; interNodeCopies: number; intraNodeCopies: number } {
  const moe = config.model.moe;
  if (!moe || config.parallelism.expert <= 1) return { spanNodes: 1, targetNodes: 1, interNodeCopies: 0, intraNodeCopies: 0 };
  const ep = placement(config).ep;
  const span = ep.nodes;
  const k = moe.expertsPerToken;
  // The gate picks `reachable` nodes (all of them without a limit), then top-k experts inside them.
  const reachable = moe.maxNodesPerToken !== undefined ? Math.max(1, Math.min(moe.maxNodesPerToken, span)) : span;
  const targetNodes = reachable * (1 - Math.pow(1 - 1 / reachable, k));
  if (config.parallelism.moeTokenDispatcher === 'flex') {
    const interNodeCopies = span > 1 ? targetNodes * (1 - 1 / span) : 0;
    // Copies that leave the source GPU: each expert lives on another GPU of the group with probability (ep−1)/ep.
    return { spanNodes: span, targetNodes, interNodeCopies, intraNodeCopies: k * (1 - 1 / ep.size) };
  }
  const perNode = ep.size / span;
  return { spanNodes: span, targetNodes, interNodeCopies: span > 1 ? k * (1 - 1 / span) : 0, intraNodeCopies: (k * (perNode - 1)) / ep.size };
}

/**
 * One dispatch or combine of `tokens` tokens with `bytesPerToken` each: NIC and NVLink run concurrently, the slower
 * sets the time, and the busiest GPU (load imbalance × the mean) sets the group's pace.
 */
function allToAll(config: ResolvedConfig, tokens: number, bytesPerToken: number): Transfer {
  const r = expertRouting(config);
  const inter = tokens * r.interNodeCopies * bytesPerToken;
  const intra = tokens * r.intraNodeCopies * bytesPerToken;
  if (inter + intra <= 0) return noTransfer;
  const busiest = expertLoadImbalance(config);
  const time = busiest * Math.max(inter / (config.cluster.interNodeGBps * 1e9), intra / (config.cluster.intraNodeGBps * 1e9)) + COLLECTIVE_LATENCY_SECONDS;
  return { seconds: time, interNodeBytes: inter, intraNodeBytes: intra };
}

/** Bytes per hidden element of an FP8 activation with one FP32 scale per tile. */
function fp8Bytes(config: ResolvedConfig): number {
  return 1 + SCALE_BYTES / Math.max(1, config.precision.fp8?.activationTile ?? 128);
}

/** Bytes per hidden element the EP dispatch sends: FP8 when the recipe says so, else BF16 (the combine is BF16). */
function dispatchBytesPerElement(config: ResolvedConfig): number {
  return config.precision.compute === 'fp8' && config.precision.fp8?.dispatchFp8 ? fp8Bytes(config) : 2;
}

/**
 * Share of a MoE layer's EP seconds (per phase) spent in the dispatch direction, the rest in the combine direction:
 * the two move the same token copies, at their own element widths (the ETP gather and scatter split the same way).
 */
export function dispatchShare(config: ResolvedConfig): number {
  const d = dispatchBytesPerElement(config);
  return d / (d + 2);
}

/**
 * EP dispatch and combine of one MoE layer for one micro-batch on one GPU. Forward: dispatch (FP8 when the recipe says so) and
 * combine (BF16). Backward mirrors them: the gradient sent toward the experts (before the down-projection's dgrad)
 * travels like a dispatch, FP8 under DeepSeek's recipe; the one sent back travels like a combine, BF16.
 */
export function expertAllToAll(config: ResolvedConfig, tokensPerGpu: number): { forward: Transfer; backward: Transfer } {
  const h = config.model.hiddenSize;
  if (config.parallelism.moeTokenDispatcher === 'allgather' && config.model.moe && config.parallelism.expert > 1) {
    // All-gather every token of the EP group, reduce-scatter the expert outputs back (BF16 both ways).
    const g = placement(config).ep;
    const both = addTransfers(collective('all-gather', g.size * tokensPerGpu * h * 2, g), collective('reduce-scatter', g.size * tokensPerGpu * h * 2, g));
    return { forward: both, backward: both };
  }
  const dispatch = allToAll(config, tokensPerGpu, h * dispatchBytesPerElement(config));
  const combine = allToAll(config, tokensPerGpu, h * 2);
  const both = addTransfers(dispatch, combine, expertTensorGather(config, tokensPerGpu));
  return { forward: both, backward: both };
}

/**
 * Expert tensor parallelism (Megatron-Core MoEAlltoAllTokenDispatcher): every ETP rank holds a slice of each local
 * expert, so after the EP all-to-all the received tokens are all-gathered over the ETP group, and the experts' partial
 * outputs reduce-scattered back before the combine (BF16; the busiest GPU's load). Backward mirrors it (reduce-scatter
 * of the input gradients, all-gather of the output gradients). The flex dispatcher (MoEFlexTokenDispatcher) instead
 * dispatches over the ETP × EP group, each chosen expert's ETP ranks receiving a copy: the same extra bytes within
 * the ETP group, costed here as the same gather and scatter (which holds while the ETP group sits inside a node, where
 * DeepEP forwards the copies over NVLink).
 */
function expertTensorGather(config: ResolvedConfig, tokensPerGpu: number): Transfer {
  const moe = config.model.moe;
  const etp = Math.max(1, config.parallelism.expertTensor);
  if (!moe || etp <= 1 || config.parallelism.expert <= 1 || config.parallelism.moeTokenDispatcher === 'allgather') return noTransfer;
  const g = placeGroup(config, etp, 1);
  const gathered = etp * tokensPerGpu * moe.expertsPerToken * expertLoadImbalance(config) * config.model.hiddenSize * 2;
  return addTransfers(collective('all-gather', gathered, g), collective('reduce-scatter', gathered, g));
}

/**
 * Tensor-parallel communication of one layer for one micro-batch: with sequence parallelism, an all-gather before and a
 * reduce-scatter after each of attention and MLP in forward (= 2 all-reduces), the same again in backward
 * (Korthikanti et al. 2022). Buffer: the micro-batch's activations, BF16.
 */
export function tensorParallelLayer(config: ResolvedConfig, tokens: number): { forward: Transfer; backward: Transfer } {
  const g = placement(config).tp;
  const bytes = tokens * config.model.hiddenSize * 2;
  const fwd = addTransfers(collective('all-gather', bytes, g), collective('reduce-scatter', bytes, g));
  const twice = scaleTransfer(fwd, 2);
  return { forward: twice, backward: twice };
}

/**
 * A MoE layer's TP collectives as a share of a dense layer's: half (attention only) when its MLP half has none. Under
 * the alltoall and flex dispatchers the MoE block takes the sequence-parallel shard as it is and the routed experts'
 * tokens move by the EP dispatch (with the ETP gather, `expertTensorGather`); only shared experts, a TP-parallel MLP,
 * gather and scatter (Megatron-Core moe_layer.py, token_dispatcher.py).
 */
export function moeLayerTpShare(config: ResolvedConfig): number {
  const moe = config.model.moe;
  const p = config.parallelism;
  return moe && moe.sharedExperts === 0 && p.expert > 1 && p.moeTokenDispatcher !== 'allgather' ? 0.5 : 1;
}

/**
 * Context-parallel ring attention of one layer: each GPU passes its K,V shard around the ring (cp−1 hops) in forward,
 * and K,V plus their gradients in backward. Overlapped with the attention core by design (ring attention).
 */
export function contextParallelLayer(config: ResolvedConfig, tokensPerGpu: number, kvDim: number): { forward: Transfer; backward: Transfer } {
  const g = placement(config).cp;
  if (g.size <= 1) return { forward: noTransfer, backward: noTransfer };
  const bytes = (g.size - 1) * tokensPerGpu * kvDim * 2;
  const t = (b: number): Transfer => ({ seconds: seconds(b, g), interNodeBytes: g.interNode ? b : 0, intraNodeBytes: g.interNode ? 0 : b });
  return { forward: t(bytes), backward: t(2 * bytes) };
}

/**
 * Pipeline point-to-point of one micro-batch's activation (or gradient) between adjacent stages. With TP, Megatron's
 * scatter-gather optimisation sends 1/tp of it from each TP rank.
 */
export function pipelineTransfer(config: ResolvedConfig, tokens: number): Transfer {
  const g = placement(config).pp;
  if (g.size <= 1) return noTransfer;
  const bytes = (tokens * config.model.hiddenSize * 2) / Math.max(1, config.parallelism.tensor);
  return { seconds: seconds(bytes, g), interNodeBytes: g.interNode ? bytes : 0, intraNodeBytes: g.interNode ? 0 : bytes };
}

/** Parameters one DP bucket holds: `parallelism.ddp_bucket_size`, else Megatron-Core's max(40M, 1M × DP·CP). */
export function ddpBucketParameters(config: ResolvedConfig): number {
  const p = config.parallelism;
  const given = p.ddpBucketSize;
  if (given !== undefined && given > 0) return given;
  return Math.max(DDP_BUCKET.minParameters, DDP_BUCKET.parametersPerDpRank * Math.max(1, p.data) * Math.max(1, p.context));
}

/** One model chunk's parameters on one GPU (after TP and EP sharding), its layers and those holding routed experts. */
export interface ChunkParameters {
  dense: number;
  experts: number;
  layers: number;
  expertLayers: number;
}

/**
 * DP buckets one rank reduces per step, per buffer (Megatron-Core keeps dense and expert-parallel parameters in
 * separate buffers). Megatron-Core buckets only the first model chunk of pipeline rank 0, and only with
 * --overlap-grad-reduce; every other chunk, and every chunk of a later pipeline rank, is one bucket ("data-parallel
 * communication on these stages is not on the critical path": NVIDIA/Megatron-LM megatron/training/training.py
 * `per_chunk_bucket_sizes`, megatron/core/distributed/distributed_data_parallel.py). Each bucket is its own
 * reduce-scatter (all-reduce at ZeRO 0) and, with a sharded optimizer, its own all-gather.
 * ZeRO 2-3 are FSDP (Megatron-FSDP, PyTorch FSDP2 in torchtitan), which instead shards and communicates per wrapped
 * module, one transformer layer each, on every chunk of every pipeline rank (torchtitan
 * `apply_fsdp`: `fully_shard` per block; NVIDIA/Megatron-LM megatron/core/distributed/fsdp).
 */
export function ddpBuckets(config: ResolvedConfig, chunks: readonly ChunkParameters[], pipelineRank: number): { dense: number; experts: number } {
  const size = ddpBucketParameters(config);
  const fsdp = isFsdp(config);
  const bucketed = config.parallelism.overlapGradReduce && pipelineRank === 0;
  const count = (n: number, units: number, i: number) => (n <= 0 ? 0 : fsdp ? Math.max(1, units) : bucketed && i === 0 ? Math.max(1, Math.ceil(n / size)) : 1);
  return chunks.reduce((a, c, i) => ({ dense: a.dense + count(c.dense, c.layers, i), experts: a.experts + count(c.experts, c.expertLayers, i) }), { dense: 0, experts: 0 });
}

/** ZeRO 2-3: the FSDP implementations, whose communication units are the wrapped layers (`ddpBuckets`). */
const isFsdp = (config: ResolvedConfig) => config.parallelism.zeroStage >= 2;

/**
 * Share of a rank's DP bytes in the buckets that fill last (and are gathered first): the first model chunk's last
 * dense and last expert bucket, which both become ready at that chunk's final backward (its backward runs last) and
 * so cannot hide under it. Buckets of a chunk are taken as equal in size.
 */
export function lastBucketShare(config: ResolvedConfig, chunks: readonly ChunkParameters[], pipelineRank: number): number {
  const total = chunks.reduce((a, c) => a + c.dense + c.experts, 0);
  if (chunks.length === 0 || total <= 0) return 1;
  const size = ddpBucketParameters(config);
  const fsdp = isFsdp(config);
  const bucketed = config.parallelism.overlapGradReduce && pipelineRank === 0;
  const last = (n: number, units: number) => (n <= 0 ? 0 : fsdp ? n / Math.max(1, units) : bucketed ? n / Math.max(1, Math.ceil(n / size)) : n);
  return Math.min(1, (last(chunks[0].dense, chunks[0].layers) + last(chunks[0].experts, chunks[0].expertLayers)) / total);
}

/**
 * Data-parallel gradient and parameter traffic of one step on one GPU, per ZeRO stage (Rajbhandari et al. 2020):
 * stage 0 all-reduces gradients; 1-2 reduce-scatter gradients and all-gather updated BF16 parameters once per step;
 * stage 3 keeps only a shard, so it gathers the parameters for every micro-batch's forward and again for its backward
 * (FSDP with reshard-after-forward), 2 × micro-batches gathers per step, prefetched under compute.
 * Dense parameters reduce over DP; expert parameters over the expert-DP group (each split by HSDP, see Placement).
 * Every bucket (`buckets`, per buffer; one each when not given) is a separate collective and pays its own latency.
 * `pl`: `placement(config)`, when the caller asks for every pipeline rank of one config.
 */
export function dataParallelStep(
  config: ResolvedConfig,
  denseParams: number,
  expertParams: number,
  buckets: { dense: number; experts: number } = { dense: 1, experts: 1 },
  pl: Placement = placement(config),
): { gradients: Transfer; parameters: Transfer } {
  const gradBytes = config.precision.gradients === 'fp32' ? 4 : 2;
  const zero = config.parallelism.zeroStage;
  // `k` collectives of n/k parameters each: the bytes of one, k latencies.
  const bucketed = (k: number, n: number, one: (bytes: number) => Transfer): Transfer => (n > 0 ? scaleTransfer(one(n / Math.max(1, k)), Math.max(1, k)) : noTransfer);
  // HSDP: reduce-scatter inside the shard group, then all-reduce each 1/shard slice across the replicas; parameters
  // are gathered inside the shard group only (PyTorch FSDP2 HYBRID_SHARD; Megatron's partial distributed optimizer).
  const grads = (k: number, n: number, whole: GroupPlacement, shard: GroupPlacement, replicas: GroupPlacement) =>
    bucketed(k, n, (b) =>
      zero === 0
        ? collective('all-reduce', b * gradBytes, whole)
        : addTransfers(collective('reduce-scatter', b * gradBytes, shard), collective('all-reduce', (b * gradBytes) / shard.size, replicas)),
    );
  const gathers = zero === 3 ? 2 * Math.max(1, config.parallelism.microBatches) : 1;
  const params = (k: number, n: number, g: GroupPlacement) => (zero === 0 ? noTransfer : scaleTransfer(bucketed(k, n, (b) => collective('all-gather', b * 2, g)), gathers));
  return {
    gradients: addTransfers(grads(buckets.dense, denseParams, pl.dp, pl.dpShard, pl.dpReplicas), grads(buckets.experts, expertParams, pl.expertDp, pl.expertShard, pl.expertReplicas)),
    parameters: addTransfers(params(buckets.dense, denseParams, pl.dpShard), params(buckets.experts, expertParams, pl.expertShard)),
  };
}
