/**
 * What the real launch files carry beyond the layout: sequence parallelism, group-limited routing, the recompute
 * granularity and its modules, and hybrid sharded data parallelism — each checked as Megatron-Core checks it
 * (megatron/training/arguments.py, megatron/core/transformer/transformer_config.py, megatron/core/parallel_state.py).
 */
import type { Diagnostic } from '../diagnostics';
import { setValueFix } from '../fixes';
import { getPath } from '../formats/source';
import { expertSpanNodes } from '../resolve';
import { divisors, fmt, has, nearest, plural, report, type RuleContext } from './context';

function sequenceParallel(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p } = ctx.config;
  const path = 'parallelism.sequence_parallel';
  const out: Diagnostic[] = [];
  if (p.tensor <= 1 && valueAt(ctx, path) === true)
    out.push(report(ctx, 'warning', 'parallelism/sequence-parallel-without-tp', path,
      'sequence_parallel has no effect with tensor 1: there is no tensor-parallel group to split the sequence over (Megatron turns it off).',
      [setValueFix(ctx.doc, path, false)]));
  if (p.tensor > 1 && !p.sequenceParallel) {
    if (p.tpCommOverlap)
      out.push(report(ctx, 'error', 'parallelism/tp-overlap-needs-sequence-parallel', has(ctx, path) ? path : 'parallelism.tp_comm_overlap',
        'tp_comm_overlap needs sequence_parallel: Megatron overlaps the reduce-scatter and all-gather that sequence parallelism uses, and asserts it is on.',
        [setValueFix(ctx.doc, path, true, undefined, true), setValueFix(ctx.doc, 'parallelism.tp_comm_overlap', false)]));
    if (model.moe)
      // A warning: the layout is still priced (norms and residuals kept whole on each TP rank); the layout search never
      // proposes it (simulator/search.ts sets sequence_parallel with every tensor > 1).
      out.push(report(ctx, 'warning', 'parallelism/moe-tensor-needs-sequence-parallel', has(ctx, path) ? path : 'parallelism.tensor',
        `MoE layers with tensor ${fmt(p.tensor)} need sequence_parallel: Megatron-Core's MoE layer raises in training when tensor parallelism runs without it (moe_layer.py).`,
        [setValueFix(ctx.doc, path, true, undefined, true)]));
    else if (!p.tpCommOverlap)
      out.push(report(ctx, 'info', 'parallelism/no-sequence-parallel', has(ctx, path) ? path : 'parallelism.tensor',
        `Without sequence_parallel every one of the ${fmt(p.tensor)} tensor-parallel ranks keeps the norms' and residuals' activations whole and runs the norms on the whole sequence (Korthikanti et al. 2022); the communication is the same.`,
        [setValueFix(ctx.doc, path, true)]));
  }
  return out;
}

