/**
 * Layout search: enumerate the layouts of one model and token budget (nodes, tensor, pipeline, virtual stages,
 * context, expert, expert-tensor, ZeRO stage, micro-batch size, schedule, recompute, MoE node limit; data derived,
 * and sequence parallelism on exactly when tensor > 1, so every cache below keyed by the TP degree keys it too),
 * drop the ones a rule rejects, price the rest with `simulate()` — the preview's own — and return the Pareto frontier
 * (objective × peak memory × wall-clock days) and the top K by the objective. Pure and bounded: no I/O, every loop
 * capped by the space's size and the budgets below.
 *
 * Order and pruning. Candidates are priced in order of a lower bound on their objective. A candidate is skipped
 * unpriced only when a priced layout already beats its lower bounds on all three axes and K priced layouts already
 * beat its objective bound: it can then be neither on the frontier nor in the top K. The bounds (checked against
 * every priced layout by test/search/search.test.ts):
 * - step ≥ makespan ≥ max over ranks of (the rank's op time + the chains it cannot overlap). A rank's op time is
 *   micro-batches × its stages' per-micro-batch cost: compute (the layer modules of the cost model, composed as
 *   costs.ts composes them) plus TP communication, plus the EP all-to-all where nothing overlaps it — an op never
 *   takes less (simulate.ts). The chains: its first op waits for a forward through every earlier stage; without a
 *   split backward (GPipe, 1F1B, interleaved) its last op, a B, is followed by the backward through every earlier
 *   stage. Other idle time, PP transfers, exposed CP, DP and optimizer time only add.
 *   Under ZeRO-3 a rank's step is also at least its parameter all-gathers after the first (2 per micro-batch, hidden
 *   only under that rank's op time). GPU-hours, days and cost are that step × steps, scaled as simulate() scales them.
 * - peak memory = the closed-form estimate with the executed timeline's peak chunks per rank, which depend on the
 *   schedule's op order (schedule, P, N, v) and the share of a chunk a split backward keeps until its W: once one
 *   layout with those is simulated, every layout sharing them has its exact peak without simulating. Before that, one
 *   chunk per rank bounds it (every rank holds at least one).
 * A layout whose memory bound is over the budget cannot fit and is counted as over memory, unpriced.
 *
 * Sharing (exact, not pruning): layouts that differ only in the ZeRO stage share one executed pipeline
 * (simulate.ts's PipelineMemo), and the memory bounds share each stage's parameters and activations (memory.ts's
 * StageFootprint, keyed by what it reads): every priced number is what simulate() gives the layout alone.
 *
 * Validity: the cheap structural constraints the parallelism and routing rules state (divisibility, world size,
 * stage count, whole micro-batches, the schedule's own request check) are tested here before anything is built; the
 * caller's `reject` (the language service's rules, language/layouts.ts) is the final word on every layout priced.
 */
import { costModules, type CostModel } from './costs';
import type { Recompute, ResolvedConfig, ScheduleKind } from './config';
import { SCHEDULE_KINDS } from './config';
import { scheduleSpec } from './schedules/registry';
import { GOODPUT_FRACTION } from './constants';
import { formatInteger } from './format';
import { estimatePeakGiB, retainedAfterInputBackward, stageActivationBytes, stageParameters, type StageFootprint } from './memory';
import { dataParallelStep, ddpBuckets, expertAllToAll, moeLayerTpShare, placement, tensorParallelLayer } from './comm';
import { boundaryLayerEquivalents, mtpKind } from './model';
import { validateScheduleRequest } from './schedules/index';
import { PipelineMemo, simulate } from './simulate';
import { stageCount, stageLayers, stagesOfRanks, type StageLayers } from './stages';

export type Objective = 'gpu-hours' | 'days' | 'cost';
export const OBJECTIVES: readonly Objective[] = ['gpu-hours', 'days', 'cost'];

/** One key the layout sets differently from the file, by its YAML path. */
export interface LayoutChange {
  key: string;
  value: number | string | boolean;
}

export interface PricedLayout {
  changes: LayoutChange[];
  config: ResolvedConfig;
  gpuHours: number;
  days: number;
  costUsd?: number;
  peakGiB: number;
  stepSeconds?: number;
  /** Every rank within HBM (simulate's `memory.fits`). */
  fits: boolean;
  /** The value of the search's objective. */
  objective: number;
  /** The search's lower bounds for this layout, before it was priced (the tests hold them to the priced numbers). */
  bounds?: { objective: number; days: number; stepSeconds: number; peakGiB: number; peakExact: boolean };
}

export interface SearchOptions {
  objective?: Objective;
  /** Node counts to search; default the file's. */
  nodes?: readonly number[];
  /** GPUs to search on instead (a whole number of nodes). */
  gpus?: number;
  /** Share of HBM kept free: a layout is accepted when its peak ≤ HBM × (1 − headroom). */
  memoryHeadroom?: number;
  /** How many of the best layouts by the objective to return. */
  top?: number;
  /** Enumerated layouts at most; past it the search says what it skipped. */
  maxCandidates?: number;
  /** Simulations at most; past it the search stops and says how many candidates it left unexamined. */
  maxSimulations?: number;
  /** The final validity check (the language rules): a diagnostic code when the layout is invalid. */
  reject?: (config: ResolvedConfig) => string | undefined;
  /** Polled between simulations: true stops the search (it returns what it has, `cancelled` set). */
  cancelled?: () => boolean;
  /** Keep every accepted layout in `all` (tests). */
  keepAll?: boolean;
  /** Called after each simulation with the candidates examined so far and the total. */
  progress?: (examined: number, total: number) => void;
}

