/**
 * Node-limited routing (DeepSeek-V3 §2.1.2, §3.2.2): each token goes to experts on at most M nodes. IB carries it
 * once per node and NVLink forwards it to the experts there, so M only binds when the expert-parallel group spans
 * more than M nodes, and at most intra/inter bandwidth (≈3.2 on H800) experts per node come for free.
 */
import type { Diagnostic } from '../diagnostics';
import { setValueFix } from '../fixes';
import { expertSpanNodes } from '../resolve';
import { fmt, has, plural, report, type RuleContext } from './context';

export { expertSpanNodes };

export function routingRules(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p, cluster } = ctx.config;
  const moe = model.moe;
  if (!moe) return [];
  const out: Diagnostic[] = [];
  const span = expertSpanNodes(p.expert, cluster.gpusPerNode);
  const spanText = `expert ${fmt(p.expert)} / ${fmt(cluster.gpusPerNode)} GPUs per node = ${plural(span, 'node')}`;
  const M = moe.maxNodesPerToken;
  const path = 'model.moe.max_nodes_per_token';
  const k = moe.expertsPerToken;
  if (M !== undefined) {
    if (span === 1) {
      out.push(report(ctx, 'warning', 'routing/limit-in-one-node', path,
        `max_nodes_per_token ${fmt(M)} has no effect: the expert-parallel group sits in one node (${spanText}).`));
    } else if (M > span) {
      out.push(report(ctx, 'error', 'routing/limit-above-span', path,
        `max_nodes_per_token ${fmt(M)} can never bind: the expert-parallel group spans only ${spanText}.`,
        [setValueFix(ctx.doc, path, span, undefined, true)]));
    }
    if (M > k) {
      out.push(report(ctx, 'error', 'routing/limit-above-top-k', path,
        `max_nodes_per_token ${fmt(M)} is more than experts_per_token ${fmt(k)}: a token never reaches more nodes than experts.`,
        [setValueFix(ctx.doc, path, Math.min(k, span), undefined, true)]));
    }
  }
  if (span > 1 && p.expert % cluster.gpusPerNode === 0 && moe.routedExperts % span !== 0) {
    out.push(report(ctx, 'error', 'routing/uneven-nodes', 'parallelism.expert',
      `${fmt(moe.routedExperts)} routed experts cannot spread evenly over the ${plural(span, 'node')} the expert-parallel group spans.`));
  }
  // Experts a token uses on each node it reaches: NVLink forwards to each of them after one IB hop.
  const nodesReached = Math.min(M ?? span, span, k);
  if (span > 1 && nodesReached >= 1) {
    const perNode = k / nodesReached;
    const ratio = cluster.intraNodeGBps / cluster.interNodeGBps;
    if (perNode > ratio) {
      const better = Math.ceil(k / ratio);
      const fixes = better <= span && better !== M ? [setValueFix(ctx.doc, path, better)] : [];
      out.push(report(ctx, 'warning', 'routing/nvlink-bottleneck', has(ctx, path) ? path : 'model.moe.experts_per_token',
        `Each token reaches ${fmt(k)} experts on ${plural(nodesReached, 'node')}: ${fmt(perNode)} per node, above the NVLink/IB ratio ${fmt(cluster.intraNodeGBps)}/${fmt(cluster.interNodeGBps)} = ${fmt(ratio)}, so NVLink forwarding inside each node becomes the bottleneck (DeepSeek-V3 §3.2.2).`,
        fixes));
    }
  }
  return out;
}
