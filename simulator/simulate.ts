/**
 * Entry point: a resolved config in, a step time, GPU-hours, memory and a timeline out — each with its breakdown.
 *
 * step = executed pipeline makespan (per-rank, per-op durations from the cost model, PP transfers on the links)
 *      + the DP gradient reduce-scatter the rank's last backward does not hide + optimizer step + the parameter
 *        all-gather the next step's first forward does not hide (taken on the rank where this sum is largest).
 */
import type { ResolvedConfig, ScheduleKind } from './config';
import { dataParallelStep, ddpBuckets, lastBucketShare, placement } from './comm';
import { buildCostModel, type CostModel } from './costs';
import { FAMILY_CONSTANTS, GOODPUT_FRACTION } from './constants';
import { countParameters, gemmFlopsPerToken, layerCounts, layerShape, modelFlopsPerToken, mtpKind } from './model';
import { estimateMemory, retainedAfterInputBackward, stageActivationBytes, stageParameters, type StageParameters } from './memory';
import { evaluate, opRowsAndWork, opSecondsAndWork, opTable, type OpComm, OUT, type RankWork, SECONDS } from './opWork';
import type { CommBreakdown, CommKind, SimulationOutcome, SimulationResult, TimelineResult } from './result';
import { findSchedule, generateSchedule, scheduleColumns, scheduleSpec, stageOf } from './schedules/index';
import { KIND_CODES, KIND_NAMES } from './schedules/program';
import type { OpKind, Result, Schedule, ScheduleRequest, TimedOp } from './schedules/types';
import { stageCount, stagesOfRank, stagesOfRanks } from './stages';
import { executeSchedule, type ExecutedTimeline, type OpDurations, type TimelineColumns, timelineColumns, type TimelineOps, timelineOps } from './timeline';

export interface SimulateOptions {
  schedule?: ScheduleKind;
  /** Executed pipelines to reuse between calls (a layout search; see PipelineMemo). */
  pipelines?: PipelineMemo;
  /**
   * false: the numbers without the ops — the result's `timeline` has its makespan and idle time per rank, but `ops`
   * and `opSeconds` are empty and `timelineOpsOf` gives nothing — and the executor reuses its per-op buffers, so
   * nothing is allocated per op. Every number is the same as with the timeline (test/simulator). For callers that
   * show or compare numbers only: the preview's comparison rows, a layout search. Default true.
   */
  timeline?: boolean;
}

/**
 * Executed pipelines kept for configs that differ only in the ZeRO stage. The stage changes the data-parallel sync,
 * the optimizer's share and the memory, never the cost model or an op's duration (of costs.ts, compute.ts and
 * comm.ts only dataParallelStep reads it, and only stepTail calls that), so a search pricing ZeRO 1, 2 and 3 of one
 * layout executes its schedule once; every number is the same as without the memo (test/search). An entry is
 * reused only for a config whose JSON — the resolved config is plain JSON — equals its own but for the ZeRO stage.
 */
export class PipelineMemo {
  private readonly entries = new Map<string, { costs: CostModel; pipeline: { timeline: ExecutedTimeline; perRank: RankWork[] } }>();
  constructor(private readonly capacity = 64) {}

  /** `withOps`: whether the entry's timeline keeps its ops (an entry without them never serves a call that wants them). */
  static keyOf(config: ResolvedConfig, withOps = true): string {
    return (withOps ? '' : 'numbers:') + JSON.stringify({ ...config, parallelism: { ...config.parallelism, zeroStage: 0 } });
  }
  get(key: string) {
    return this.entries.get(key);
  }
  set(key: string, entry: { costs: CostModel; pipeline: { timeline: ExecutedTimeline; perRank: RankWork[] } }): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, entry);
  }
}