export interface SearchResult {
  objective: Objective;
  /** Layouts enumerated (before any rule). */
  candidates: number;
  /** Rejected by a rule: by the structural checks here or by `reject`. */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** Valid, but over the memory budget: by the bound (unpriced) or after pricing. */
  overMemory: number;
  /** Skipped unpriced: their bounds were beaten on every axis (see the module comment). */
  pruned: number;
  simulated: number;
  /** Simulations that failed (the reason of the first is in `failures`). */
  failed: number;
  failures: string[];
  /** Pareto frontier of the accepted layouts: objective, peak memory, days; ascending objective. */
  frontier: PricedLayout[];
  /** The K best accepted layouts by the objective. */
  top: PricedLayout[];
  /** The file's own layout, priced (undefined when it cannot be simulated). */
  current?: PricedLayout;
  /** Set when a budget cut the search short: what was not examined, in words. */
  incomplete?: string;
  cancelled: boolean;
  /** When nothing was accepted: which constraint excluded everything. */
  nothingAdmitted?: string;
  /** Every accepted layout, with `keepAll`. */
  all?: PricedLayout[];
  /** HBM budget in GiB per GPU after the headroom, and the GPU's HBM. */
  budgetGiB: number;
  hbmGiB: number;
}

export const DEFAULT_TOP = 5;
export const DEFAULT_MAX_CANDIDATES = 200_000;
export const DEFAULT_MAX_SIMULATIONS = 1_500;

/** One point of the space: every varied key. */
export interface Layout {
  nodes: number;
  tensor: number;
  /** Set with tensor > 1, off at tensor 1 (see `sequenceParallelFor`). */
  sequenceParallel: boolean;
  pipeline: number;
  virtualStages: number;
  context: number;
  expert: number;
  expertTensor: number;
  zeroStage: 0 | 1 | 2 | 3;
  microBatchSize: number;
  schedule: ScheduleKind;
  recompute: Recompute;
  maxNodesPerToken?: number;
}

/*
 * The value lists. Each list adds the file's own value, so the file's layout is always in the space. Choices of
 * scope, not pruning (they are stated here and in the README): ZeRO-0 only when the file uses it (it holds every
 * optimizer state that ZeRO-1 shards); micro-batches of 1 and 2 sequences; interleaving with 2 chunks per rank.
 */
const RECOMPUTES: readonly Recompute[] = ['none', 'selective', 'full'];
const ZERO_STAGES = [1, 2, 3];
/** Interleaved chunk counts tried (besides the file's own). */
const VIRTUAL_STAGES = [2];
const MICRO_BATCH_SIZES = [1, 2];
/**
 * Sequence parallelism for a TP degree: on whenever TP > 1, off at TP 1 (where Megatron turns it off). A choice of
 * scope, not pruning: Megatron-Core raises when MoE layers run TP without it (moe_layer.py) and asserts it under
 * tp_comm_overlap (arguments.py), every published TP run in the examples uses it, and the model prices it with the
 * same TP communication, fewer norm bytes and smaller activations (Korthikanti et al. 2022). A file's own TP > 1
 * layout without it is priced as the file (`current`) and its twin with it is in the space.
 */
const sequenceParallelFor = (tensor: number) => tensor > 1;
/** Context parallelism is tried while each GPU keeps at least this many tokens of a sequence (ring attention's K/V
 * passes stop hiding under a shorter attention core). */
const MIN_TOKENS_PER_CONTEXT_RANK = 4096;
/** Routed experts per GPU at most: beyond it a GPU holds more expert weights than any published MoE run places on one. */
const MAX_EXPERTS_PER_GPU = 32;

function divisors(n: number): number[] {
  const out: number[] = [];
  if (!Number.isInteger(n) || n < 1 || n > 1e9) return out;
  for (let d = 1; d * d <= n; d++) if (n % d === 0) out.push(d, ...(d * d === n ? [] : [n / d]));
  return out.sort((a, b) => a - b);
}

const uniqueSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
const spanNodes = (expert: number, gpusPerNode: number) => Math.max(1, Math.ceil(expert / gpusPerNode));

/**
 * The model of `model` with routing limit `limit`: one object per model and limit, so the configs of a search share
 * it, and with it what the simulator keeps per model (model.ts).
 */
const limitedModels = new WeakMap<ResolvedConfig['model'], Map<number | undefined, ResolvedConfig['model']>>();
function withRoutingLimit(model: ResolvedConfig['model'], limit: number | undefined): ResolvedConfig['model'] {
  if (!model.moe) return model;
  let byLimit = limitedModels.get(model);
  if (!byLimit) limitedModels.set(model, (byLimit = new Map()));
  let out = byLimit.get(limit);
  if (!out) byLimit.set(limit, (out = { ...model, moe: { ...model.moe, maxNodesPerToken: limit } }));
  return out;
}

/** The resolved config of `base` with `layout`'s keys: what resolving the file with those changes gives. */
export function applyLayout(base: ResolvedConfig, layout: Layout): ResolvedConfig {
  const world = layout.nodes * base.cluster.gpusPerNode;
  const data = Math.max(1, Math.floor(world / (layout.tensor * layout.pipeline * layout.context)));
  return {
    ...base,
    model: withRoutingLimit(base.model, layout.maxNodesPerToken),
    training: { ...base.training, microBatchSize: layout.microBatchSize, recompute: layout.recompute },
    parallelism: {
      ...base.parallelism,
      tensor: layout.tensor,
      // As resolving does: off at TP 1 whatever the layout says.
      sequenceParallel: layout.sequenceParallel && layout.tensor > 1,
      pipeline: layout.pipeline,
      data,
      context: layout.context,
      expert: layout.expert,
      expertTensor: layout.expertTensor,
      zeroStage: layout.zeroStage,
      schedule: layout.schedule,
      virtualStages: layout.virtualStages,
      microBatches: Math.max(1, Math.floor(base.training.globalBatchSize / (data * layout.microBatchSize))),
    },
    cluster: { ...base.cluster, nodes: layout.nodes },
  };
}

