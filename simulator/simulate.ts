/**
 * Entry point: a resolved config in, a step time, GPU-hours, memory and a timeline out — each with its breakdown.
 *
 * step = executed pipeline makespan (per-rank, per-op durations from the cost model, PP transfers on the links)
 *      + the DP gradient reduce-scatter the rank's last backward does not hide + optimizer step + the parameter
 *        all-gather the next step's first forward does not hide (taken on the rank where this sum is largest).
 */
import type { ResolvedConfig, ScheduleKind } from './config';
import { dataParallelStep, placement } from './comm';
import { buildCostModel, type CostModel } from './costs';
import { FAMILY_CONSTANTS, GOODPUT_FRACTION } from './constants';
import { countParameters, gemmFlopsPerToken, layerCounts, layerShape, modelFlopsPerToken, mtpKind } from './model';
import { estimateMemory, stageParameters } from './memory';
import type { CommBreakdown, CommKind, SimulationOutcome, SimulationResult } from './result';
import { generateSchedule, stageOf } from './schedules/index';
import type { OpKind, Schedule, ScheduleOp, ScheduleRequest } from './schedules/types';
import { stagesOfRank } from './stages';
import { executeSchedule, type OpDurations } from './timeline';

export interface SimulateOptions {
  schedule?: ScheduleKind;
}

/** How one op's communication splits into hidden and exposed seconds, per kind. */
interface OpComm {
  ep: number;
  epHidden: number;
  tp: number;
  tpHidden: number;
  cp: number;
  cpHidden: number;
  /** Seconds ops waited for their own PP sends (overlap_p2p_comm off). */
  ppBlocked: number;
}

/** Op durations and their communication split, from the per-stage costs. */
function opModel(schedule: Schedule, costs: CostModel, overlapSingleOps: boolean, blockingSend: number) {
  const st = costs.stages;
  const fc = st.map((s) => s.compute.seconds.F);
  const bc = st.map((s) => s.compute.seconds.b);
  const wc = st.map((s) => s.compute.seconds.W);
  const epF = st.map((s) => s.ep.F.seconds);
  const epB = st.map((s) => s.ep.B.seconds);
  const tpF = st.map((s) => s.tp.F.seconds);
  const tpB = st.map((s) => s.tp.B.seconds);
  const tpxF = st.map((s) => s.tpExposed.F);
  const tpxB = st.map((s) => s.tpExposed.B);
  const cpF = st.map((s) => s.cpExposed.F);
  const cpB = st.map((s) => s.cpExposed.B);
  const cpTotF = st.map((s) => s.cp.F.seconds);
  const cpTotB = st.map((s) => s.cp.B.seconds);
  const hide = st.map((s) => s.epHideable);
  // Without pairing, EP comm is exposed unless the config overlaps it with the op's shared-expert compute.
  const single = (compute: number, comm: number) => (overlapSingleOps ? Math.max(0, comm - compute) : comm);

  /** Seconds of `op` on `rank`, and its comm split into `out` when given. */
  function evaluate(rank: number, op: ScheduleOp, out?: OpComm): number {
    const s = stageOf(schedule, rank, op);
    let compute: number;
    let ep: number;
    let epExposed: number;
    let tp: number;
    let tpExposed: number;
    let cp: number;
    let cpExposed: number;
    switch (op.kind) {
      case 'F':
        compute = fc[s];
        ep = epF[s];
        epExposed = single(hide[s].F, ep);
        tp = tpF[s];
        tpExposed = tpxF[s];
        cp = cpTotF[s];
        cpExposed = cpF[s];
        break;
      case 'B':
      case 'b':
        // The same input-gradient pass and its communication; a full B also computes the weight gradient.
        compute = bc[s] + (op.kind === 'B' ? wc[s] : 0);
        ep = epB[s];
        epExposed = single(hide[s].b + (op.kind === 'B' ? hide[s].W : 0), ep);
        tp = tpB[s];
        tpExposed = tpxB[s];
        cp = cpTotB[s];
        cpExposed = cpB[s];
        break;
      case 'W':
        compute = wc[s];
        ep = epExposed = tp = tpExposed = cp = cpExposed = 0;
        break;
      case 'FB': {
        // DualPipe: one chunk's all-to-all hides under the other chunk's compute (and vice versa).
        const b = op.backward ? stageOf(schedule, rank, op.backward) : s;
        compute = fc[s] + bc[b] + wc[b];
        ep = epF[s] + epB[b];
        epExposed = Math.max(0, ep - compute);
        tp = tpF[s] + tpB[b];
        tpExposed = tpxF[s] + tpxB[b];
        cp = cpTotF[s] + cpTotB[b];
        cpExposed = cpF[s] + cpB[b];
        break;
      }
    }
    if (out) {
      out.ep += ep;
      out.epHidden += ep - epExposed;
      out.tp += tp;
      out.tpHidden += tp - tpExposed;
      out.cp += cp;
      out.cpHidden += cp - cpExposed;
      if (op.kind !== 'W') out.ppBlocked += blockingSend;
    }
    return compute + epExposed + tpExposed + cpExposed + (op.kind === 'W' ? 0 : blockingSend);
  }
  return evaluate;
}