/**
 * Generated schedules are immutable data that depend only on (kind, P, N, v): keystrokes that change a model size or a
 * bandwidth reuse them, and so does a layout search, which prices ~100 shapes in an interleaved order (a cache of 8
 * regenerated each of them about twice). A FIFO bounded by entries and by total ops bounds the memory (a cached op
 * costs its columns, its wiring, its recorded run and its cost rows: about 80 bytes, and 24 more per op once run
 * with blocking exchanges).
 */
const SCHEDULE_CACHE_ENTRIES = 256;
const SCHEDULE_CACHE_OPS = 1 << 21;
const scheduleCache = new Map<string, { generated: ReturnType<typeof generateSchedule>; ops: number }>();
let scheduleCacheOps = 0;
function cachedSchedule(req: ScheduleRequest): ReturnType<typeof generateSchedule> {
  const key = `${req.kind}/${req.ranks}/${req.microBatches}/${findSchedule(req.kind)?.usesVirtualStages ? req.virtualStages : 1}`;
  const hit = scheduleCache.get(key);
  if (hit) return hit.generated;
  const generated = generateSchedule(req);
  const ops = generated.ok ? (scheduleColumns(generated.value)?.kind.length ?? 3 * req.ranks * req.microBatches) : 0;
  while (scheduleCache.size > 0 && (scheduleCache.size >= SCHEDULE_CACHE_ENTRIES || scheduleCacheOps + ops > SCHEDULE_CACHE_OPS)) {
    const [oldest, entry] = scheduleCache.entries().next().value as [string, { ops: number }];
    scheduleCache.delete(oldest);
    scheduleCacheOps -= entry.ops;
  }
  if (ops <= SCHEDULE_CACHE_OPS) {
    scheduleCache.set(key, { generated, ops });
    scheduleCacheOps += ops;
  }
  return generated;
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
  const P = Math.max(1, p.pipeline);
  const N = p.microBatches;
  const problem = inputProblem(config);
  if (problem) return problem;

  const generated = cachedSchedule({ kind, ranks: P, microBatches: N, virtualStages: p.virtualStages });
  if (!generated.ok) return fail(generated.code, generated.reason);
  const schedule = generated.value;
  const withOps = options.timeline ?? true;
  const memoKey = options.pipelines ? PipelineMemo.keyOf(config, withOps) : '';
  let memo = options.pipelines?.get(memoKey);
  if (!memo) {
    const costs = buildCostModel(config, schedule.stages);
    const pipeline = executePipeline(config, schedule, costs, withOps);
    if (!pipeline.ok) return fail(pipeline.code, pipeline.reason);
    memo = { costs, pipeline: pipeline.value };
    options.pipelines?.set(memoKey, memo);
  }
  const { costs } = memo;
  const { timeline, perRank } = memo.pipeline;
  const ppSeconds = costs.pipelineTransfer.seconds;
  // PP exposure, estimated: in steady state a transfer overlaps other micro-batches' compute; filling and draining
  // the pipeline crosses every stage boundary once each way on the critical path. (Re-executing without transfers
  // would measure it, at twice the cost.)
  // Blocking exchanges are measured instead (each rank's seconds in them, `ppBlocked`).
  const ppExposed = timeline.exchangeSecondsPerRank ? 0 : Math.min(timeline.makespan, 2 * Math.max(0, schedule.stages - 1) * ppSeconds);
  const critical = perRank.reduce((best, r, i) => (r.busy > perRank[best].busy ? i : best), 0);
  // The stages' parameters, read by the step tail and the memory estimate alike.
  const params = stageParameters(config, schedule.stages, costs.stageLayers);
  const tail = stepTail(config, schedule, timeline, perRank, params);

  const stepSeconds = Math.max(tail.end, timeline.makespan);
  // The rank that ends the step may not be the one that ends the pipeline: charge the step's time past the makespan
  // to the optimizer first (it cannot overlap anything), the rest to exposed DP communication, so the parts add up.
  const pastPipeline = stepSeconds - timeline.makespan;
  const optimizerSeconds = Math.min(tail.optimizerSeconds, pastPipeline);
  const dpExposed = pastPipeline - optimizerSeconds;

  // Headline numbers.
  const t = config.training;
  const gpu = config.cluster.gpu;
  const world = worldSize(config);
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
  const comm = commBreakdown(config, costs, critical, perRank[critical], ppExposed, tail.dp, dpExposed);
  const exposedComm = comm.reduce((a, x) => a + x.exposedSeconds, 0);

  // The estimate splits stageCount(schedule, P, v) stages: the schedule's own, so it reads the same parameters.
  const footprint = schedule.stages === stageCount(kind, P, p.virtualStages) ? { params, activations: stageActivationBytes(config, schedule.stages, costs.stageLayers) } : undefined;
  const memory = estimateMemory(config, timeline.peakActivationsPerRank, costs.stageLayers, footprint);
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
      step: stepBreakdown(perRank[critical].busy, c, timeline.exchangeSecondsPerRank !== undefined, timeline.makespan, ppExposed, dpExposed, optimizerSeconds, stepSeconds),
      comm,
      flops: flopsBreakdown(config),
      parameters: { total: counts.total, active: counts.active, perRank: tail.paramsPerRank },
      notes: notes(config, costs, world, modelFlops),
    },
    timeline: withOps ? timelineResult(kind, P, N, timeline) : numbersOnly(kind, P, N, timeline),
  };
  return { ok: true, result };
}