export function layoutOf(config: ResolvedConfig): Layout {
  const p = config.parallelism;
  return {
    nodes: config.cluster.nodes,
    tensor: p.tensor,
    sequenceParallel: p.sequenceParallel,
    pipeline: p.pipeline,
    virtualStages: p.virtualStages,
    context: p.context,
    expert: p.expert,
    expertTensor: p.expertTensor,
    zeroStage: p.zeroStage,
    microBatchSize: config.training.microBatchSize,
    schedule: p.schedule,
    recompute: config.training.recompute,
    maxNodesPerToken: config.model.moe?.maxNodesPerToken,
  };
}

/** The keys `layout` sets differently from `base`, by YAML path, in a fixed order. */
export function layoutChanges(base: ResolvedConfig, config: ResolvedConfig): LayoutChange[] {
  const out: LayoutChange[] = [];
  const b = layoutOf(base);
  const l = layoutOf(config);
  const add = (key: string, from: unknown, to: number | string | boolean | undefined) => {
    if (to !== undefined && from !== to) out.push({ key, value: to });
  };
  add('cluster.nodes', b.nodes, l.nodes);
  add('parallelism.tensor', b.tensor, l.tensor);
  add('parallelism.sequence_parallel', b.sequenceParallel, l.sequenceParallel);
  add('parallelism.pipeline', b.pipeline, l.pipeline);
  add('parallelism.context', b.context, l.context);
  // A given data degree must follow the layout; a derived one follows by itself.
  if (!base.parallelism.dataDerived) add('parallelism.data', base.parallelism.data, config.parallelism.data);
  add('parallelism.expert', b.expert, l.expert);
  add('parallelism.expert_tensor', b.expertTensor, l.expertTensor);
  add('parallelism.zero_stage', b.zeroStage, l.zeroStage);
  add('parallelism.schedule', b.schedule, l.schedule);
  add('parallelism.virtual_stages', b.virtualStages, l.virtualStages);
  add('training.micro_batch_size', b.microBatchSize, l.microBatchSize);
  add('training.recompute', b.recompute, l.recompute);
  add('model.moe.max_nodes_per_token', b.maxNodesPerToken, l.maxNodesPerToken);
  return out;
}

/** Why the structural checks reject a layout (the rule's code), or undefined; exported for the agreement test. Mirrors language/rules/parallelism.ts
 * and routing.ts; the rules themselves (`reject`) decide for every layout that is priced. It reads neither the
 * recompute nor the ZeRO stage: the enumeration asks once for the layouts that differ only in them. */
export function structuralProblem(base: ResolvedConfig, l: Layout): string | undefined {
  const m = base.model;
  const a = m.attention;
  const world = l.nodes * base.cluster.gpusPerNode;
  if (world % (l.tensor * l.pipeline * l.context) !== 0) return 'parallelism/data-not-integral';
  if (a.heads % l.tensor !== 0) return 'parallelism/heads-tensor';
  if (a.type === 'gqa' && a.kvHeads % l.tensor !== 0) return 'parallelism/kv-heads-tensor';
  if ((m.moe ? m.moe.denseLayers : m.layers) > 0 && m.ffnHiddenSize % l.tensor !== 0) return 'parallelism/ffn-tensor';
  if (m.moe && m.moe.expertHiddenSize % l.expertTensor !== 0) return 'parallelism/ffn-tensor';
  if (m.layers < stageCount(l.schedule, l.pipeline, l.virtualStages)) return 'parallelism/empty-stage';
  const data = world / (l.tensor * l.pipeline * l.context);
  const perStep = data * l.microBatchSize;
  if (base.training.globalBatchSize % perStep !== 0) return 'parallelism/micro-batches';
  const N = base.training.globalBatchSize / perStep;
  if (l.pipeline > 1) {
    const problem = validateScheduleRequest({ kind: l.schedule, ranks: l.pipeline, microBatches: N, virtualStages: l.virtualStages });
    if (problem) return problem.code;
  }
  if (m.moe) {
    if (m.moe.routedExperts % l.expert !== 0) return 'parallelism/expert-experts';
    if ((data * l.context * l.tensor) % (l.expert * l.expertTensor) !== 0) return 'parallelism/expert-ranks';
    const span = spanNodes(l.expert, base.cluster.gpusPerNode);
    const M = l.maxNodesPerToken;
    if (M !== undefined && span > 1 && M > span) return 'routing/limit-above-span';
    if (M !== undefined && M > m.moe.expertsPerToken) return 'routing/limit-above-top-k';
    if (span > 1 && l.expert % base.cluster.gpusPerNode === 0 && m.moe.routedExperts % span !== 0) return 'routing/uneven-nodes';
  }
  if (l.context > 1 && base.training.sequenceLength % (2 * l.context) !== 0) return 'parallelism/context-sequence';
  return undefined;
}

