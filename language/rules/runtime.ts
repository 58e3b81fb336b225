/**
 * The run's framework choices (Megatron-Core flags): the MoE dispatcher, routing balance, communication overlap, the
 * attention kernel and pinned first/last stage sizes — each checked for what Megatron would refuse or ignore.
 */
import type { Diagnostic } from '../diagnostics';
import { setValueFix } from '../fixes';
import { fmt, has, report, type RuleContext } from './context';
import { stageCount } from '../../simulator/stages';

export function runtimeRules(ctx: RuleContext): Diagnostic[] {
  const { model, parallelism: p, training } = ctx.config;
  const out: Diagnostic[] = [];
  const moe = model.moe;

  if (has(ctx, 'parallelism.moe_token_dispatcher') && (!moe || p.expert <= 1))
    out.push(report(ctx, 'warning', 'runtime/dispatcher-without-ep', 'parallelism.moe_token_dispatcher',
      `moe_token_dispatcher has no effect: ${moe ? 'expert is 1, so every expert is local' : 'the model has no MoE layers'}.`));
  if (moe && moe.forceLoadBalancing && has(ctx, 'model.moe.load_imbalance'))
    out.push(report(ctx, 'warning', 'runtime/imbalance-ignored', 'model.moe.load_imbalance',
      `load_imbalance ${fmt(moe.loadImbalance)} is ignored: force_load_balancing routes tokens uniformly.`));

  // Megatron asserts these combinations at start-up (megatron/training/arguments.py).
  if (p.tpCommOverlap && p.tensor <= 1)
    out.push(report(ctx, 'warning', 'runtime/tp-overlap-without-tp', 'parallelism.tp_comm_overlap',
      'tp_comm_overlap needs tensor > 1: with one TP rank there is no TP communication to overlap.',
      [setValueFix(ctx.doc, 'parallelism.tp_comm_overlap', false)]));
  if (has(ctx, 'parallelism.tp_comm_sm_margin') && !p.tpCommOverlap)
    out.push(report(ctx, 'warning', 'runtime/sm-margin-without-tp-overlap', 'parallelism.tp_comm_sm_margin',
      'tp_comm_sm_margin has no effect: without tp_comm_overlap no userbuffers collective runs beside the GEMMs.'));
  const widest = Math.max(...Object.values(p.tpCommSmMargin));
  if (p.tpCommOverlap && widest >= ctx.config.cluster.gpu.sms)
    out.push(report(ctx, 'error', 'runtime/sm-margin-exceeds-gpu', 'parallelism.tp_comm_sm_margin',
      `tp_comm_sm_margin reserves ${fmt(widest)} SMs, but the ${ctx.config.cluster.gpu.name} has ${fmt(ctx.config.cluster.gpu.sms)}: the GEMM would have none.`));
  if (p.overlapParamGather && p.zeroStage === 0)
    out.push(report(ctx, 'error', 'runtime/param-gather-without-sharding', 'parallelism.overlap_param_gather',
      'overlap_param_gather needs a sharded optimizer (zero_stage ≥ 1, Megatron --use-distributed-optimizer): without it there is no parameter all-gather.',
      [setValueFix(ctx.doc, 'parallelism.zero_stage', 1)]));
  if (training.attentionBackend === 'unfused' && p.context > 1)
    out.push(report(ctx, 'error', 'runtime/unfused-with-context-parallel', 'training.attention_backend',
      `attention_backend unfused cannot run context parallelism (context ${fmt(p.context)}): Megatron-Core's CP needs a fused kernel.`,
      [setValueFix(ctx.doc, 'training.attention_backend', 'auto')]));

  const first = p.firstStageLayers;
  const last = p.lastStageLayers;
  if (first !== undefined || last !== undefined) {
    const stages = stageCount(p.schedule, p.pipeline, p.virtualStages);
    const pinnedPath = first !== undefined ? 'parallelism.first_stage_layers' : 'parallelism.last_stage_layers';
    const pinned = (first ?? 0) + (last ?? 0);
    const free = stages - (first !== undefined ? 1 : 0) - (last !== undefined ? 1 : 0);
    if (stages <= 1)
      out.push(report(ctx, 'warning', 'runtime/stage-layers-without-pipeline', pinnedPath,
        'first_stage_layers / last_stage_layers need more than one pipeline stage.'));
    else if (free > 0 ? model.layers - pinned < free : model.layers !== pinned)
      out.push(report(ctx, 'error', 'runtime/stage-layers-exceed', pinnedPath,
        `first/last stage layers (${fmt(pinned)}) leave ${fmt(model.layers - pinned)} of ${fmt(model.layers)} layers for ${fmt(free)} other stages: each needs at least one.`));
  }
  return out;
}