const worldSize = (config: ResolvedConfig) => {
  const p = config.parallelism;
  return Math.max(1, p.tensor) * Math.max(1, p.context) * Math.max(1, p.data) * Math.max(1, p.pipeline);
};

/** Why the config cannot be simulated at all (before any schedule), or undefined. */
function inputProblem(config: ResolvedConfig): SimulationOutcome | undefined {
  const t = config.training;
  const gpu = config.cluster.gpu;
  if (!(t.sequenceLength > 0 && t.globalBatchSize > 0 && t.microBatchSize > 0 && config.parallelism.microBatches >= 1))
    return fail('simulate/invalid-batch', 'sequence length, batch sizes and micro-batches must be positive');
  if (!(gpu.bf16Tflops > 0 && config.cluster.intraNodeGBps > 0 && config.cluster.interNodeGBps > 0 && gpu.hbmTBps > 0))
    return fail('simulate/invalid-gpu', 'the GPU needs positive peak FLOP/s, HBM bandwidth and link bandwidths');
  return undefined;
}


/**
 * Executes the schedule on the cost model's per-op durations, PP transfers on the links, accumulating each rank's
 * comm split and busy time as the executor asks for each op's seconds (once per op, in each rank's order).
 */
function executePipeline(config: ResolvedConfig, schedule: Schedule, costs: CostModel, withOps: boolean): Result<{ timeline: ExecutedTimeline; perRank: RankWork[] }> {
  const p = config.parallelism;
  const paired = scheduleSpec(schedule.kind).pairsChunks;
  // Without --overlap-p2p-communication a stage meets its neighbours in blocking exchanges (schedules/exchanges.ts)
  // where the schedule says how Megatron places them; in the others (not Megatron's) it waits for its own sends.
  const blocking = !p.overlapP2pComm && schedule.ranks > 1;
  const exchanges = blocking && scheduleSpec(schedule.kind).exchangeAt !== undefined;
  const blockingSend = blocking && !exchanges ? costs.pipelineTransfer.seconds : 0;
  const overlapped = p.overlapExpertComm && !paired && costs.expertCommOverlapped;
  // Megatron-Core runs combined 1F1B in its interleaved schedule and without pipelining (it refuses PP > 1 without VPP).
  const combined = overlapped && (schedule.kind === 'interleaved-1f1b' || schedule.ranks === 1);
  const table = opTable(costs, overlapped, combined, blockingSend);
  let perRank: RankWork[] = [];
  const out = new Float64Array(OUT);
  const durations: OpDurations = {
    // The executor calls `fillSeconds` (or, replaying, `fillRows`); `op` gives the same seconds for any caller holding an op object.
    op: (rank, op) => {
      const stage = stageOf(schedule, rank, op);
      evaluate(table, KIND_CODES[op.kind], stage, op.backward ? stageOf(schedule, rank, op.backward) : stage, out);
      return out[SECONDS];
    },
    fillSeconds: (ops, seconds) => {
      perRank = opSecondsAndWork(table, costs.stages.length, ops, seconds);
    },
    fillRows: (ops) => {
      const rows = opRowsAndWork(table, costs.stages.length, ops);
      perRank = rows.perRank;
      return rows;
    },
    transferSeconds: costs.pipelineTransfer.seconds,
    retainedAfterInputBackward: retainedAfterInputBackward(config),
  };
  const executed = executeSchedule(schedule, durations, { blockingExchanges: exchanges, reuseBuffers: !withOps });
  if (!executed.ok) return executed;
  const exchangeSeconds = executed.value.exchangeSecondsPerRank;
  if (exchangeSeconds) perRank.forEach((work, rank) => (work.comm.ppBlocked = exchangeSeconds[rank]));
  return { ok: true, value: { timeline: executed.value, perRank } };
}