/**
 * Generated schedules are immutable data that depend only on (kind, P, N, v): keystrokes that change a model size or a
 * bandwidth reuse them. A small FIFO bounds the memory.
 */
const SCHEDULE_CACHE_SIZE = 8;
const scheduleCache = new Map<string, ReturnType<typeof generateSchedule>>();
function cachedSchedule(req: ScheduleRequest): ReturnType<typeof generateSchedule> {
  const key = `${req.kind}/${req.ranks}/${req.microBatches}/${req.kind === 'interleaved-1f1b' ? req.virtualStages : 1}`;
  let hit = scheduleCache.get(key);
  if (!hit) {
    hit = generateSchedule(req);
    if (scheduleCache.size >= SCHEDULE_CACHE_SIZE) scheduleCache.delete(scheduleCache.keys().next().value as string);
    scheduleCache.set(key, hit);
  }
  return hit;
}

function fail(code: string, reason: string): SimulationOutcome {
  return { ok: false, code, reason };
}

export function simulate(config: ResolvedConfig, options: SimulateOptions = {}): SimulationOutcome {
  try {
    return run(config, options);
  } catch (error) {
    return fail('simulate/internal', `the simulator failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function run(input: ResolvedConfig, options: SimulateOptions): SimulationOutcome {
  const kind = options.schedule ?? input.parallelism.schedule;
  const config: ResolvedConfig = kind === input.parallelism.schedule ? input : { ...input, parallelism: { ...input.parallelism, schedule: kind } };
  const p = config.parallelism;
  const t = config.training;
  const gpu = config.cluster.gpu;
  const P = Math.max(1, p.pipeline);
  const N = p.microBatches;
  const world = Math.max(1, p.tensor) * Math.max(1, p.context) * Math.max(1, p.data) * P;
  if (!(t.sequenceLength > 0 && t.globalBatchSize > 0 && t.microBatchSize > 0 && N >= 1))
    return fail('simulate/invalid-batch', 'sequence length, batch sizes and micro-batches must be positive');
  if (!(gpu.bf16Tflops > 0 && config.cluster.intraNodeGBps > 0 && config.cluster.interNodeGBps > 0 && gpu.hbmTBps > 0))
    return fail('simulate/invalid-gpu', 'the GPU needs positive peak FLOP/s, HBM bandwidth and link bandwidths');

  const generated = cachedSchedule({ kind, ranks: P, microBatches: N, virtualStages: p.virtualStages });
  if (!generated.ok) return fail(generated.code, generated.reason);
  const schedule = generated.value;
  const costs = buildCostModel(config, schedule.stages);
  const paired = kind === 'dualpipe' || kind === 'dualpipev';
  const ppSeconds = costs.pipelineTransfer.seconds;
  // Without --overlap-p2p-communication a stage waits for its send before its next op.
  const blockingSend = p.overlapP2pComm || P <= 1 ? 0 : ppSeconds;
  const evaluate = opModel(schedule, costs, p.overlapExpertComm && !paired && costs.expertCommOverlapped, blockingSend);
  // Per-rank comm split and busy time, accumulated as the executor costs each op (it asks once per op, in rank order).
  const perRank = Array.from({ length: P }, () => ({ comm: { ep: 0, epHidden: 0, tp: 0, tpHidden: 0, cp: 0, cpHidden: 0, ppBlocked: 0 } as OpComm, busy: 0, sends: 0 }));
  const durations: OpDurations = {
    op: (rank, op) => {
      const r = perRank[rank];
      const seconds = evaluate(rank, op, r.comm);
      r.busy += seconds;
      if (op.kind !== 'W') r.sends += op.kind === 'FB' ? 2 : 1;
      return seconds;
    },
    transfer: () => ppSeconds,
  };
  const executed = executeSchedule(schedule, durations);
  if (!executed.ok) return fail(executed.code, executed.reason);
  const timeline = executed.value;
  // PP exposure, estimated: in steady state a transfer overlaps other micro-batches' compute; filling and draining
  // the pipeline crosses every stage boundary once each way on the critical path. (Re-executing without transfers
  // would measure it, at twice the cost.)
  const ppExposed = Math.min(timeline.makespan, 2 * Math.max(0, schedule.stages - 1) * ppSeconds);

  const critical = perRank.reduce((best, r, i) => (r.busy > perRank[best].busy ? i : best), 0);

  // Data-parallel sync and optimizer, per rank, after its last op.
  const params = stageParameters(config, schedule.stages, costs.layout);
  const tp = Math.max(1, p.tensor);
  const expertShards = Math.max(1, p.expert) * Math.max(1, p.expertTensor);
  const pl = placement(config);
  const gradBytes = config.precision.gradients === 'fp32' ? 4 : 2;
  const stateBytes = config.precision.optimizerStates === 'fp32' ? 4 : 2;
  // AdamW touches per parameter: gradient read, FP32 master read+write, two moments read+write, BF16 weight write.
  const optimizerBytesPerParam = gradBytes + (config.precision.masterWeights === 'fp32' ? 8 : 0) + 4 * stateBytes + 2;
  const family = FAMILY_CONSTANTS[gpu.family] ?? FAMILY_CONSTANTS.hopper;
  let tail = 0;
  let dpTotal = { seconds: 0, inter: 0, intra: 0 };
  let dpExposed = 0;
  let optimizerSeconds = 0;
  const paramsPerRank: number[] = [];
  for (let r = 0; r < P; r++) {
    const held = stagesOfRank(kind, P, p.virtualStages, r).filter((s) => s < params.length);
    const dense = held.reduce((a, s) => a + params[s].dense, 0) / tp;
    const experts = held.reduce((a, s) => a + params[s].experts, 0) / expertShards;
    paramsPerRank.push(dense + experts);
    const dp = dataParallelStep(config, dense, experts);
    const ops = timeline.ranks[r];
    let lastBackward = ops.length > 0 ? ops[ops.length - 1] : undefined;
    for (let i = ops.length - 1; i >= 0 && lastBackward?.kind === 'F'; i--) lastBackward = ops[i];
    const firstForward = ops.find((o) => o.kind === 'F' || o.kind === 'FB');
    const finish = ops.length > 0 ? ops[ops.length - 1].end : 0;
    // Bucketed reduce-scatter streams behind the last backward; the gather streams ahead of the first forward.
    // ZeRO-3 gathers before every forward and backward: the first like ZeRO-1's, the rest prefetched under compute.
    // Without --overlap-grad-reduce / --overlap-param-gather each waits for the other side and is exposed whole.
    const rsExposed = !p.overlapGradReduce ? dp.gradients.seconds : Math.max(0, dp.gradients.seconds - (lastBackward ? lastBackward.end - lastBackward.start : 0));
    const gathers = p.zeroStage === 3 ? 2 * Math.max(1, N) : 1;
    const firstGather = dp.parameters.seconds / gathers;
    const agExposed = !p.overlapParamGather
      ? dp.parameters.seconds
      : Math.max(0, firstGather - (firstForward ? firstForward.end - firstForward.start : 0)) +
        Math.max(0, dp.parameters.seconds - firstGather - perRank[r].busy);
    const shard = p.zeroStage >= 1 ? 1 : 0;
    const updated = dense / (shard ? pl.dp.size : 1) + experts / (shard ? pl.expertDp.size : 1);
    const optimizer = (updated * optimizerBytesPerParam) / (gpu.hbmTBps * 1e12 * family.hbmFraction);
    const end = finish + rsExposed + optimizer + agExposed;
    if (end >= tail) {
      tail = end;
      dpExposed = rsExposed + agExposed;
      optimizerSeconds = optimizer;
      dpTotal = {
        seconds: dp.gradients.seconds + dp.parameters.seconds,
        inter: dp.gradients.interNodeBytes + dp.parameters.interNodeBytes,
        intra: dp.gradients.intraNodeBytes + dp.parameters.intraNodeBytes,
      };
    }
  }
  const stepSeconds = Math.max(tail, timeline.makespan);
  // The rank that ends the step may not be the one that ends the pipeline: charge the step's time past the makespan
  // to the optimizer first (it cannot overlap anything), the rest to exposed DP communication, so the parts add up.
  const pastPipeline = stepSeconds - timeline.makespan;
  optimizerSeconds = Math.min(optimizerSeconds, pastPipeline);
  dpExposed = pastPipeline - optimizerSeconds;

  // Headline numbers.
  const tokensPerStep = t.globalBatchSize * t.sequenceLength;
  const steps = Math.ceil(t.tokens / tokensPerStep);
  const modelFlops = modelFlopsPerToken(config);
  const tokensPerSecond = tokensPerStep / stepSeconds;
  const tflopsPerGpu = (modelFlops.total * tokensPerSecond) / world / 1e12;
  // GPU-hours and days include the time a run loses to failures and restarts (GOODPUT_FRACTION).
  const gpuHours = (steps * stepSeconds * world) / 3600 / GOODPUT_FRACTION;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const bubbleFraction = timeline.makespan > 0 ? mean(timeline.idlePerRank) / timeline.makespan : 0;

  const c = perRank[critical].comm;
  const critStages = costs.stages;
  const mbSends = perRank[critical].sends;
  // Bytes per step on the critical rank: per-micro-batch stage bytes × micro-batches through the rank's stages.
  const rankStages = stagesOfRank(kind, P, p.virtualStages, critical).filter((s) => s < critStages.length);
  const perMicroBatch = (pick: (s: (typeof critStages)[number]) => { inter: number; intra: number }) =>
    rankStages.reduce((a, s) => ({ inter: a.inter + pick(critStages[s]).inter, intra: a.intra + pick(critStages[s]).intra }), { inter: 0, intra: 0 });
  const mbPerStage = kind === 'dualpipe' ? N / 2 : N;
  const bytesOf = (kindComm: 'tp' | 'ep' | 'cp') => {
    const b = perMicroBatch((s) => ({ inter: s[kindComm].F.interNodeBytes + s[kindComm].B.interNodeBytes, intra: s[kindComm].F.intraNodeBytes + s[kindComm].B.intraNodeBytes }));
    return { inter: b.inter * mbPerStage, intra: b.intra * mbPerStage };
  };
  const commEntry = (kindComm: CommKind, total: number, hidden: number, bytes: { inter: number; intra: number }): CommBreakdown => ({
    kind: kindComm,
    totalSeconds: total,
    hiddenSeconds: Math.max(0, hidden),
    exposedSeconds: Math.max(0, total - hidden),
    interNodeBytes: bytes.inter,
    intraNodeBytes: bytes.intra,
  });
  const ppBytes = costs.pipelineTransfer;
  const ppTotal = mbSends * ppSeconds;
  const comm: CommBreakdown[] = [
    commEntry('tp', c.tp, c.tpHidden, bytesOf('tp')),
    commEntry('cp', c.cp, c.cpHidden, bytesOf('cp')),
    commEntry('ep', c.ep, c.epHidden, bytesOf('ep')),
    commEntry('pp', ppTotal, Math.max(0, ppTotal - ppExposed - c.ppBlocked), { inter: mbSends * ppBytes.interNodeBytes, intra: mbSends * ppBytes.intraNodeBytes }),
    commEntry('dp', dpTotal.seconds, dpTotal.seconds - dpExposed, { inter: dpTotal.inter, intra: dpTotal.intra }),
  ];
  const exposedComm = comm.reduce((a, x) => a + x.exposedSeconds, 0);

  const memory = estimateMemory(config, timeline.peakActivationsPerRank, costs.layout);
  const counts = countParameters(config.model);
  const result: SimulationResult = {
    gpuHours,
    wallClockDays: (steps * stepSeconds) / 86400 / GOODPUT_FRACTION,
    costUsd: config.cluster.pricePerGpuHour !== undefined ? gpuHours * config.cluster.pricePerGpuHour : undefined,
    stepSeconds,
    steps,
    tokensPerSecond,
    tflopsPerGpu,
    mfu: tflopsPerGpu / gpu.bf16Tflops,
    bubbleFraction,
    exposedCommFraction: stepSeconds > 0 ? exposedComm / stepSeconds : 0,
    memory,
    breakdown: {
      step: stepBreakdown(perRank[critical].busy, c, timeline.makespan, ppExposed, dpExposed, optimizerSeconds, stepSeconds),
      comm,
      flops: flopsBreakdown(config),
      parameters: { total: counts.total, active: counts.active, perRank: paramsPerRank },
      notes: notes(config, costs, world, modelFlops),
    },
    timeline: {
      schedule: kind,
      ranks: P,
      microBatches: N,
      makespanSeconds: timeline.makespan,
      idleSecondsPerRank: timeline.idlePerRank,
      ops: timeline.ranks,
      opSeconds: meanOpSeconds(timeline.ranks),
    },
  };
  return { ok: true, result };
}

function stepBreakdown(busy: number, c: OpComm, makespan: number, ppExposed: number, dpExposed: number, optimizer: number, step: number): Record<string, number> {
  const epExposed = c.ep - c.epHidden;
  const cpExposed = c.cp - c.cpHidden;
  const tpExposed = c.tp - c.tpHidden;
  const compute = busy - epExposed - tpExposed - cpExposed - c.ppBlocked;
  return {
    computeSeconds: compute,
    exposedTpSeconds: tpExposed,
    exposedEpSeconds: epExposed,
    exposedCpSeconds: cpExposed,
    exposedPpSeconds: ppExposed + c.ppBlocked,
    bubbleSeconds: Math.max(0, makespan - busy - ppExposed),
    pipelineSeconds: makespan,
    exposedDpSeconds: dpExposed,
    optimizerSeconds: optimizer,
    stepSeconds: step,
  };
}

/** Forward FLOPs of one micro-batch through a whole model replica, by component. */
function flopsBreakdown(config: ResolvedConfig): Record<string, number> {
  const model = config.model;
  const tokens = config.training.microBatchSize * config.training.sequenceLength;
  const counts = layerCounts(model);
  const out: Record<string, number> = { attentionProjections: 0, attentionCore: 0, mlp: 0, experts: 0, router: 0, head: 0, mtp: 0 };
  for (const [kind, n] of [['dense', counts.dense], ['moe', counts.moe]] as const) {
    if (n === 0) continue;
    const shape = layerShape(model, kind, config.training.sequenceLength);
    out.attentionCore += n * tokens * shape.attentionCoreFlopsPerToken;
    for (const g of shape.gemms) {
      const key = g.group === 'attention' ? 'attentionProjections' : g.group;
      out[key] += n * tokens * gemmFlopsPerToken(g);
    }
  }
  out.head = 2 * tokens * model.hiddenSize * model.vocabSize;
  if (model.mtpDepth > 0) {
    const shape = layerShape(model, mtpKind(model), config.training.sequenceLength);
    const block = shape.gemms.reduce((a, g) => a + gemmFlopsPerToken(g), 0) + shape.attentionCoreFlopsPerToken;
    out.mtp = model.mtpDepth * tokens * (block + 4 * model.hiddenSize ** 2 + 2 * model.hiddenSize * model.vocabSize);
  }
  out.forwardTotal = Object.values(out).reduce((a, b) => a + b, 0);
  return out;
}

function meanOpSeconds(ranks: { kind: OpKind; start: number; end: number }[][]): Partial<Record<OpKind, number>> {
  const sum: Partial<Record<OpKind, [number, number]>> = {};
  for (const ops of ranks)
    for (const op of ops) {
      const e = (sum[op.kind] ??= [0, 0]);
      e[0] += op.end - op.start;
      e[1]++;
    }
  const out: Partial<Record<OpKind, number>> = {};
  for (const [k, [s, n]] of Object.entries(sum) as [OpKind, [number, number]][]) out[k] = s / n;
  return out;
}

function notes(config: ResolvedConfig, costs: CostModel, world: number, flops: { dense: number; attention: number }): string[] {
  const out = [
    `MFU and TFLOP/s count model FLOPs: 6·N_active·tokens (${(flops.dense / 6 / 1e9).toFixed(1)}B active parameters) plus causal attention (${((100 * flops.attention) / flops.dense).toFixed(1)}% more), against the dense BF16 peak (${config.cluster.gpu.bf16Tflops} TFLOP/s); MTP and recomputation are not counted.`,
    `Ranks ordered TP → CP → DP → PP (EP over ETP·EP inside a stage's TP·CP·DP ranks); ${world} GPUs.`,
  ];
  const cluster = config.cluster.nodes * config.cluster.gpusPerNode;
  if (cluster !== world) out.push(`The layout uses ${world} GPUs but the cluster has ${cluster}.`);
  if (costs.smShare < 1)
    out.push(`${Math.round((1 - costs.smShare) * config.cluster.gpu.sms)} of ${config.cluster.gpu.sms} SMs drive communication while all-to-all overlaps compute (DeepSeek-V3: 20 of 132).`);
  out.push(
    config.parallelism.tpCommOverlap
      ? 'TP communication overlaps its GEMMs (tp_comm_overlap): only the first of tp chunks and any excess over the GEMM time are exposed.'
      : 'TP communication is exposed (tp_comm_overlap is off, as in Megatron-Core by default).',
  );
  out.push(`GPU-hours and days assume ${GOODPUT_FRACTION * 100}% goodput (Llama 3: >90% effective training time); step time and TFLOP/s do not.`);
  return out;
}