/** The value lists of each key, from the model and the options. Each is small and bounded. */
function space(base: ResolvedConfig, nodes: readonly number[]) {
  const gpn = base.cluster.gpusPerNode;
  const p = base.parallelism;
  const m = base.model;
  // TP inside a node (the rules warn about TP across nodes; every published layout keeps it there).
  const tensors = uniqueSorted([...divisors(gpn), p.tensor]);
  const seq = base.training.sequenceLength;
  const contexts = uniqueSorted([1, 2, 4, 8, 16].filter((c) => c === 1 || seq / c >= MIN_TOKENS_PER_CONTEXT_RANK).concat(p.context));
  const maxWorld = Math.max(...nodes) * gpn;
  const pipelines = uniqueSorted(divisors(maxWorld).filter((d) => d <= m.layers).concat(p.pipeline));
  const microBatchSizes = uniqueSorted([...MICRO_BATCH_SIZES, base.training.microBatchSize]);
  const experts = m.moe ? uniqueSorted(divisors(m.moe.routedExperts).filter((e) => e <= maxWorld && (m.moe!.routedExperts / e <= MAX_EXPERTS_PER_GPU || e === p.expert))) : [1];
  const schedules: { schedule: ScheduleKind; virtualStages: number }[] = [];
  for (const kind of SCHEDULE_KINDS) {
    if (!scheduleSpec(kind).usesVirtualStages) schedules.push({ schedule: kind, virtualStages: 1 });
    else for (const v of uniqueSorted([...VIRTUAL_STAGES, ...(p.schedule === kind && p.virtualStages > 1 ? [p.virtualStages] : [])])) schedules.push({ schedule: kind, virtualStages: v });
  }
  const zeroStages = uniqueSorted([...ZERO_STAGES, p.zeroStage]) as (0 | 1 | 2 | 3)[];
  return { tensors, contexts, pipelines, microBatchSizes, experts, schedules, zeroStages };
}

/** Whether a schedule gives each rank one stage (no chunks, legs or second direction): it then runs on one rank too. */
function oneStagePerRank(kind: ScheduleKind): boolean {
  const spec = scheduleSpec(kind);
  return !spec.usesVirtualStages && spec.lanesPerRank({ ranks: 2, microBatches: 1, virtualStages: 1 }) === 1;
}

/** Without pipeline parallelism there is no schedule to choose: one entry stands for all (the file's one-stage
 * schedule, else 1F1B). */
function schedulesFor(base: ResolvedConfig, all: { schedule: ScheduleKind; virtualStages: number }[], pipeline: number) {
  if (pipeline > 1) return all;
  const own = base.parallelism.schedule;
  return [{ schedule: oneStagePerRank(own) ? own : ('1f1b' as ScheduleKind), virtualStages: 1 }];
}

/** Expert-tensor degrees for a TP degree: 1, and the TP degree itself (Megatron's default ETP = TP). */
const expertTensors = (base: ResolvedConfig, tensor: number) => (base.model.moe ? uniqueSorted([1, tensor, base.parallelism.expertTensor]) : [base.parallelism.expertTensor]);

/**
 * Node limits for an expert degree: the file's, and no limit (M = the nodes the EP group spans, or unset when the
 * file has none), where they differ. Inside one node a limit has no effect: the file's value stays.
 */
function limitsFor(base: ResolvedConfig, expert: number): (number | undefined)[] {
  const moe = base.model.moe;
  if (!moe) return [undefined];
  const own = moe.maxNodesPerToken;
  const span = spanNodes(expert, base.cluster.gpusPerNode);
  if (span === 1) return [own];
  const out: (number | undefined)[] = [];
  if (own === undefined) out.push(undefined);
  else if (own <= span && own <= moe.expertsPerToken) out.push(own);
  const open = Math.min(span, moe.expertsPerToken);
  if (own !== undefined && open !== own) out.push(open);
  return out;
}

/**
 * The layouts whose memory estimates differ only by the ZeRO stage: the same nodes, TP, PP, CP, EP, ETP, micro-batch
 * size, recompute, schedule and v (the estimate does not read the routing limit). Their memory bounds, by ZeRO stage,
 * before and after the executed peaks of their schedule shape are known, and what those bounds share.
 */
interface MemoryGroup {
  /** The key of the executed peaks of the group's schedule shape (schedule, P, N, v and the share a b retains). */
  shape?: string;
  oneChunk: number[];
  exact: number[];
  footprint?: StageFootprint;
}

interface Bounds {
  objective: number;
  days: number;
  /** The step-time bound, seconds. */
  step: number;
}

/**
 * Per rank, for a lower bound on the pipeline makespan: its op time per micro-batch through its stages (every op at
 * least its compute plus TP, plus its EP all-to-all unless overlapped) and the chains it cannot overlap: its first op
 * waits for a micro-batch's forward through every earlier stage, and (GPipe, 1F1B, interleaved: no split backward)
 * its last op, a B, is followed by that micro-batch's backward through every earlier stage. DualPipe's two directions
 * start at both ends: the shorter forward chain counts. makespan ≥ max over ranks of chains + micro-batches × op time.
 */
interface RankProfile {
  chain: number[];
  opPerMicroBatch: number[];
}