/**
 * Data-parallel sync and optimizer after each rank's last op, on the rank where the step ends last: the bucketed
 * reduce-scatter streams behind the last backward, the parameter all-gather ahead of the first forward.
 */
function stepTail(config: ResolvedConfig, schedule: Schedule, timeline: ExecutedTimeline, perRank: RankWork[], params: StageParameters[]) {
  const p = config.parallelism;
  const gpu = config.cluster.gpu;
  const P = schedule.ranks;
  const N = p.microBatches;
  const tp = Math.max(1, p.tensor);
  const expertShards = Math.max(1, p.expert) * Math.max(1, p.expertTensor);
  const pl = placement(config);
  const gradBytes = config.precision.gradients === 'fp32' ? 4 : 2;
  const stateBytes = config.precision.optimizerStates === 'fp32' ? 4 : 2;
  // AdamW touches per parameter: gradient read, FP32 master read+write, two moments read+write, BF16 weight write.
  const optimizerBytesPerParam = gradBytes + (config.precision.masterWeights === 'fp32' ? 8 : 0) + 4 * stateBytes + 2;
  const family = FAMILY_CONSTANTS[gpu.family] ?? FAMILY_CONSTANTS.hopper;
  let end = 0;
  let dp = { seconds: 0, inter: 0, intra: 0 };
  let dpExposed = 0;
  let optimizerSeconds = 0;
  const paramsPerRank: number[] = [];
  const rankStages = stagesOfRanks(schedule.kind, P, p.virtualStages);
  for (let r = 0; r < P; r++) {
    const held = rankStages[r].filter((s) => s < params.length);
    const chunks = held.map((s) => ({ dense: params[s].dense / tp, experts: params[s].experts / expertShards, layers: params[s].layers, expertLayers: params[s].expertLayers }));
    const dense = chunks.reduce((a, c) => a + c.dense, 0);
    const experts = chunks.reduce((a, c) => a + c.experts, 0);
    paramsPerRank.push(dense + experts);
    const buckets = ddpBuckets(config, chunks, r);
    const sync = dataParallelStep(config, dense, experts, buckets, pl);
    const { lastBackward, firstForward, finish } = timeline.endsPerRank[r];
    // ZeRO-3 gathers before every forward and backward: the first like ZeRO-1's, the rest prefetched under compute.
    // Without --overlap-grad-reduce / --overlap-param-gather each waits for the other side and is exposed whole.
    // With them, buckets stream under the last backward (first forward), but the buckets that fill last (are needed
    // first) cannot: the first chunk's last dense and expert buckets stay exposed (comm.ts `lastBucketShare`).
    const perBucket = lastBucketShare(config, chunks, r);
    const rsExposed = !p.overlapGradReduce ? sync.gradients.seconds : Math.max(sync.gradients.seconds * perBucket, sync.gradients.seconds - lastBackward);
    const gathers = p.zeroStage === 3 ? 2 * Math.max(1, N) : 1;
    const firstGather = sync.parameters.seconds / gathers;
    const agExposed = !p.overlapParamGather
      ? sync.parameters.seconds
      : Math.max(firstGather * perBucket, firstGather - firstForward) + Math.max(0, sync.parameters.seconds - firstGather - perRank[r].busy);
    const shard = p.zeroStage >= 1 ? 1 : 0;
    const updated = dense / (shard ? pl.dpShard.size : 1) + experts / (shard ? pl.expertShard.size : 1);
    const optimizer = (updated * optimizerBytesPerParam) / (gpu.hbmTBps * 1e12 * family.hbmFraction);
    const rankEnd = finish + rsExposed + optimizer + agExposed;
    if (rankEnd >= end) {
      end = rankEnd;
      dpExposed = rsExposed + agExposed;
      optimizerSeconds = optimizer;
      dp = {
        seconds: sync.gradients.seconds + sync.parameters.seconds,
        inter: sync.gradients.interNodeBytes + sync.parameters.interNodeBytes,
        intra: sync.gradients.intraNodeBytes + sync.parameters.intraNodeBytes,
      };
    }
  }
  return { end, dpExposed, optimizerSeconds, dp, paramsPerRank };
}