function routerGroups(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p, cluster } = ctx.config;
  const moe = model.moe;
  if (!moe) return [];
  const out: Diagnostic[] = [];
  const groupsPath = 'model.moe.router_groups';
  const topkPath = 'model.moe.router_group_topk';
  const G = valueAt(ctx, groupsPath);
  const T = valueAt(ctx, topkPath);
  if (typeof G !== 'number' && typeof T !== 'number') return [];
  if (typeof G !== 'number' || typeof T !== 'number') {
    out.push(report(ctx, 'error', 'routing/group-pair', typeof G === 'number' ? groupsPath : topkPath,
      'router_groups and router_group_topk go together: group-limited routing needs both the group count and how many groups a token may use.'));
    return out;
  }
  if (T > G)
    out.push(report(ctx, 'error', 'routing/group-topk-above-groups', topkPath,
      `router_group_topk ${fmt(T)} is more than router_groups ${fmt(G)}: a token cannot pick more groups than there are.`,
      [setValueFix(ctx.doc, topkPath, G)]));
  if (moe.routedExperts % G !== 0)
    out.push(report(ctx, 'error', 'routing/groups-divide-experts', groupsPath,
      `${fmt(moe.routedExperts)} routed experts do not split into ${fmt(G)} equal groups.`,
      nearest(divisors(moe.routedExperts), G).map((v) => setValueFix(ctx.doc, groupsPath, v))));
  else if (moe.expertsPerToken > T * (moe.routedExperts / G))
    out.push(report(ctx, 'error', 'routing/group-topk-too-few-experts', topkPath,
      `${fmt(T)} groups of ${fmt(moe.routedExperts / G)} experts hold fewer than the ${fmt(moe.expertsPerToken)} experts each token needs.`));
  // The node limit is what the simulator costs; group-limited routing enforces it only when the groups are the nodes.
  const span = expertSpanNodes(p.expert, cluster.gpusPerNode);
  const M = valueAt(ctx, 'model.moe.max_nodes_per_token');
  if (G !== span) {
    const what = span === 1
      ? `the expert-parallel group sits in one node (expert ${fmt(p.expert)}, ${fmt(cluster.gpusPerNode)} GPUs per node), so the groups limit experts, not nodes`
      : `the expert-parallel group spans ${plural(span, 'node')} (expert ${fmt(p.expert)} / ${fmt(cluster.gpusPerNode)} GPUs per node), so each group is ${G > span ? 'part of a node' : 'several nodes'}`;
    const fixes = span > 1 && moe.routedExperts % span === 0 && T <= span ? [setValueFix(ctx.doc, groupsPath, span, undefined, true)] : [];
    out.push(report(ctx, typeof M === 'number' ? 'warning' : 'info', 'routing/groups-not-nodes', groupsPath,
      typeof M === 'number'
        ? `router_groups ${fmt(G)} do not enforce max_nodes_per_token ${fmt(M)}: ${what}. The node limit holds only when the groups are the nodes.`
        : `router_groups ${fmt(G)} are not the EP group's nodes: ${what}; no node limit follows from them (give max_nodes_per_token if the run limits nodes some other way).`,
      fixes));
  } else if (typeof M === 'number' && M !== T) {
    out.push(report(ctx, 'error', 'routing/groups-disagree-with-limit', topkPath,
      `router_group_topk ${fmt(T)} over ${plural(G, 'group')} = nodes limits each token to ${plural(T, 'node')}, but max_nodes_per_token says ${fmt(M)}.`,
      [setValueFix(ctx.doc, topkPath, M, undefined, true), setValueFix(ctx.doc, 'model.moe.max_nodes_per_token', T)]));
  }
  return out;
}