function rankProfile(
  config: ResolvedConfig,
  l: Layout,
  split: StageLayers,
  held: readonly (readonly number[])[],
  modules: CostModel['modules'],
  comm: { tpF: number; tpB: number; epF: number; epB: number },
  overlapped: boolean,
  moeMtp: boolean,
): RankProfile {
  const stages = split.dense.length;
  const mtpDepth = config.model.mtpDepth;
  const F: number[] = [];
  const op: number[] = [];
  for (let s = 0; s < stages; s++) {
    const d = split.dense[s];
    const m = split.moe[s];
    const last = s === stages - 1;
    const mtp = last ? mtpDepth : 0;
    let f = d * modules.dense.seconds.F + (modules.moe ? m * modules.moe.seconds.F : 0);
    let b = d * (modules.dense.seconds.b + modules.dense.seconds.W) + (modules.moe ? m * (modules.moe.seconds.b + modules.moe.seconds.W) : 0);
    if (s === 0) {
      f += modules.embedding.seconds.F;
      b += modules.embedding.seconds.b + modules.embedding.seconds.W;
    }
    if (last) {
      f += modules.head.seconds.F + (modules.mtp ? mtp * modules.mtp.seconds.F : 0);
      b += modules.head.seconds.b + modules.head.seconds.W + (modules.mtp ? mtp * (modules.mtp.seconds.b + modules.mtp.seconds.W) : 0);
    }
    const layers = d + m + mtp;
    const moeLayers = config.model.moe ? m + (moeMtp ? mtp : 0) : 0;
    // TP counts whole unless tp_comm_overlap hides part of it under the GEMMs (then none is counted: still a bound);
    // a MoE layer without shared experts pays half (comm.ts `moeLayerTpShare`).
    const tpShare = config.parallelism.tpCommOverlap ? 0 : layers - (1 - moeLayerTpShare(config)) * moeLayers;
    f += tpShare * comm.tpF + (overlapped ? 0 : moeLayers * comm.epF);
    b += tpShare * comm.tpB + (overlapped ? 0 : moeLayers * comm.epB);
    F.push(f);
    op.push(f + b);
  }
  const prefix: number[] = [0];
  const backPrefix: number[] = [0];
  for (let s = 1; s < stages; s++) {
    prefix.push(prefix[s - 1] + F[s - 1]);
    backPrefix.push(backPrefix[s - 1] + op[s - 1] - F[s - 1]);
  }
  // Without a split backward every op is F or B and every F's B runs on the same rank, so a rank's last op is a B
  // whose input gradient still has to pass every earlier stage: the backward chain after it is counted too.
  const spec = scheduleSpec(l.schedule);
  const unsplit = !spec.splitsBackward;
  const out: RankProfile = { chain: [], opPerMicroBatch: [] };
  for (let r = 0; r < l.pipeline; r++) {
    const first = Math.min(...held[r]);
    out.opPerMicroBatch.push(held[r].reduce((a, s) => a + op[s], 0));
    // Two directions (DualPipe): a rank computes stage r for one direction and stage P−1−r for the other; its first
    // op waits for the shorter of the two forward chains.
    out.chain.push(spec.directions === 2 ? Math.min(prefix[r] ?? 0, prefix[l.pipeline - 1 - r] ?? 0) : prefix[first] + (unsplit ? backPrefix[first] : 0));
  }
  return out;
}

/**
 * ZeRO-3 gathers each rank's parameters 2N times a step; all but the first hide only under the rank's own op time
 * (simulate.ts exposes the rest), so the rank's step lasts at least those gathers.
 */
function zero3Gathers(config: ResolvedConfig, params: StageFootprint['params'], held: readonly (readonly number[])[]): number[] {
  const tp = Math.max(1, config.parallelism.tensor);
  const shards = Math.max(1, config.parallelism.expert) * Math.max(1, config.parallelism.expertTensor);
  const N = Math.max(1, config.parallelism.microBatches);
  const pl = placement(config);
  return held.map((stages, rank) => {
    const chunks = stages.map((s) => ({ dense: params[s].dense / tp, experts: params[s].experts / shards, layers: params[s].layers, expertLayers: params[s].expertLayers }));
    const dense = chunks.reduce((a, c) => a + c.dense, 0);
    const experts = chunks.reduce((a, c) => a + c.experts, 0);
    const all = dataParallelStep(config, dense, experts, ddpBuckets(config, chunks, rank), pl).parameters.seconds;
    return all - all / (2 * N);
  });
}

function objectiveOf(objective: Objective, r: { gpuHours: number; wallClockDays: number; costUsd?: number }): number {
  return objective === 'gpu-hours' ? r.gpuHours : objective === 'days' ? r.wallClockDays : (r.costUsd ?? r.gpuHours);
}

/** Does a priced point dominate the bounds (≤ on every axis)? */
const dominates = (f: PricedLayout, objective: number, days: number, peakGiB: number) => f.objective <= objective && f.days <= days && f.peakGiB <= peakGiB;

/** The Pareto frontier of `points` on (objective, peak memory, days), ascending objective. */
export function paretoFrontier(points: readonly PricedLayout[]): PricedLayout[] {
  const sorted = [...points].sort((a, b) => a.objective - b.objective || a.peakGiB - b.peakGiB || a.days - b.days);
  const out: PricedLayout[] = [];
  for (const p of sorted) if (!out.some((f) => dominates(f, p.objective, p.days, p.peakGiB))) out.push(p);
  return out;
}

