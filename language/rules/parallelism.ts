/**
 * Parallelism rules: the layout must tile the cluster, split heads and layers whole, and give the schedule
 * the micro-batches it needs. Sources: Megatron-LM argument checks, the DualPipe README, Narayanan et al. (SC'21).
 */
import { registeredSchedules, scheduleSpec, validateScheduleRequest } from '../../simulator/schedules';
import type { Diagnostic, Fix } from '../diagnostics';
import { setText, setValueFix } from '../fixes';
import type { ResolvedConfig } from '../../simulator/config';
import { stageCount } from '../../simulator/stages';
import { divisors, fmt, has, nearest, plural, report, type RuleContext } from './context';

/**
 * Above this imbalance (slowest rank's load / mean − 1: a step 1.5× as long as an even spread, a third of it lost),
 * an uneven split is a warning, not an info.
 */
export const STAGE_IMBALANCE_WARNING = 0.5;

/** The share of each step lost when the slowest rank carries (1 + imbalance) × the mean load. */
function stepShareLost(imbalance: number): number {
  return imbalance > 0 ? imbalance / (1 + imbalance) : 0;
}


const world = (c: ResolvedConfig) => c.cluster.nodes * c.cluster.gpusPerNode;

function worldSize(ctx: RuleContext): Diagnostic[] {
  const { parallelism: p, cluster } = ctx.config;
  const gpus = world(ctx.config);
  const model = p.tensor * p.pipeline * p.context;
  const clusterText = `the cluster has ${fmt(cluster.nodes)} nodes × ${fmt(cluster.gpusPerNode)} = ${fmt(gpus)} GPUs`;
  if (p.dataDerived) {
    if (gpus % model === 0) return [];
    const options = divisors(gpus / (p.tensor * p.context)).filter((d) => d <= ctx.config.model.layers);
    const fixes = nearest(options, p.pipeline).map((v) => setValueFix(ctx.doc, 'parallelism.pipeline', v));
    return [
      report(ctx, 'error', 'parallelism/data-not-integral', has(ctx, 'parallelism.pipeline') ? 'parallelism.pipeline' : 'parallelism',
        `The data degree would be ${fmt(gpus)} GPUs / (tensor ${fmt(p.tensor)} × pipeline ${fmt(p.pipeline)} × context ${fmt(p.context)}) = ${fmt(gpus / model)}, not a whole number.`,
        fixes),
    ];
  }
  const used = model * p.data;
  if (used === gpus) return [];
  const fixes: (Fix | undefined)[] = [];
  if (gpus % model === 0) fixes.push(setValueFix(ctx.doc, 'parallelism.data', gpus / model, undefined, true));
  // The pipeline degree that fills the cluster (what a pipeline edit usually meant), when it is one.
  const others = p.tensor * p.context * p.data;
  const pipeline = gpus / others;
  if (gpus % others === 0 && pipeline !== p.pipeline && pipeline <= ctx.config.model.layers) {
    fixes.push(setValueFix(ctx.doc, 'parallelism.pipeline', pipeline));
  }
  if (used % cluster.gpusPerNode === 0) fixes.push(setValueFix(ctx.doc, 'cluster.nodes', used / cluster.gpusPerNode));
  return [
    report(ctx, 'error', 'parallelism/world-size', 'parallelism.data',
      `tensor ${fmt(p.tensor)} × pipeline ${fmt(p.pipeline)} × context ${fmt(p.context)} × data ${fmt(p.data)} = ${fmt(used)} GPUs, but ${clusterText}.`,
      fixes),
  ];
}

function tensorSplits(ctx: RuleContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { model, parallelism: p, cluster } = ctx.config;
  const t = p.tensor;
  const a = model.attention;
  const tensorFixes = (n: number) =>
    nearest(divisors(n).filter((d) => d <= cluster.gpusPerNode), t).map((v) => setValueFix(ctx.doc, 'parallelism.tensor', v));
  if (a.heads % t !== 0) {
    out.push(report(ctx, 'error', 'parallelism/heads-tensor', 'parallelism.tensor',
      `${fmt(a.heads)} attention heads cannot be split evenly over tensor ${fmt(t)}.`, tensorFixes(a.heads)));
  } else if (a.type === 'gqa' && a.kvHeads % t !== 0) {
    out.push(report(ctx, 'error', 'parallelism/kv-heads-tensor', 'parallelism.tensor',
      `${fmt(a.kvHeads)} key/value heads cannot be split evenly over tensor ${fmt(t)}.`, tensorFixes(a.kvHeads)));
  }
  const denseLayers = model.moe ? model.moe.denseLayers : model.layers;
  if (denseLayers > 0 && model.ffnHiddenSize % t !== 0) {
    out.push(report(ctx, 'error', 'parallelism/ffn-tensor', 'parallelism.tensor',
      `ffn_hidden_size ${fmt(model.ffnHiddenSize)} cannot be split evenly over tensor ${fmt(t)}.`, tensorFixes(model.ffnHiddenSize)));
  }
  if (model.moe && model.moe.expertHiddenSize % p.expertTensor !== 0) {
    out.push(report(ctx, 'error', 'parallelism/ffn-tensor', 'parallelism.expert_tensor',
      `expert_hidden_size ${fmt(model.moe.expertHiddenSize)} cannot be split evenly over expert_tensor ${fmt(p.expertTensor)}.`));
  }
  if (t > 1 && (t > cluster.gpusPerNode || cluster.gpusPerNode % t !== 0)) {
    const nodes = Math.ceil(t / cluster.gpusPerNode);
    const where = t > cluster.gpusPerNode ? `spans ${plural(nodes, 'node')}` : `straddles node boundaries (${fmt(cluster.gpusPerNode)} GPUs per node)`;
    out.push(report(ctx, 'warning', 'parallelism/tensor-crosses-node', 'parallelism.tensor',
      `tensor ${fmt(t)} ${where}: every layer's all-reduce then crosses the network at ${fmt(ctx.config.cluster.interNodeGBps)} GB/s instead of NVLink at ${fmt(ctx.config.cluster.intraNodeGBps)} GB/s.`,
      tensorFixes(a.heads)));
  }
  return out;
}