/** Per kind of communication on the critical rank: seconds total, hidden and exposed, and bytes per step. */
function commBreakdown(
  config: ResolvedConfig,
  costs: CostModel,
  critical: number,
  work: RankWork,
  ppExposed: number,
  dp: { seconds: number; inter: number; intra: number },
  dpExposed: number,
): CommBreakdown[] {
  const p = config.parallelism;
  const spec = scheduleSpec(p.schedule);
  const P = Math.max(1, p.pipeline);
  const c = work.comm;
  const critStages = costs.stages;
  const mbSends = work.sends;
  const ppSeconds = costs.pipelineTransfer.seconds;
  // Bytes per step on the critical rank: per-micro-batch stage bytes × micro-batches through the rank's stages.
  const rankStages = stagesOfRank(p.schedule, P, p.virtualStages, critical).filter((s) => s < critStages.length);
  const perMicroBatch = (pick: (s: (typeof critStages)[number]) => { inter: number; intra: number }) =>
    rankStages.reduce((a, s) => ({ inter: a.inter + pick(critStages[s]).inter, intra: a.intra + pick(critStages[s]).intra }), { inter: 0, intra: 0 });
  const mbPerStage = p.microBatches / spec.directions;
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
  return [
    commEntry('tp', c.tp, c.tpHidden, bytesOf('tp')),
    commEntry('cp', c.cp, c.cpHidden, bytesOf('cp')),
    commEntry('ep', c.ep, c.epHidden, bytesOf('ep')),
    commEntry('pp', ppTotal, Math.max(0, ppTotal - ppExposed - c.ppBlocked), { inter: mbSends * ppBytes.interNodeBytes, intra: mbSends * ppBytes.intraNodeBytes }),
    commEntry('dp', dp.seconds, dp.seconds - dpExposed, { inter: dp.inter, intra: dp.intra }),
  ];
}

const EXECUTED = Symbol('executed');

/**
 * A simulated timeline's ops as typed columns (timeline.ts `TimelineOps`): what the preview draws from, so drawing
 * 10^5 ops builds no TimedOp. Undefined for a timeline that did not come from `simulate` here (parsed JSON, a copy).
 */
export function timelineOpsOf(timeline: TimelineResult): TimelineOps | undefined {
  const executed = (timeline as TimelineResult & { [EXECUTED]?: ExecutedTimeline })[EXECUTED];
  return executed ? timelineOps(executed) : undefined;
}

/**
 * The timeline part of the result. `ops` (one object per op) is built on first read, and so is `opSeconds` (a pass
 * over every op): a caller that needs only the numbers (the status bar, the comparison rows, a layout search) never
 * builds them.
 */