export function searchLayouts(base: ResolvedConfig, options: SearchOptions = {}): SearchResult {
  const objective = options.objective ?? 'gpu-hours';
  const nodes = uniqueSorted((options.nodes && options.nodes.length > 0 ? [...options.nodes] : [base.cluster.nodes]).filter((n) => Number.isInteger(n) && n >= 1));
  const headroom = Math.min(0.9, Math.max(0, options.memoryHeadroom ?? 0));
  const budgetGiB = base.cluster.gpu.hbmGiB * (1 - headroom);
  const topK = Math.max(1, Math.min(100, Math.floor(options.top ?? DEFAULT_TOP)));
  const maxCandidates = Math.max(1, options.maxCandidates ?? DEFAULT_MAX_CANDIDATES);
  const maxSimulations = Math.max(1, options.maxSimulations ?? DEFAULT_MAX_SIMULATIONS);
  const result: SearchResult = {
    objective, candidates: 0, rejected: 0, rejectedBy: {}, overMemory: 0, pruned: 0, simulated: 0, failed: 0, failures: [],
    frontier: [], top: [], cancelled: false, budgetGiB, hbmGiB: base.cluster.gpu.hbmGiB,
  };
  const reject = (code: string) => {
    result.rejected++;
    result.rejectedBy[code] = (result.rejectedBy[code] ?? 0) + 1;
  };

  const refuse = (why: string) => {
    result.nothingAdmitted = why;
    return result;
  };
  if (objective === 'cost' && base.cluster.pricePerGpuHour === undefined) return refuse('the cost objective needs cluster.price_per_gpu_hour');
  if (options.gpus !== undefined) {
    if (!(options.gpus > 0 && options.gpus % base.cluster.gpusPerNode === 0)) return refuse(`${options.gpus} GPUs is not a whole number of ${base.cluster.gpusPerNode}-GPU nodes`);
    nodes.splice(0, nodes.length, options.gpus / base.cluster.gpusPerNode);
  }
  if (nodes.length === 0) return refuse('no node count to search');

  // Numbers only (no ops kept): nothing allocated per op, and the same numbers.
  const current = simulate(base, { timeline: false });
  if (current.ok) result.current = priced(base, base, objective, current.result);

  // Enumerate, with the structural checks. The product is counted first, so a space over the budget is said, not cut.
  const s = space(base, nodes);
  const perMesh = s.microBatchSizes.length * s.zeroStages.length * RECOMPUTES.length;
  const schedulesPerPipeline = s.pipelines.reduce((a, pipeline) => a + schedulesFor(base, s.schedules, pipeline).length, 0);
  let size = 0;
  for (const _ of nodes) for (const t of s.tensors) for (const e of s.experts) size += s.contexts.length * schedulesPerPipeline * expertTensors(base, t).length * limitsFor(base, e).length * perMesh;
  if (size > maxCandidates) {
    result.candidates = size;
    result.incomplete = `the space has ${formatInteger(size)} layouts, over the budget of ${formatInteger(maxCandidates)}: nothing was searched. Narrow it (fewer node counts) or raise the budget.`;
    return result;
  }
  // Lower bounds on the objective and days (see the module comment), computed as the space is enumerated. Per-stage
  // op costs are composed from the layer modules of one cost model per TP, CP, EP, ETP, micro-batch size, recompute
  // and overlap (shared by every pipeline degree, schedule and ZeRO stage), the layer split per schedule, and
  // per-layer TP/EP communication per mesh; keys are built at the loop level that fixes them.
  const modulesCache = new Map<string, { modules: CostModel['modules']; overlapped: boolean }>();
  const boundary = boundaryLayerEquivalents(base);
  // What depends on the schedule, P and v alone: the layer split (Megatron's even split for its own schedules,
  // balanced for the others), the stages each rank holds within it, and their parameters (memory.ts: those read the
  // model, the precision and the split alone).
  const shapes = new Map<string, { split: StageLayers; held: readonly (readonly number[])[]; params?: StageFootprint['params'] }>();
  const shapeOf = (config: ResolvedConfig, l: Layout) => {
    const key = `${l.schedule}/${l.pipeline}/${l.virtualStages}`;
    let shape = shapes.get(key);
    if (!shape) {
      const split = stageLayers(config, stageCount(l.schedule, l.pipeline, l.virtualStages), boundary);
      const stages = split.dense.length;
      const lanes = stagesOfRanks(l.schedule, l.pipeline, l.virtualStages);
      const held = lanes.every((r) => r.every((st) => st < stages)) ? lanes : lanes.map((r) => r.filter((st) => st < stages));
      shapes.set(key, (shape = { split, held }));
    }
    return shape;
  };
  const splitOf = (config: ResolvedConfig, l: Layout) => shapeOf(config, l).split;
  const paramsOf = (config: ResolvedConfig, l: Layout) => {
    const shape = shapeOf(config, l);
    return (shape.params ??= stageParameters(config, shape.split.dense.length, shape.split));
  };
  const moeMtp = mtpKind(base.model) === 'moe';
  const steps = Math.ceil(base.training.tokens / (base.training.globalBatchSize * base.training.sequenceLength));
  const price = base.cluster.pricePerGpuHour;
  // Configs are rebuilt when needed (applyLayout is a few spreads), not kept: 30K kept configs cost more in GC.
  const valid: { layout: Layout; bounds: Bounds; memory: MemoryGroup }[] = [];
  const toBounds = (stepBound: number, world: number): Bounds => {
    const gpuHours = (steps * stepBound * world) / 3600 / GOODPUT_FRACTION;
    const days = (steps * stepBound) / 86400 / GOODPUT_FRACTION;
    return { objective: objectiveOf(objective, { gpuHours, wallClockDays: days, costUsd: price === undefined ? undefined : gpuHours * price }), days, step: stepBound };
  };
  for (const n of nodes)
    for (const tensor of s.tensors)
      for (const context of s.contexts)
        for (const pipeline of s.pipelines)
          for (const expert of s.experts)
            for (const expertTensor of expertTensors(base, tensor)) {
              // What the routing limit does not change, shared by its values: the memory groups and the ZeRO-3
              // gathers (which read the mesh, the micro-batches and the split).
              const meshMemory = new Map<string, MemoryGroup>();
              const meshGathers = new Map<string, number[]>();
              for (const maxNodesPerToken of limitsFor(base, expert))
                for (const microBatchSize of s.microBatchSizes) {
                  const world = n * base.cluster.gpusPerNode;
                  const N = (base.training.globalBatchSize * tensor * pipeline * context) / (world * microBatchSize);
                  // Per-layer TP and EP communication of this mesh (each loop level below fixes more keys; every
                  // combination is visited once, so what a level computes is kept in a local, not a map).
                  let comm: { tpF: number; tpB: number; epF: number; epB: number } | undefined;
                  for (const { schedule, virtualStages } of schedulesFor(base, s.schedules, pipeline)) {
                    const spec = scheduleSpec(schedule);
                    const paired = spec.pairsChunks;
                    // The layer split depends on the schedule itself (Megatron's even split for its own schedules, balanced for the
                    // others), so each schedule has its own.
                    const splitKey = `${schedule}/${pipeline}/${virtualStages}`;
                    let gathers: number[] | undefined;
                    // The structural checks read neither the recompute nor the ZeRO stage: one answer for the layouts below.
                    const sequenceParallel = sequenceParallelFor(tensor);
                    const problem = structuralProblem(base, { nodes: n, tensor, sequenceParallel, pipeline, virtualStages, context, expert, expertTensor, zeroStage: s.zeroStages[0], microBatchSize, schedule, recompute: RECOMPUTES[0], maxNodesPerToken });
                    for (const recompute of RECOMPUTES) {
                      let profile: RankProfile | undefined;
                      let step = -1;
                      let memory: MemoryGroup | undefined;
                      for (const zeroStage of s.zeroStages) {
                        result.candidates++;
                        if (problem) {
                          reject(problem);
                          continue;
                        }
                        const layout: Layout = { nodes: n, tensor, sequenceParallel, pipeline, virtualStages, context, expert, expertTensor, zeroStage, microBatchSize, schedule, recompute, maxNodesPerToken };
                        let config: ResolvedConfig | undefined;
                        if (!profile) {
                          config ??= applyLayout(base, layout);
                          const computeKey = `${tensor}/${context}/${expert}/${expertTensor}/${microBatchSize}/${recompute}/${paired}`;
                          let m = modulesCache.get(computeKey);
                          if (m === undefined) {
                            // Full recompute by blocks re-runs only recompute_layers layers per stage (costs.ts): the
                            // bound prices every layer without recompute, which no op undercuts.
                            const t = config.training;
                            const costs = costModules(t.recompute === 'full' && t.recomputeMethod === 'block' ? { ...config, training: { ...t, recompute: 'none' } } : config);
                            // simulate.ts: the all-to-all is exposed in full unless DualPipe pairs chunks or the config overlaps it.
                            m = { modules: costs.modules, overlapped: paired || (config.parallelism.overlapExpertComm && costs.expertCommOverlapped) };
                            modulesCache.set(computeKey, m);
                          }
                          if (comm === undefined) {
                            const tokens = (microBatchSize * base.training.sequenceLength) / context;
                            const tp = tensorParallelLayer(config, tokens);
                            const ep = base.model.moe ? expertAllToAll(config, tokens / tensor) : undefined;
                            comm = { tpF: tp.forward.seconds, tpB: tp.backward.seconds, epF: ep?.forward.seconds ?? 0, epB: ep?.backward.seconds ?? 0 };
                          }
                          const shape = shapeOf(config, layout);
                          profile = rankProfile(config, layout, shape.split, shape.held, m.modules, comm, m.overlapped, moeMtp);
                        }
                        const perStage = N / spec.directions;
                        if (step < 0) {
                          step = 0;
                          for (let r = 0; r < pipeline; r++) step = Math.max(step, profile.chain[r] + perStage * profile.opPerMicroBatch[r]);
                        }
                        let stepBound = step;
                        if (zeroStage === 3) {
                          if (!gathers) {
                            const key = `${microBatchSize}|${splitKey}`;
                            gathers = meshGathers.get(key);
                            if (!gathers) {
                              config ??= applyLayout(base, layout);
                              meshGathers.set(key, (gathers = zero3Gathers(config, paramsOf(config, layout), shapeOf(config, layout).held)));
                            }
                          }
                          stepBound = 0;
                          for (let r = 0; r < pipeline; r++) stepBound = Math.max(stepBound, profile.chain[r] + Math.max(perStage * profile.opPerMicroBatch[r], gathers[r]));
                        }
                        if (!memory) {
                          const key = `${microBatchSize}/${recompute}/${splitKey}`;
                          memory = meshMemory.get(key);
                          if (!memory) meshMemory.set(key, (memory = { oneChunk: [], exact: [] }));
                        }
                        valid.push({ layout, bounds: toBounds(stepBound, world), memory });
                      }
                    }
                  }
                }
            }
  valid.sort((a, b) => a.bounds!.objective - b.bounds!.objective);

  // Memory on demand. The chunks each rank holds at its peak depend on the schedule's op order and on the share of a
  // chunk a split backward's b leaves held until its W (timeline.ts walks each rank's ops in order with that share;
  // memory.ts's retainedAfterInputBackward reads the model, the precision and, of the keys searched, the recompute and
  // the context degree). So once one layout with a (schedule, P, N, v, share) is simulated, every other layout with
  // them gets its exact peak from the closed-form estimate; before that, one chunk per rank bounds it (a rank holds
  // a whole chunk from its first forward's start).
  const peaks = new Map<string, number[]>();
  const retainedShares = new Map<string, number>();
  const retainedOf = (l: Layout) => {
    const key = `${l.recompute}/${l.context}`;
    let share = retainedShares.get(key);
    if (share === undefined) retainedShares.set(key, (share = retainedAfterInputBackward(applyLayout(base, l))));
    return share;
  };
  const peaksKey = (l: Layout, N: number) => `${l.schedule}/${l.pipeline}/${N}/${scheduleSpec(l.schedule).usesVirtualStages ? l.virtualStages : 1}/${retainedOf(l)}`;
  // Before a shape's peaks are known: one chunk on every rank (read, never written; as long as any pipeline searched).
  const oneChunkPerRank: number[] = new Array<number>(Math.max(1, ...s.pipelines)).fill(1);
  // The estimate's per-stage inputs (memory.ts): the parameters depend on the model, the precision and the layer
  // split; the saved activations on those, the micro-batch's tokens per GPU and the recompute. Every other input of
  // them is the file's own, which a search does not vary: each is shared by every layout with those keys, and kept
  // with each memory group.
  const stageActivations = new Map<string, StageFootprint['activations']>();
  const footprintOf = (config: ResolvedConfig, l: Layout, group: MemoryGroup): StageFootprint => {
    if (!group.footprint) {
      const split = splitOf(config, l);
      const key = `${l.schedule}/${l.pipeline}/${l.virtualStages}/${l.tensor}/${l.context}/${l.microBatchSize}/${l.recompute}`;
      let activations = stageActivations.get(key);
      if (!activations) stageActivations.set(key, (activations = stageActivationBytes(config, split.dense.length, split)));
      group.footprint = { params: paramsOf(config, l), activations };
    }
    return group.footprint;
  };
  /** The memory bound, and whether it is the exact peak (the executed peaks of its schedule shape are known). */
  const memoryBound = (entry: (typeof valid)[number]): { peakGiB: number; exact: boolean } => {
    const l = entry.layout;
    const group = entry.memory;
    if (group.shape === undefined) {
      const N = (base.training.globalBatchSize * l.tensor * l.pipeline * l.context) / (l.nodes * base.cluster.gpusPerNode * l.microBatchSize);
      group.shape = peaksKey(l, N);
    }
    const known = peaks.get(group.shape);
    const cache = known ? group.exact : group.oneChunk;
    let hit = cache[l.zeroStage];
    if (hit === undefined) {
      const config = applyLayout(base, l);
      hit = cache[l.zeroStage] = estimatePeakGiB(config, known ?? oneChunkPerRank, splitOf(config, l), footprintOf(config, l, group));
    }
    return { peakGiB: hit, exact: known !== undefined };
  };
  const accepted: PricedLayout[] = [];
  const all: PricedLayout[] | undefined = options.keepAll ? (result.all = []) : undefined;
  let frontier: PricedLayout[] = [];
  const kthBest = () => (accepted.length < topK ? Infinity : accepted[topK - 1].objective);
  let examined = 0;
  // ZeRO 1, 2 and 3 of one layout share its executed pipeline (simulate.ts says why that is exact).
  const pipelines = new PipelineMemo();
  for (let i = 0; i < valid.length; i++) {
    const { layout, bounds } = valid[i];
    if (options.cancelled?.()) {
      result.cancelled = true;
      result.incomplete = `cancelled after ${formatInteger(examined)} of ${formatInteger(valid.length)} valid layouts`;
      break;
    }
    if (result.simulated >= maxSimulations) {
      result.incomplete = `stopped at the budget of ${formatInteger(maxSimulations)} simulations: ${formatInteger(valid.length - i)} valid layouts were not examined (their objective bounds were ≥ ${bounds!.objective.toPrecision(4)})`;
      break;
    }
    examined++;
    const b = bounds!;
    const { peakGiB: mem, exact: memExact } = memoryBound(valid[i]);
    if (mem > budgetGiB) {
      result.overMemory++;
      continue;
    }
    if (b.objective >= kthBest() && frontier.some((f) => dominates(f, b.objective, b.days, mem))) {
      result.pruned++;
      continue;
    }
    const config = applyLayout(base, layout);
    const code = options.reject?.(config);
    if (code) {
      reject(code);
      continue;
    }
    const outcome = simulate(config, { pipelines, timeline: false });
    result.simulated++;
    options.progress?.(examined, valid.length);
    if (!outcome.ok) {
      result.failed++;
      if (result.failures.length < 5) result.failures.push(`${outcome.code}: ${outcome.reason}`);
      continue;
    }
    peaks.set(peaksKey(layout, config.parallelism.microBatches), outcome.result.memory.perStage.map((r) => r.peakActivationChunks));
    if (outcome.result.memory.peakGiB > budgetGiB) {
      result.overMemory++;
      continue;
    }
    const point = priced(base, config, objective, outcome.result);
    all?.push(point);
    point.bounds = { objective: b.objective, days: b.days, stepSeconds: b.step, peakGiB: mem, peakExact: memExact };
    point.stepSeconds = outcome.result.stepSeconds;
    insertSorted(accepted, point);
    if (!frontier.some((f) => dominates(f, point.objective, point.days, point.peakGiB))) {
      frontier = frontier.filter((f) => !dominates(point, f.objective, f.days, f.peakGiB));
      frontier.push(point);
    }
  }
  result.frontier = frontier.sort((a, b) => a.objective - b.objective || a.peakGiB - b.peakGiB);
  result.top = accepted.slice(0, topK);
  if (accepted.length === 0 && !result.cancelled) result.nothingAdmitted = nothingAdmitted(result, valid.length);
  return result;
}