function layerSplit(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p } = ctx.config;
  const stages = stageCount(p.schedule, p.pipeline, p.virtualStages);
  const perRank = stages / p.pipeline;
  const how =
    scheduleSpec(p.schedule).usesVirtualStages
      ? `${fmt(stages)} stages (pipeline ${fmt(p.pipeline)} × virtual_stages ${fmt(p.virtualStages)})`
      : perRank === 2
        ? `${fmt(stages)} stages (${scheduleSpec(p.schedule).displayName}: 2 × pipeline ${fmt(p.pipeline)})`
        : `${fmt(stages)} pipeline stages`;
  const pipelineFixes = (ok: (v: number) => boolean) =>
    nearest(divisors(model.layers).map((d) => d / perRank).filter((v) => Number.isInteger(v) && v >= 1 && ok(v)), p.pipeline).map((v) =>
      setValueFix(ctx.doc, 'parallelism.pipeline', v),
    );
  if (model.layers < stages) {
    return [
      report(ctx, 'error', 'parallelism/empty-stage', 'parallelism.pipeline',
        `${plural(model.layers, 'layer')} cannot fill ${how}: ${plural(stages - model.layers, 'stage')} would hold no layer.`,
        pipelineFixes(() => true)),
    ];
  }
  if (model.layers % stages === 0) return [];
  const split = ctx.layerSplit;
  // Ends pinned on purpose (Megatron --decoder-first/last-pipeline-num-layers) with the middle even: the split is the
  // user's choice; the imbalance, if any, still shows in the simulation.
  const pinned = p.firstStageLayers !== undefined || p.lastStageLayers !== undefined;
  const middle = split.layersPerStage.slice(p.firstStageLayers !== undefined ? 1 : 0, split.layersPerStage.length - (p.lastStageLayers !== undefined ? 1 : 0));
  if (pinned && middle.every((n) => n === middle[0]) && split.rankImbalance <= STAGE_IMBALANCE_WARNING) return [];
  const lo = Math.min(...split.layersPerStage);
  const hi = Math.max(...split.layersPerStage);
  const loss = Math.round(stepShareLost(split.rankImbalance) * 100);
  const boundary = split.boundary.last > 0.05 ? `; the last stage also runs the output head${model.mtpDepth > 0 ? ' and MTP' : ''} (≈${fmt(split.boundary.last)} layers of work)` : '';
  const severity = split.rankImbalance > STAGE_IMBALANCE_WARNING ? 'warning' : 'info';
  return [
    report(ctx, severity, 'parallelism/uneven-stages', 'parallelism.pipeline',
      `${fmt(model.layers)} layers over ${how} is uneven: ${lo}–${hi} per stage${boundary}. The slowest rank sets the pace: about ${loss}% of each step is lost to the imbalance.`,
      pipelineFixes((v) => v >= 2 && v >= p.pipeline / 2 && v <= p.pipeline * 2)),
  ];
}