function timelineResult(kind: ScheduleKind, P: number, N: number, timeline: ExecutedTimeline): TimelineResult {
  const result = {
    schedule: kind,
    ranks: P,
    microBatches: N,
    makespanSeconds: timeline.makespan,
    idleSecondsPerRank: timeline.idlePerRank,
    ops: [] as TimedOp[][],
    opSeconds: {} as Partial<Record<OpKind, number>>,
  };
  Object.defineProperty(result, EXECUTED, { value: timeline });
  // Redefining a key keeps its place in the object (JSON and spreads list the fields in the same order); a value
  // set or read once replaces its accessor.
  const lazy = <K extends 'ops' | 'opSeconds'>(key: K, build: () => TimelineResult[K]) =>
    Object.defineProperty(result, key, {
      enumerable: true,
      configurable: true,
      get() {
        const value = build();
        Object.defineProperty(result, key, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
      set(value: TimelineResult[K]) {
        Object.defineProperty(result, key, { value, enumerable: true, configurable: true, writable: true });
      },
    });
  lazy('ops', () => timeline.ranks);
  lazy('opSeconds', () => meanOpSeconds(timelineColumns(timeline) as TimelineColumns));
  return result;
}

/** The timeline part of a result simulated with `{ timeline: false }`: its numbers, no ops. */
function numbersOnly(kind: ScheduleKind, P: number, N: number, timeline: ExecutedTimeline): TimelineResult {
  return { schedule: kind, ranks: P, microBatches: N, makespanSeconds: timeline.makespan, idleSecondsPerRank: timeline.idlePerRank, ops: [], opSeconds: {} };
}

function stepBreakdown(busy: number, c: OpComm, exchanges: boolean, makespan: number, ppExposed: number, dpExposed: number, optimizer: number, step: number): Record<string, number> {
  const epExposed = c.ep - c.epHidden;
  const cpExposed = c.cp - c.cpHidden;
  const tpExposed = c.tp - c.tpHidden;
  // Time in blocking exchanges lies between ops (not in `busy`); a blocked send is part of its op.
  const inOps = exchanges ? 0 : c.ppBlocked;
  const compute = busy - epExposed - tpExposed - cpExposed - inOps;
  return {
    computeSeconds: compute,
    exposedTpSeconds: tpExposed,
    exposedEpSeconds: epExposed,
    exposedCpSeconds: cpExposed,
    exposedPpSeconds: ppExposed + c.ppBlocked,
    bubbleSeconds: Math.max(0, makespan - busy - ppExposed - (c.ppBlocked - inOps)),
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

/** Mean duration per op kind over every rank's ops (summed rank by rank, in op order; kinds in order of appearance). */
function meanOpSeconds(ops: TimelineColumns): Partial<Record<OpKind, number>> {
  const sum = new Float64Array(KIND_NAMES.length);
  const count = new Float64Array(KIND_NAMES.length);
  const seen: number[] = [];
  for (let g = 0; g < ops.kind.length; g++) {
    const k = ops.kind[g];
    if (count[k] === 0) seen.push(k);
    sum[k] += ops.end[g] - ops.start[g];
    count[k]++;
  }
  const out: Partial<Record<OpKind, number>> = {};
  for (const k of seen) out[KIND_NAMES[k]] = sum[k] / count[k];
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
      ? `TP communication overlaps its GEMMs (tp_comm_overlap): only the first of tp chunks and any excess over the GEMM time are exposed; the overlapped GEMMs run on ${config.cluster.gpu.sms} SMs less up to ${Math.max(...Object.values(config.parallelism.tpCommSmMargin))} (tp_comm_sm_margin).`
      : 'TP communication is exposed (tp_comm_overlap is off, as in Megatron-Core by default).',
  );
  out.push(`GPU-hours and days assume ${GOODPUT_FRACTION * 100}% goodput (Llama 3: >90% effective training time); step time and TFLOP/s do not.`);
  return out;
}
