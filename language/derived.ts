/** Human text for values the resolver derived, by the path a hover sits on. */
import type { ResolvedConfig } from '../simulator/config';
import { fmt, plural } from './rules/context';
import { expertSpanNodes } from './rules/routing';
import { scheduleSpec } from '../simulator/schedules';
import { layerSplit, type LayerSplit } from '../simulator/stages';

const scaled = (n: number) =>
  n >= 1e12 ? `${fmt(n / 1e12)}T` : n >= 1e9 ? `${fmt(n / 1e9)}B` : n >= 1e6 ? `${fmt(n / 1e6)}M` : n >= 1e3 ? `${fmt(n / 1e3)}K` : fmt(n);

export function derivedValues(c: ResolvedConfig, split: LayerSplit = layerSplit(c)): Record<string, string> {
  const out: Record<string, string> = {};
  const p = c.parallelism;
  const gpus = c.cluster.nodes * c.cluster.gpusPerNode;
  out['cluster.nodes'] = `${fmt(gpus)} GPUs (${fmt(c.cluster.nodes)} × ${fmt(c.cluster.gpusPerNode)})`;
  out['cluster.gpus_per_node'] = out['cluster.nodes'];
  const g = c.cluster.gpu;
  out['cluster.gpu'] = `${g.name}: ${fmt(g.bf16Tflops)} BF16${g.fp8Tflops ? ` / ${fmt(g.fp8Tflops)} FP8` : ''} TFLOP/s dense, ${fmt(g.hbmGiB)} GiB HBM at ${fmt(g.hbmTBps)} TB/s`;
  out['cluster.intra_node_gbps'] = `${fmt(c.cluster.intraNodeGBps)} GB/s per GPU (NVLink/IB ratio ${fmt(c.cluster.intraNodeGBps / c.cluster.interNodeGBps)})`;
  out['cluster.inter_node_gbps'] = `${fmt(c.cluster.interNodeGBps)} GB/s per GPU (NVLink/IB ratio ${fmt(c.cluster.intraNodeGBps / c.cluster.interNodeGBps)})`;

  const dataText = `${fmt(gpus)} GPUs / (tensor ${fmt(p.tensor)} × pipeline ${fmt(p.pipeline)} × context ${fmt(p.context)}) = ${fmt(gpus / (p.tensor * p.pipeline * p.context))}`;
  out['parallelism.data'] = p.dataDerived ? `derived: ${dataText}` : `${fmt(p.data)} (the cluster allows ${dataText})`;

  const L = c.model.layers;
  if (split.layersPerStage.length > 0) {
    const lo = Math.min(...split.layersPerStage);
    const hi = Math.max(...split.layersPerStage);
    const per = lo === hi ? `${lo} per stage` : `${lo}–${hi} per stage`;
    const stagesText = split.stages === p.pipeline ? `${fmt(split.stages)} stages` : `${fmt(split.stages)} stages (${fmt(split.stages / p.pipeline)} per rank)`;
    out['parallelism.pipeline'] = `${fmt(L)} layers over ${stagesText}: ${per}`;
  } else {
    out['parallelism.pipeline'] = `${fmt(L)} layers cannot fill ${fmt(split.stages)} stages`;
  }
  if (scheduleSpec(p.schedule).usesVirtualStages) out['parallelism.virtual_stages'] = out['parallelism.pipeline'];
  out['parallelism.schedule'] = out['parallelism.pipeline'];

  const m = c.training.globalBatchSize / (p.data * c.training.microBatchSize);
  const mText = `${fmt(m)} micro-batches per step = ${fmt(c.training.globalBatchSize)} / (data ${fmt(p.data)} × micro_batch_size ${fmt(c.training.microBatchSize)})`;
  out['training.global_batch_size'] = `${mText}; ${scaled(c.training.globalBatchSize * c.training.sequenceLength)} tokens per step`;
  out['training.micro_batch_size'] = mText;
  const steps = c.training.tokens / (c.training.globalBatchSize * c.training.sequenceLength);
  if (Number.isFinite(steps)) out['training.tokens'] = `${scaled(c.training.tokens)} tokens ≈ ${fmt(Math.ceil(steps))} optimizer steps`;
  if (p.dataShard !== undefined && p.dataShard < p.data) out['parallelism.data_shard'] = `HSDP: ${fmt(p.data / p.dataShard)} replicas of ${fmt(p.dataShard * Math.max(1, p.context))}-way ZeRO-${p.zeroStage} sharding (data ${fmt(p.data)}${p.context > 1 ? `; each shard spans its ${fmt(p.context)} context-parallel ranks` : ''})`;
  if (p.tensor > 1) out['parallelism.sequence_parallel'] = p.sequenceParallel ? `norms and residuals split over tensor ${fmt(p.tensor)}` : `norm and residual activations kept whole on each of the ${fmt(p.tensor)} tensor-parallel ranks`;
  if (p.context > 1) out['parallelism.context'] = `${fmt(c.training.sequenceLength / p.context)} tokens of each sequence per GPU`;

  const moe = c.model.moe;
  if (moe) {
    const span = expertSpanNodes(p.expert, c.cluster.gpusPerNode);
    const spanText = `the expert-parallel group spans ${plural(span, 'node')} (expert ${fmt(p.expert)} / ${fmt(c.cluster.gpusPerNode)} GPUs per node)`;
    out['model.moe.max_nodes_per_token'] = spanText;
    out['parallelism.expert'] = `${fmt(moe.routedExperts / p.expert)} routed experts per GPU; ${spanText}`;
    out['model.moe.routed_experts'] = `${fmt(moe.routedExperts / p.expert)} per GPU over expert ${fmt(p.expert)}`;
    if (moe.routerGroups !== undefined) {
      const limit = moe.maxNodesPerToken !== undefined && moe.routerGroups === span ? `: each token reaches at most ${plural(moe.maxNodesPerToken, 'node')}` : ': not the nodes, so no node limit follows';
      out['model.moe.router_groups'] = `${plural(moe.routerGroups, 'group')} of ${fmt(moe.routedExperts / moe.routerGroups)} experts; ${spanText}${limit}`;
      out['model.moe.router_group_topk'] = out['model.moe.router_groups'];
    }
  }
  return out;
}