function microBatches(ctx: RuleContext): Diagnostic[] {
  const { training: t, parallelism: p } = ctx.config;
  const perStep = p.data * t.microBatchSize;
  const exact = t.globalBatchSize / perStep;
  const formula = `global_batch_size ${fmt(t.globalBatchSize)} / (data ${fmt(p.data)} × micro_batch_size ${fmt(t.microBatchSize)})`;
  const batchTo = (m: number, preferred = false) =>
    setValueFix(ctx.doc, 'training.global_batch_size', m * perStep, `Set ${setText(ctx.doc, 'training.global_batch_size', m * perStep, fmt(m * perStep))} (${plural(m, 'micro-batch', 'micro-batches')})`, preferred);
  if (exact < 1) {
    return [report(ctx, 'error', 'parallelism/micro-batches', 'training.global_batch_size',
      `${formula} = ${fmt(exact)}: fewer sequences per step than data-parallel ranks × micro_batch_size.`, [batchTo(1)])];
  }
  if (!Number.isInteger(exact)) {
    const m = Math.floor(exact);
    const fixes = [batchTo(m), batchTo(m + 1)];
    return [report(ctx, 'error', 'parallelism/micro-batches', 'training.global_batch_size',
      `micro-batches per step = ${formula} = ${fmt(exact)}, not a whole number.`, fixes)];
  }
  const m = exact;
  const P = p.pipeline;
  const name = scheduleSpec(p.schedule).displayName;
  const problem = P > 1 ? validateScheduleRequest({ kind: p.schedule, ranks: P, microBatches: m, virtualStages: p.virtualStages }) : undefined;
  if (problem) {
    // The schedule names the nearest micro-batch count or pipeline degrees that clear its problem.
    const fixes: (Fix | undefined)[] = [];
    if (problem.microBatches !== undefined) fixes.push(batchTo(problem.microBatches, true));
    const path = problem.ranks ? 'parallelism.pipeline' : 'training.global_batch_size';
    for (const v of problem.ranks ?? []) fixes.push(setValueFix(ctx.doc, 'parallelism.pipeline', v));
    const reason = problem.reason.charAt(0).toUpperCase() + problem.reason.slice(1);
    return [report(ctx, 'error', problem.code, path, `${reason} (micro-batches = ${formula} = ${fmt(m)}).`, fixes)];
  }
  // Schedules that need m ≥ 2P have refused m < P above; for the rest the fill and drain dominate.
  if (P > 1 && m < P) {
    const bubble = Math.round(((P - 1) / (m + P - 1)) * 100);
    return [report(ctx, 'warning', 'schedule/bubbles-dominate', 'training.global_batch_size',
      `${name} with ${plural(m, 'micro-batch', 'micro-batches')} over ${fmt(P)} pipeline ranks: bubbles take about ${bubble}% of each step (bubble (p−1)/m with m < p).`,
      [batchTo(P)])];
  }
  return [];
}

function virtualStages(ctx: RuleContext): Diagnostic[] {
  const p = ctx.config.parallelism;
  if (!scheduleSpec(p.schedule).usesVirtualStages && p.virtualStages > 1) {
    const chunked = registeredSchedules().filter((s) => s.usesVirtualStages).map((s) => s.kind);
    return [report(ctx, 'warning', 'parallelism/virtual-stages-unused', 'parallelism.virtual_stages',
      `virtual_stages ${fmt(p.virtualStages)} has no effect: only ${chunked.join(' and ')} splits ranks into chunks (schedule is ${p.schedule}).`,
      [setValueFix(ctx.doc, 'parallelism.virtual_stages', 1), ...chunked.map((kind) => setValueFix(ctx.doc, 'parallelism.schedule', kind))])];
  }
  return [];
}

function expertParallel(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p } = ctx.config;
  const e = p.expert;
  if (!model.moe) {
    return e > 1
      ? [report(ctx, 'warning', 'parallelism/expert-without-moe', 'parallelism.expert',
          `expert ${fmt(e)} has no effect: the model has no \`moe\` section.`, [setValueFix(ctx.doc, 'parallelism.expert', 1)])]
      : [];
  }
  const out: Diagnostic[] = [];
  const routed = model.moe.routedExperts;
  const carved = p.data * p.context * p.tensor;
  const expertFixes = () =>
    nearest(divisors(routed).filter((d) => carved % (d * p.expertTensor) === 0), e).map((v) => setValueFix(ctx.doc, 'parallelism.expert', v));
  if (routed % e !== 0) {
    out.push(report(ctx, 'error', 'parallelism/expert-experts', 'parallelism.expert',
      `${fmt(routed)} routed experts cannot be spread evenly over expert ${fmt(e)} GPUs.`, expertFixes()));
  }
  if (carved % (e * p.expertTensor) !== 0) {
    out.push(report(ctx, 'error', 'parallelism/expert-ranks', 'parallelism.expert',
      `expert ${fmt(e)} × expert_tensor ${fmt(p.expertTensor)} must divide the ranks it is carved from: data ${fmt(p.data)} × context ${fmt(p.context)} × tensor ${fmt(p.tensor)} = ${fmt(carved)} (Megatron-Core).`,
      expertFixes()));
  }
  return out;
}

function contextParallel(ctx: RuleContext): Diagnostic[] {
  const { training: t, parallelism: p } = ctx.config;
  if (p.context <= 1 || t.sequenceLength % (2 * p.context) === 0) return [];
  const fixes = nearest(divisors(t.sequenceLength).filter((d) => d % 2 === 0).map((d) => d / 2), p.context).map((v) =>
    setValueFix(ctx.doc, 'parallelism.context', v),
  );
  return [report(ctx, 'error', 'parallelism/context-sequence', 'parallelism.context',
    `sequence_length ${fmt(t.sequenceLength)} must be divisible by 2 × context = ${fmt(2 * p.context)}: context parallelism gives each GPU two balanced chunks of every sequence.`,
    fixes)];
}

export function parallelismRules(ctx: RuleContext): Diagnostic[] {
  return [
    ...worldSize(ctx),
    ...tensorSplits(ctx),
    ...layerSplit(ctx),
    ...microBatches(ctx),
    ...virtualStages(ctx),
    ...expertParallel(ctx),
    ...contextParallel(ctx),
  ];
}