function priced(base: ResolvedConfig, config: ResolvedConfig, objective: Objective, r: { gpuHours: number; wallClockDays: number; costUsd?: number; memory: { peakGiB: number; fits: boolean } }): PricedLayout {
  return {
    changes: layoutChanges(base, config),
    config,
    gpuHours: r.gpuHours,
    days: r.wallClockDays,
    costUsd: r.costUsd,
    peakGiB: r.memory.peakGiB,
    fits: r.memory.fits,
    objective: objectiveOf(objective, r),
  };
}

function insertSorted(xs: PricedLayout[], x: PricedLayout): void {
  let i = xs.length;
  while (i > 0 && xs[i - 1].objective > x.objective) i--;
  xs.splice(i, 0, x);
}

/** Which constraint excluded everything, in words. */
function nothingAdmitted(r: SearchResult, valid: number): string {
  if (r.candidates === 0) return 'the options leave no layout to try';
  if (valid === 0) {
    const [code, count] = Object.entries(r.rejectedBy).sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
    return `every one of the ${formatInteger(r.candidates)} layouts breaks a rule; the most common is ${code} (${formatInteger(count)} layouts)`;
  }
  if (r.overMemory > 0 && r.simulated - r.failed <= r.overMemory) {
    return `no valid layout fits in ${r.budgetGiB.toFixed(1)} GiB per GPU (HBM less the headroom): ${formatInteger(r.overMemory)} valid layouts are over it. More GPUs, a smaller headroom or a GPU with more memory would admit some.`;
  }
  const [code, count] = Object.entries(r.rejectedBy).sort((a, b) => b[1] - a[1])[0] ?? ['?', 0];
  return `no layout passed every rule; the most common rejection is ${code} (${formatInteger(count)} layouts)`;
}