function recompute(ctx: RuleContext): Diagnostic[] {
  const { model, training: t, parallelism: p } = ctx.config;
  const out: Diagnostic[] = [];
  const modulesPath = 'training.recompute_modules';
  if (has(ctx, modulesPath) && t.recompute !== 'selective')
    out.push(report(ctx, 'warning', 'training/modules-without-selective', modulesPath,
      `recompute_modules applies to selective recompute only; with recompute ${t.recompute} it is ignored (Megatron reads --recompute-modules only with --recompute-granularity selective).`,
      [setValueFix(ctx.doc, 'training.recompute', 'selective')]));
  if (has(ctx, modulesPath) && t.recompute === 'selective') {
    const m = new Set(t.recomputeModules);
    if (m.has('mla_up_proj') && model.attention.type !== 'mla')
      out.push(report(ctx, 'error', 'training/mla-up-proj-without-mla', modulesPath,
        'mla_up_proj recomputes multi-latent attention\'s up-projections; this model has no MLA (Megatron refuses it).'));
    if ((m.has('moe_act') || m.has('moe') || m.has('shared_experts')) && !model.moe)
      out.push(report(ctx, 'warning', 'training/moe-module-without-moe', modulesPath,
        'moe, moe_act and shared_experts name MoE modules; this model has none, so they recompute nothing.'));
    if (m.has('shared_experts') && model.moe && model.moe.sharedExperts === 0)
      out.push(report(ctx, 'warning', 'training/shared-experts-without-shared', modulesPath, 'shared_experts is listed but the model has no shared experts.'));
    const fp8 = ctx.config.precision.fp8;
    if (fp8 && fp8.scaling === 'delayed' && (m.has('layernorm') || m.has('moe_act')))
      out.push(report(ctx, 'error', 'training/recompute-delayed-fp8', modulesPath,
        'layernorm and moe_act recompute do not work with delayed FP8 scaling: re-running them would update the amax history twice (Megatron-Core refuses it); use current (tensorwise) scaling or drop them.',
        [setValueFix(ctx.doc, 'precision.fp8.scaling', 'tensorwise')]));
    if (m.has('mlp') && m.has('mlp_act'))
      out.push(report(ctx, 'info', 'training/module-covered', modulesPath, 'mlp_act is already covered by mlp (the whole dense MLP is recomputed).'));
    if (m.has('moe') && (m.has('moe_act') || m.has('shared_experts')))
      out.push(report(ctx, 'info', 'training/module-covered', modulesPath, 'moe recomputes the whole MoE layer; moe_act and shared_experts add nothing.'));
    if (m.has('core_attn') && m.size === 1 && t.attentionBackend !== 'unfused')
      out.push(report(ctx, 'info', 'training/core-attn-fused', modulesPath,
        'core_attn alone (Megatron\'s default) frees nothing with a fused attention kernel: flash and cuDNN attention keep no s × s scores to recompute.'));
  }
  for (const key of ['recompute_method', 'recompute_layers'] as const) {
    const path = `training.${key}`;
    if (has(ctx, path) && t.recompute !== 'full')
      out.push(report(ctx, 'warning', 'training/method-without-full', path,
        `${key} applies to full recompute only; with recompute ${t.recompute} it is ignored (Megatron asserts recompute_num_layers is unset for selective).`,
        [setValueFix(ctx.doc, 'training.recompute', 'full')]));
  }
  if (t.recompute === 'full') {
    // Megatron-Core: "recompute_num_layers must be between 1 and num_layers_per_pipeline_rank".
    const perRank = Math.max(1, Math.floor(model.layers / Math.max(1, p.pipeline)));
    if (t.recomputeLayers > perRank)
      out.push(report(ctx, 'error', 'training/recompute-layers-above-stage', 'training.recompute_layers',
        `recompute_layers ${fmt(t.recomputeLayers)} is more than the ${plural(perRank, 'layer')} of a pipeline rank (${fmt(model.layers)} layers over pipeline ${fmt(p.pipeline)}); Megatron-Core asserts it is at most that.`,
        [setValueFix(ctx.doc, 'training.recompute_layers', perRank, undefined, true)]));
  }
  return out;
}

function dataShard(ctx: RuleContext): Diagnostic[] {
  const { parallelism: p } = ctx.config;
  const path = 'parallelism.data_shard';
  const v = valueAt(ctx, path);
  if (typeof v !== 'number') return [];
  const out: Diagnostic[] = [];
  if (p.data % v !== 0 || v > p.data)
    out.push(report(ctx, 'error', 'parallelism/data-shard-divides', path,
      `data_shard ${fmt(v)} does not divide data ${fmt(p.data)}: the data-parallel ranks must split into equal sharding groups (Megatron asserts DP is divisible by --num-distributed-optimizer-instances).`,
      nearest(divisors(p.data), v).map((d) => setValueFix(ctx.doc, path, d))));
  else if (p.zeroStage === 0)
    out.push(report(ctx, 'warning', 'parallelism/data-shard-without-zero', path,
      'data_shard has no effect at zero_stage 0: nothing is sharded, every rank holds everything.',
      [setValueFix(ctx.doc, 'parallelism.zero_stage', 1)]));
  else if (v === p.data)
    out.push(report(ctx, 'info', 'parallelism/data-shard-whole', path, `data_shard ${fmt(v)} = data: one sharding group, plain ZeRO ${p.zeroStage} (no replicas).`));
  return out;
}

/** The value written at `path` (undefined when absent). */
const valueAt = (ctx: RuleContext, path: string): unknown => getPath(ctx.doc.value, path);

export function representationRules(ctx: RuleContext): Diagnostic[] {
  return [...sequenceParallel(ctx), ...routerGroups(ctx), ...recompute(ctx), ...dataShard(ctx)];
}
