/**
 * Executes a schedule: every rank runs its ops in order, each as soon as the rank is free and its inputs have arrived.
 *
 * Event-driven, no clock: an op's completion is an event that wakes the ranks waiting for its output. Ranks do not
 * contend for links, so an op's start depends only on its rank's previous op and its inputs; events can therefore be
 * handled in dependency order instead of time order, each op exactly once: O(ops + ranks) time and memory.
 *
 * The ops are first compiled into flat integer arrays (kind, input and output keys, seconds), straight from the
 * generated schedule's typed columns, so neither compiling nor the main loop allocates anything per op (with
 * `secondsByKind` or `fillSeconds` durations and no transfer callback: otherwise the callbacks get the schedule's
 * op objects). The TimedOp lists are built on first read of `ranks`, and never with `{ keepOps: false }`; a consumer
 * that needs only numbers reads `timelineColumns`: 10^6 ops run without 10^6 objects.
 */
import { EXCHANGE_COMBINED, EXCHANGE_NONE, EXCHANGE_SPLIT } from './schedules/exchanges';
import { formatOp, scheduleColumns, scheduleSpec, stageOf } from './schedules/index';
import { KIND_B, KIND_b, KIND_CODES, KIND_F, KIND_FB, KIND_NAMES, KIND_W, type OpColumns, opAt, orderOf } from './schedules/program';
import type { OpKind, OpRef, Result, Schedule, ScheduleOp, TimedOp } from './schedules/types';
import { completeEvent, type ExchangePlan, opPlan, type OpPlan, postEvent, replayExchanges, type ReplayDurations, type ReplayNumbers, replayNumbers, replayOps } from './replay';

export interface OpDurations {
  /** Seconds (or units) `op` takes on `rank`; for FB the whole overlapped pair. */
  op(rank: number, op: ScheduleOp): number;
  /** Point-to-point time to move `ref`'s activation (forward) or gradient (backward) between ranks. Default 0. */
  transfer?(fromRank: number, toRank: number, ref: OpRef, kind: 'activation' | 'gradient'): number;
  /**
   * Durations that depend on the op's kind only. When set, the executor uses them instead of calling `op` (they must
   * agree), and, without `transfer`, never builds op objects.
   */
  secondsByKind?: Readonly<Record<OpKind, number>>;
  /**
   * Durations from each op's kind and the model stages it computes: fills `seconds[g]` for every op g that can run
   * (`ops.problem[g] === 0`), once, before any op runs. When set, the executor uses it instead of `op` (they must
   * agree) and builds no op object; one call for all ops, so no number is boxed per op.
   */
  fillSeconds?(ops: StagedOps, seconds: Float64Array): void;
  /**
   * The same durations as `fillSeconds`, as a table: op g (that can run) takes `seconds[rowOf[g]]`. When set, a
   * replay of a recorded run calls it instead of `fillSeconds` (once), and reads no per-op seconds.
   */
  fillRows?(ops: StagedOps): { rowOf: Int32Array; seconds: Float64Array };
  /** Seconds of every point-to-point transfer, when all take the same: used when there is no `transfer`. */
  transferSeconds?: number;
  /**
   * Share of a chunk's saved activations an input-only backward (b) leaves for its W: the inputs of the weight
   * GEMMs (Zero Bubble, Qi et al. 2024, §3.1: b frees M_B − M_W, W frees M_W). Default 1: b frees nothing.
   */
  retainedAfterInputBackward?: number;
}

/** Every op of a schedule with the stages it computes, ranks concatenated: what `fillSeconds` reads. */
export interface StagedOps {
  /** Rank r's ops are first[r] .. first[r+1]−1. */
  readonly first: Int32Array;
  /** `KIND_F` … `KIND_FB` (schedules/program.ts). */
  readonly kind: Uint8Array;
  /** The model stage each op computes, and its backward half's (FB; else the same). */
  readonly stage: Int32Array;
  readonly backStage: Int32Array;
  /** 0 for an op that can run; any other op is reported when its rank reaches it, and needs no duration. */
  readonly problem: Uint8Array;
}

export interface ExecuteOptions {
  /** Build the per-rank TimedOp lists (default true). Without them `ranks` is empty and the numbers are the same. */
  keepOps?: boolean;
  /**
   * Move activations and gradients in blocking rendezvous exchanges (Megatron-LM without
   * --overlap-p2p-communication; schedules/exchanges.ts) instead of asynchronous sends. Default false.
   */
  blockingExchanges?: boolean;
  /**
   * Keep the ops' times in buffers the next run with this option reuses, not in new ones: the timeline carries its
   * numbers only (`ranks` empty, no `timelineColumns` or `timelineOps`). For a caller that needs the numbers alone
   * (simulate's `{ timeline: false }`: the preview's comparison rows, a layout search): nothing allocated per op.
   */
  reuseBuffers?: boolean;
}

export interface ExecutedTimeline {
  /**
   * Per rank, ops in execution order with start/end (empty arrays with `keepOps: false`). Built on first read and
   * cached: a caller that needs only the numbers below allocates no TimedOp.
   */
  ranks: TimedOp[][];
  makespan: number;
  /** makespan − busy time, per rank. */
  idlePerRank: number[];
  /** Most micro-batch chunks whose activations a rank held at once (see `peakActivations`). */
  peakActivationsPerRank: number[];
  /**
   * With `blockingExchanges`: per rank, seconds its exchanges cost beyond waiting for their inputs to be computed
   * (that wait is the pipeline bubble, as with asynchronous sends): the rendezvous and the transfers.
   */
  exchangeSecondsPerRank?: number[];
  /** Per rank, what the step after the pipeline reads (see `RankEnds`). */
  endsPerRank: RankEnds[];
}

/**
 * A rank's last and first work: the seconds of its last op that is not a forward (its last backward: what the
 * gradient reduce-scatter can hide under), of its first forward (F or FB: what the parameter all-gather can hide
 * under), and when its last op ends; 0 for a rank without ops.
 */
export interface RankEnds {
  lastBackward: number;
  firstForward: number;
  finish: number;
}

/** Unit costs for tests and the CLI: b defaults to B − W (B = b + W), FB to F + B (no overlap gain). */
export function unitDurations(costs: { F: number; B: number; b?: number; W: number; FB?: number }): OpDurations {
  const seconds = { F: costs.F, B: costs.B, b: costs.b ?? costs.B - costs.W, W: costs.W, FB: costs.FB ?? costs.F + costs.B };
  return { op: (_rank, op) => seconds[op.kind], secondsByKind: seconds };
}

// Op kinds as small integers for the typed arrays (the generators' codes).
const F = KIND_F;
const B = KIND_B;
const b = KIND_b;
const W = KIND_W;
const FB = KIND_FB;

// Why an op cannot run, found while compiling and reported when its rank reaches it.
const OK = 0;
const OUT_OF_RANGE = 1;
const NO_BACKWARD_HALF = 2;
const PROBLEM = ['', 'a micro-batch or chunk outside the schedule', 'an FB pair without its backward half'];

/**
 * Every op as integers, indexed by its position in the concatenation of the ranks' orders. "What has finished" is
 * indexed by key = (stream, stage, phase): a stream is one micro-batch (per DualPipe direction), phase 0 the forward
 * output (activation), phase 1 the input gradient. -1 = no such input or output. The same stream's key one stage on
 * is `stageStride` further: generated schedules lay keys out stage by stage (a rank walks its stage's micro-batches
 * in order, so its keys are adjacent in memory), hand-built ones stream by stream.
 */
interface Compiled {
  /** Rank r's ops are first[r] .. first[r+1]−1. */
  first: Int32Array;
  kind: Uint8Array;
  problem: Uint8Array;
  /** Inputs: the previous stage's activation (F, FB); this rank's own forward (B, b, FB) or b (W); the next stage's gradient (B, b, FB). */
  activationIn: Int32Array;
  localIn: Int32Array;
  gradientIn: Int32Array;
  /** Outputs: F and FB publish an activation, B, b and FB an input gradient; W publishes nothing. */
  activationOut: Int32Array;
  gradientOut: Int32Array;
  /** The model stage each op computes, and its backward half's (FB; else the same); -1 for an op that cannot run. */
  stage: Int32Array;
  backStage: Int32Array;
  keys: number;
  stageStride: number;
  /** Kept with a generated schedule (wiredColumns), so what is learnt from one run serves the next. */
  shared: boolean;
  /** The first complete run's order (replay.ts), recorded once for a shared wiring. */
  plan?: OpPlan;
  /** Peak held chunks per rank (`peakActivations`), by the share a b retains: they depend on the op order alone. */
  peaks?: Map<number, readonly number[]>;
  /** Whether any op is a split backward (b or W), the only ops that read the retained share (`peaksOf`). */
  splitBackward?: boolean;
}

/** The compiled arrays, views into one backing store (few large allocations, not one per array); `wire` fills every field. */
function allocate(first: Int32Array, keys: number, stageStride: number, kind?: Uint8Array): Compiled {
  const total = first[first.length - 1];
  const buffer = new ArrayBuffer(4 * 7 * total + total + (kind ? 0 : total));
  const column = (i: number) => new Int32Array(buffer, 4 * i * total, total);
  return {
    first,
    activationIn: column(0),
    localIn: column(1),
    gradientIn: column(2),
    activationOut: column(3),
    gradientOut: column(4),
    stage: column(5),
    backStage: column(6),
    problem: new Uint8Array(buffer, 4 * 7 * total, total),
    kind: kind ?? new Uint8Array(buffer, 4 * 7 * total + total, total),
    keys,
    stageStride,
    shared: false,
  };
}

/** Streams per direction and directions: DualPipe runs N/2 micro-batches each way. */
function streamsOf(schedule: Schedule): { perDirection: number; directions: number } {
  const { directions } = scheduleSpec(schedule.kind);
  return { perDirection: schedule.microBatches / directions, directions };
}

/**
 * Fills op g's inputs and outputs from its stage and key (key = −1: out of range). `backStage`/`backKey` are the
 * backward half's (B, b: the op itself; FB: its backward ref).
 */
function wire(c: Compiled, g: number, kind: number, stage: number, key: number, backStage: number, backKey: number, stages: number): void {
  let valid = true;
  let activationIn = -1;
  let localIn = -1;
  let gradientIn = -1;
  let activationOut = -1;
  let gradientOut = -1;
  // Forward half (F, FB): needs the previous stage's activation unless it is the first stage.
  if (kind === F || kind === FB) {
    if (key < 0) valid = false;
    activationOut = key;
    if (stage > 0) activationIn = key - c.stageStride;
  }
  // Backward half (B, b, FB): needs its own forward and the next stage's gradient (the last stage starts from the loss).
  if (kind === FB || kind === B || kind === b) {
    if (backKey < 0) valid = false;
    localIn = backKey;
    gradientOut = backKey + 1;
    if (backStage < stages - 1) gradientIn = backKey + c.stageStride + 1;
  }
  if (kind === W) {
    if (key < 0) valid = false;
    localIn = key + 1;
  }
  c.stage[g] = stage;
  c.backStage[g] = backStage;
  c.activationIn[g] = activationIn;
  c.localIn[g] = localIn;
  c.gradientIn[g] = gradientIn;
  c.activationOut[g] = activationOut;
  c.gradientOut[g] = gradientOut;
  c.problem[g] = valid ? OK : OUT_OF_RANGE;
}

/** An op that cannot be wired at all: no inputs, no outputs, and the reason it cannot run. */
function unwired(c: Compiled, g: number, problem: number): void {
  c.stage[g] = c.backStage[g] = c.activationIn[g] = c.localIn[g] = c.gradientIn[g] = c.activationOut[g] = c.gradientOut[g] = -1;
  c.problem[g] = problem;
}

/** The op objects' path: any hand-built or edited `order`, checked field by field. */
function compileOrder(schedule: Schedule, order: readonly (readonly ScheduleOp[])[]): Compiled {
  const { stages } = schedule;
  const { perDirection, directions } = streamsOf(schedule);
  const first = new Int32Array(order.length + 1);
  for (let rank = 0; rank < order.length; rank++) first[rank + 1] = first[rank] + order[rank].length;
  const c = allocate(first, directions * perDirection * stages * 2, 2);
  /** Key of the stream of `ref` at `stage` (phase 0); -1 when out of range. */
  const keyOf = (ref: OpRef, stage: number): number => {
    const { microBatch, direction = 0 } = ref;
    if (!(Number.isInteger(microBatch) && microBatch >= 0 && microBatch < perDirection)) return -1;
    if (!(stage >= 0 && stage < stages) || !(direction === 0 || direction < directions)) return -1;
    return ((direction * perDirection + microBatch) * stages + stage) * 2;
  };
  for (let rank = 0; rank < order.length; rank++) {
    const ops = order[rank];
    for (let i = 0, g = first[rank]; i < ops.length; i++, g++) {
      const op = ops[i];
      const kind = KIND_CODES[op.kind];
      c.kind[g] = kind;
      const backward = kind === FB ? op.backward : op;
      if (!backward) {
        unwired(c, g, NO_BACKWARD_HALF);
        continue;
      }
      const stage = stageOf(schedule, rank, op);
      const backStage = backward === op ? stage : stageOf(schedule, rank, backward);
      wire(c, g, kind, stage, keyOf(op, stage), backStage, backward === op ? keyOf(op, stage) : keyOf(backward, backStage), stages);
    }
  }
  return c;
}

/** Every op's seconds from `fillSeconds`, else undefined (durations by kind are read per op, from a five-entry table). */
function numericSeconds(c: Compiled, durations: OpDurations, reuse: boolean): Float64Array | undefined {
  if (!durations.fillSeconds) return undefined;
  const seconds = reuse ? reused('seconds', c.kind.length) : new Float64Array(c.kind.length);
  durations.fillSeconds(c, seconds);
  return seconds;
}

/**
 * The buffers `reuseBuffers` runs share, by use (the seconds and the times are live together): grown, never shrunk
 * below what the largest schedule run so far needed. What they held before is never read: every op's seconds and
 * times are written before they are read.
 */
const buffers = { seconds: new Float64Array(0), times: new Float64Array(0) };
/** Past this many numbers (8 MiB) a run gets buffers of its own, so a rare huge schedule does not stay in memory. */
const MAX_REUSED = 1 << 20;
function reused(use: keyof typeof buffers, length: number): Float64Array {
  if (length > MAX_REUSED) return new Float64Array(length);
  if (buffers[use].length < length) buffers[use] = new Float64Array(Math.min(MAX_REUSED, Math.max(length, Math.ceil(1.25 * buffers[use].length))));
  return buffers[use].subarray(0, length);
}

/**
 * Wiring a generated schedule depends on the schedule alone, so it is kept with its columns (a keystroke that
 * changes a size re-executes the same schedule with new durations), and so is its first complete run's order
 * (replay.ts). Only up to this many ops: 29 bytes per op for the wiring, 29 for the recorded run (laid out in run order, with its rows by position).
 */
const MAX_CACHED_WIRING_OPS = 1 << 18;
const wiringCache = new WeakMap<OpColumns, { kind: string; ranks: number; microBatches: number; stages: number; chunksPerRank: number; compiled: Compiled }>();

function wiredColumns(schedule: Schedule, cols: OpColumns): Compiled {
  const hit = wiringCache.get(cols);
  const { kind, ranks, microBatches, stages, chunksPerRank } = schedule;
  if (hit && hit.kind === kind && hit.ranks === ranks && hit.microBatches === microBatches && hit.stages === stages && hit.chunksPerRank === chunksPerRank)
    return hit.compiled;
  const compiled = compileColumns(schedule, cols);
  if (cols.kind.length <= MAX_CACHED_WIRING_OPS) {
    compiled.shared = true;
    wiringCache.set(cols, { kind, ranks, microBatches, stages, chunksPerRank, compiled });
  }
  return compiled;
}

/** The generated columns' path: the same keys, no object per op. */
function compileColumns(schedule: Schedule, cols: OpColumns): Compiled {
  const { stages, ranks: P } = schedule;
  const { perDirection, directions } = streamsOf(schedule);
  // The kinds are the generator's (read only).
  const streams = directions * perDirection;
  const c = allocate(cols.first, streams * stages * 2, 2 * streams, cols.kind);
  // Stage of (rank, lane), looked up once per rank and lane rather than once per op.
  const spec = scheduleSpec(schedule.kind);
  const lanes = Math.max(1, schedule.chunksPerRank);
  const laneStage = new Int32Array(P * lanes);
  for (let rank = 0; rank < P; rank++) for (let lane = 0; lane < lanes; lane++) laneStage[rank * lanes + lane] = spec.stageOfLane(P, rank, lane);
  const stageOf = (rank: number, lane: number) => (lane >= 0 && lane < lanes ? laneStage[rank * lanes + lane] : spec.stageOfLane(P, rank, lane));
  const byDirection = cols.laneField === 'direction';
  const keyOf = (microBatch: number, lane: number, stage: number): number => {
    const direction = byDirection ? lane : 0;
    if (!(microBatch >= 0 && microBatch < perDirection && stage >= 0 && stage < stages && direction >= 0 && direction < directions)) return -1;
    return (stage * streams + direction * perDirection + microBatch) * 2;
  };
  for (let rank = 0; rank < P; rank++) {
    for (let g = cols.first[rank]; g < cols.first[rank + 1]; g++) {
      const kind = cols.kind[g];
      const stage = stageOf(rank, cols.lane[g]);
      const key = keyOf(cols.microBatch[g], cols.lane[g], stage);
      const backStage = kind === FB ? stageOf(rank, cols.backLane[g]) : stage;
      if (kind === FB) wire(c, g, kind, stage, key, backStage, keyOf(cols.backMicroBatch[g], cols.backLane[g], backStage), stages);
      else wire(c, g, kind, stage, key, stage, key, stages);
    }
  }
  return c;
}

export function executeSchedule(schedule: Schedule, durations: OpDurations, options: ExecuteOptions = {}): Result<ExecutedTimeline> {
  const columns = scheduleColumns(schedule);
  // Op objects only when a callback needs them (or when the schedule has nothing else).
  const numeric = durations.secondsByKind !== undefined || durations.fillSeconds !== undefined;
  const order = !columns || !numeric || durations.transfer ? schedule.order : undefined;
  const ops: OpSource = { columns, order };
  const c = columns ? wiredColumns(schedule, columns) : compileOrder(schedule, order as ScheduleOp[][]);
  if (options.blockingExchanges) return executeWithExchanges(schedule, c, ops, durations, options);
  const reuse = options.reuseBuffers === true;
  // A recorded run is replayed when every duration is a number and every transfer the same (replay.ts).
  const plan = c.plan;
  if (plan && !durations.transfer && (durations.fillRows || durations.fillSeconds || durations.secondsByKind)) {
    const total = c.kind.length;
    const rows = durations.fillRows?.(c);
    const seconds = rows ? undefined : numericSeconds(c, durations, reuse);
    const replay: ReplayDurations = { rows, seconds, perKind: perKindSeconds(durations, seconds ?? rows?.seconds) };
    const transfer = durations.transferSeconds ?? 0;
    const shape = shapeOf(options, durations);
    // Numbers only: each rank's sums and ends come off the run as it is laid out, no time is written by op.
    if (reuse) return { ok: true, value: numbersOf(c, replayNumbers(c, plan, replay, transfer, reused('times', 2 * total)), shape.retained) };
    return { ok: true, value: timelineOf(c, replayOps(c, plan, replay, transfer, new Float64Array(2 * total), reused('times', total)), ops, shape) };
  }
  const seconds = numericSeconds(c, durations, reuse);
  const perKind = perKindSeconds(durations, seconds);
  const trace = c.shared ? new Int32Array(c.kind.length) : undefined;
  const times = runOps(c, ops, durations, seconds, perKind, trace);
  if ('code' in times) return { ok: false, code: times.code, reason: times.reason };
  const deadlock = stuckRanks(c, times.nextOp, ops);
  if (deadlock) return { ok: false, code: 'schedule/deadlock', reason: deadlock };
  if (trace) c.plan = opPlan(c, trace);
  return { ok: true, value: timelineOf(c, times, ops, shapeOf(options, durations)) };
}

/** Durations by kind code when the executor reads them per kind (no per-op seconds), else undefined. */
function perKindSeconds(durations: OpDurations, seconds: Float64Array | undefined): Float64Array | undefined {
  const byKind = durations.secondsByKind;
  return seconds || !byKind ? undefined : Float64Array.from(KIND_NAMES, (name) => byKind[name]);
}

function executeWithExchanges(schedule: Schedule, c: Compiled, ops: OpSource, durations: OpDurations, options: ExecuteOptions): Result<ExecutedTimeline> {
  const x = exchangesOf(schedule, c);
  const reuse = options.reuseBuffers === true;
  const seconds = numericSeconds(c, durations, reuse);
  const perKind = perKindSeconds(durations, seconds);
  const replayable = (seconds !== undefined || perKind !== undefined) && !durations.transfer;
  if (x.plan && replayable) {
    const length = 2 * c.kind.length + 3 * c.keys;
    const times = reuse ? reused('times', length) : new Float64Array(length);
    const replayed = replayExchanges(c, x, x.plan, seconds, perKind, durations.transferSeconds ?? 0, times);
    const value = timelineOf(c, replayed, ops, shapeOf(options, durations));
    value.exchangeSecondsPerRank = Array.from(replayed.exchangeSeconds);
    return { ok: true, value };
  }
  const events: number[] | undefined = c.shared ? [] : undefined;
  const times = runWithExchanges(c, x, ops, durations, seconds, perKind, events);
  if ('code' in times) return { ok: false, code: times.code, reason: times.reason };
  const stuck: string[] = [];
  for (let rank = 0; rank + 1 < c.first.length; rank++) {
    const count = c.first[rank + 1] - c.first[rank];
    const i = times.nextOp[rank];
    if (i < count) stuck.push(`rank ${rank} at ${formatOp(opOf(ops, c, rank, c.first[rank] + i))} (op ${i + 1} of ${count})`);
    else if (times.nextCall[rank] < x.rankCalls[rank + 1]) stuck.push(`rank ${rank} in its exchange after its last op`);
  }
  if (stuck.length > 0) return { ok: false, code: 'schedule/deadlock', reason: `deadlock: every unfinished rank waits for a neighbour that will not reach the matching exchange or produce the input: ${stuck.join('; ')}` };
  if (events) x.plan = Int32Array.from(events);
  const value = timelineOf(c, times, ops, shapeOf(options, durations));
  value.exchangeSecondsPerRank = Array.from(times.exchangeSeconds);
  return { ok: true, value };
}

/**
 * The blocking exchanges of every rank, as flat arrays: rank r's calls are rankCalls[r] .. rankCalls[r+1]−1, in
 * order; call k runs before the rank's op number at[k] (the op count: after its last op) and holds messages
 * messageFirst[k] .. messageFirst[k+1]−1, each a key (the activation or gradient it moves) sent or received.
 */
interface Exchanges {
  rankCalls: Int32Array;
  at: Int32Array;
  messageFirst: Int32Array;
  messageKey: Int32Array;
  receives: Uint8Array;
  /** The rank and op that consume the message, and the rank that produces it (for a `transfer` callback). */
  consumerRank: Int32Array;
  consumerOp: Int32Array;
  producer: Int32Array;
  /** The first complete run's events (replay.ts), recorded once for a shared wiring. */
  plan?: ExchangePlan;
}

const exchangesCache = new WeakMap<Compiled, { kind: string; exchanges: Exchanges }>();

function exchangesOf(schedule: Schedule, c: Compiled): Exchanges {
  const hit = exchangesCache.get(c);
  if (hit && hit.kind === schedule.kind) return hit.exchanges;
  const exchanges = compileExchanges(schedule, c);
  exchangesCache.set(c, { kind: schedule.kind, exchanges });
  return exchanges;
}

/**
 * Places the calls: at each boundary the spec's `exchangeAt` asks for, the sends of the ops since the previous call
 * and the receives of the ops up to the next one (a message crosses ranks: its producer and consumer differ).
 */
function compileExchanges(schedule: Schedule, c: Compiled): Exchanges {
  const { first, activationIn, gradientIn, activationOut, gradientOut, problem } = c;
  const P = first.length - 1;
  const spec = scheduleSpec(schedule.kind);
  const shape = { ranks: schedule.ranks, microBatches: schedule.microBatches, virtualStages: schedule.chunksPerRank };
  const producer = new Int32Array(c.keys).fill(-1);
  const consumerRank = new Int32Array(c.keys).fill(-1);
  const consumerOp = new Int32Array(c.keys).fill(-1);
  for (let rank = 0; rank < P; rank++)
    for (let g = first[rank]; g < first[rank + 1]; g++) {
      if (problem[g] !== OK) continue;
      if (activationOut[g] >= 0) producer[activationOut[g]] = rank;
      if (gradientOut[g] >= 0) producer[gradientOut[g]] = rank;
      for (const key of [activationIn[g], gradientIn[g]])
        if (key >= 0) {
          consumerRank[key] = rank;
          consumerOp[key] = g;
        }
    }
  const rankCalls = new Int32Array(P + 1);
  const at: number[] = [];
  const messageFirst: number[] = [0];
  const messageKey: number[] = [];
  const receives: number[] = [];
  const call = (position: number, sends: number[], recvs: number[]) => {
    if (sends.length + recvs.length === 0) return;
    for (const key of sends) messageKey.push(key), receives.push(0);
    for (const key of recvs) messageKey.push(key), receives.push(1);
    at.push(position);
    messageFirst.push(messageKey.length);
  };
  for (let rank = 0; rank < P; rank++) {
    const base = first[rank];
    const count = first[rank + 1] - base;
    const kindAt = (j: number) => (j <= 0 || j >= count ? EXCHANGE_COMBINED : spec.exchangeAt ? spec.exchangeAt(shape, rank, j, count) : EXCHANGE_COMBINED);
    let sends: number[] = [];
    for (let j = 0; j <= count; ) {
      const kind = kindAt(j);
      let next = j + 1;
      while (next < count && kindAt(next) === EXCHANGE_NONE) next++;
      const recvs: number[] = [];
      for (let i = j; i < Math.min(next, count); i++) {
        const g = base + i;
        if (problem[g] !== OK) continue;
        for (const key of [activationIn[g], gradientIn[g]]) if (key >= 0 && producer[key] >= 0 && producer[key] !== rank) recvs.push(key);
      }
      if (kind === EXCHANGE_SPLIT) {
        call(j, sends, []);
        call(j, [], recvs);
      } else call(j, sends, recvs);
      sends = [];
      for (let i = j; i < Math.min(next, count); i++) {
        const g = base + i;
        if (problem[g] !== OK) continue;
        for (const key of [activationOut[g], gradientOut[g]]) if (key >= 0 && consumerRank[key] >= 0 && consumerRank[key] !== rank) sends.push(key);
      }
      j = next;
    }
    rankCalls[rank + 1] = at.length;
  }
  return {
    rankCalls,
    at: Int32Array.from(at),
    messageFirst: Int32Array.from(messageFirst),
    messageKey: Int32Array.from(messageKey),
    receives: Uint8Array.from(receives),
    consumerRank,
    consumerOp,
    producer,
  };
}

/**
 * The event loop with blocking exchanges. A rank reaching a call posts its side of every message in it (at the time
 * it got there), then waits until the other end of each has posted too; a message moves from the later of the two
 * posts and takes its transfer time; the call ends when the last message has arrived, and the rank's next op starts
 * then. An op starts when its rank is free: its inputs from other ranks came in an earlier call.
 */
function runWithExchanges(
  c: Compiled,
  x: Exchanges,
  ops: OpSource,
  durations: OpDurations,
  seconds: Float64Array | undefined,
  perKind: Float64Array | undefined,
  events: number[] | undefined,
): (Times & { nextCall: Int32Array; exchangeSeconds: Float64Array }) | { code: string; reason: string } {
  const { first, kind, activationIn, localIn, gradientIn, activationOut, gradientOut, problem } = c;
  const { rankCalls, at, messageFirst, messageKey, receives } = x;
  const P = first.length - 1;
  const transfer = durations.transfer;
  const fixedTransfer = durations.transferSeconds ?? 0;
  const total = first[P];
  const doneAt = new Float64Array(c.keys).fill(-1);
  const doneOn = new Int32Array(c.keys).fill(-1);
  const sendPost = new Float64Array(c.keys).fill(-1);
  const recvPost = new Float64Array(c.keys).fill(-1);
  const arrived = new Float64Array(c.keys).fill(-1);
  const start = new Float64Array(total);
  const end = new Float64Array(total);
  const firstWaiter = new Int32Array(c.keys).fill(-1);
  const nextWaiter = new Int32Array(P).fill(-1);
  const nextOp = new Int32Array(P);
  const nextCall = Int32Array.from(rankCalls.subarray(0, P));
  const posted = new Uint8Array(P);
  const freeAt = new Float64Array(P);
  const exchangeSeconds = new Float64Array(P);
  const ready = new Int32Array(P);
  let readyCount = 0;
  for (let rank = P - 1; rank >= 0; rank--) ready[readyCount++] = rank;
  const inputAt = (key: number, rank: number) => (doneOn[key] === rank ? doneAt[key] : arrived[key]);
  const wake = (key: number) => {
    for (let waiter = firstWaiter[key]; waiter >= 0; waiter = nextWaiter[waiter]) ready[readyCount++] = waiter;
    firstWaiter[key] = -1;
  };
  // A key's phase is its parity (phase 1: the input gradient; keys of one stream and stage are 2 apart).
  const transferOf = (key: number): number => {
    if (!transfer) return fixedTransfer;
    const g = x.consumerOp[key];
    const op = opOf(ops, c, x.consumerRank[key], g);
    const gradient = (key & 1) === 1;
    return transfer(x.producer[key], x.consumerRank[key], gradient && kind[g] === FB ? (op.backward as OpRef) : op, gradient ? 'gradient' : 'activation');
  };

  while (readyCount > 0) {
    const rank = ready[--readyCount];
    const base = first[rank];
    const count = first[rank + 1] - base;
    let i = nextOp[rank];
    let free = freeAt[rank];
    for (;;) {
      const k = nextCall[rank];
      if (k < rankCalls[rank + 1] && at[k] === i) {
        if (!posted[rank]) {
          for (let m = messageFirst[k]; m < messageFirst[k + 1]; m++) {
            const key = messageKey[m];
            if (receives[m]) recvPost[key] = free;
            else sendPost[key] = free;
            wake(key);
          }
          posted[rank] = 1;
          events?.push(postEvent(total, k), rank);
        }
        let missing = -1;
        for (let m = messageFirst[k]; m < messageFirst[k + 1] && missing < 0; m++) if ((receives[m] ? sendPost : recvPost)[messageKey[m]] < 0) missing = messageKey[m];
        if (missing >= 0) {
          nextWaiter[rank] = firstWaiter[missing];
          firstWaiter[missing] = rank;
          break;
        }
        let done = free;
        // When the last input this call receives was computed: waiting until then is the pipeline's own bubble
        // (asynchronous sends wait as long); the rest is the exchange's (the rendezvous and the transfer).
        let produced = free;
        for (let m = messageFirst[k]; m < messageFirst[k + 1]; m++) {
          const key = messageKey[m];
          const moved = Math.max(sendPost[key], recvPost[key]) + transferOf(key);
          if (receives[m]) {
            arrived[key] = moved;
            if (doneAt[key] > produced) produced = doneAt[key];
          }
          if (moved > done) done = moved;
        }
        exchangeSeconds[rank] += done - Math.min(done, produced);
        events?.push(completeEvent(total, k), rank);
        free = done;
        posted[rank] = 0;
        nextCall[rank] = k + 1;
        continue;
      }
      if (i >= count) break;
      const g = base + i;
      if (problem[g] !== OK) return invalid(ops, c, rank, g, PROBLEM[problem[g]]);
      // Inputs: this rank's own earlier outputs, or what an earlier call received.
      // (Never later than `free`: a call the rank already finished brought them. A missing one never comes: deadlock.)
      const act = activationIn[g];
      const local = localIn[g];
      const grad = gradientIn[g];
      if ((act >= 0 && inputAt(act, rank) < 0) || (local >= 0 && inputAt(local, rank) < 0) || (grad >= 0 && inputAt(grad, rank) < 0)) break;
      const t = free;
      const aOut = activationOut[g];
      const gOut = gradientOut[g];
      if ((aOut >= 0 && doneAt[aOut] >= 0) || (gOut >= 0 && doneAt[gOut] >= 0)) return invalid(ops, c, rank, g, 'work that already ran');
      const op = ops.order ? ops.order[rank][i] : undefined;
      const finish = t + (seconds ? seconds[g] : perKind ? perKind[kind[g]] : durations.op(rank, op as ScheduleOp));
      start[g] = t;
      end[g] = finish;
      free = finish;
      events?.push(g, rank);
      if (aOut >= 0) {
        doneAt[aOut] = finish;
        doneOn[aOut] = rank;
      }
      if (gOut >= 0) {
        doneAt[gOut] = finish;
        doneOn[gOut] = rank;
      }
      i++;
    }
    nextOp[rank] = i;
    freeAt[rank] = free;
  }
  return { start, end, freeAt, nextOp, nextCall, exchangeSeconds };
}

/** Where an op's object comes from when one is needed: the hand-built order, else built from the columns. */
interface OpSource {
  columns?: OpColumns;
  order?: readonly (readonly ScheduleOp[])[];
}

function opOf(ops: OpSource, c: Compiled, rank: number, g: number): ScheduleOp {
  return ops.order ? ops.order[rank][g - c.first[rank]] : opAt(ops.columns as OpColumns, g);
}

interface Times {
  start: Float64Array;
  end: Float64Array;
  /** Per rank, when its last op ended. */
  freeAt: Float64Array;
  /** Per rank, the ops it ran (all of them unless the schedule deadlocked). */
  nextOp: Int32Array;
}

/**
 * The event loop: a rank runs its ops in order until one waits for an input, and parks on that input's key; an op
 * that finishes wakes the ranks parked on its outputs. Each op runs once: O(ops + ranks).
 */
function runOps(
  c: Compiled,
  ops: OpSource,
  durations: OpDurations,
  seconds: Float64Array | undefined,
  perKind: Float64Array | undefined,
  trace: Int32Array | undefined,
): Times | { code: string; reason: string } {
  const { first, kind, activationIn, localIn, gradientIn, activationOut, gradientOut } = c;
  const P = first.length - 1;
  const transfer = durations.transfer;
  const fixedTransfer = durations.transferSeconds ?? 0;
  let traced = 0;
  // Per key and per op, each group in one backing store.
  const total = first[P];
  const times = new Float64Array(c.keys + 2 * total);
  const doneAt = times.subarray(0, c.keys).fill(-1);
  const start = times.subarray(c.keys, c.keys + total);
  const end = times.subarray(c.keys + total);
  const perKey = new Int32Array(2 * c.keys);
  const doneOn = perKey.subarray(0, c.keys);
  // Ranks waiting on a key, as linked lists: firstWaiter[key] → rank → nextWaiter[rank] → … (-1 ends).
  const firstWaiter = perKey.subarray(c.keys).fill(-1);
  const nextOp = new Int32Array(P);
  const freeAt = new Float64Array(P);
  const nextWaiter = new Int32Array(P).fill(-1);
  // Ranks that can make progress; a rank is here or waiting on one key, never both, so P slots suffice.
  const ready = new Int32Array(P);
  let readyCount = 0;
  for (let rank = P - 1; rank >= 0; rank--) ready[readyCount++] = rank;

  const problem = c.problem;
  const order = ops.order;

  // One rank at a time runs until an input is missing; no closure here, so the loop's state stays in registers.
  while (readyCount > 0) {
    const rank = ready[--readyCount];
    const base = first[rank];
    const count = first[rank + 1] - base;
    let i = nextOp[rank];
    let free = freeAt[rank];
    for (; i < count; i++) {
      const g = base + i;
      if (problem[g] !== OK) return invalid(ops, c, rank, g, PROBLEM[problem[g]]);
      const act = activationIn[g];
      const local = localIn[g];
      const grad = gradientIn[g];
      const missing = act >= 0 && doneAt[act] < 0 ? act : local >= 0 && doneAt[local] < 0 ? local : grad >= 0 && doneAt[grad] < 0 ? grad : -1;
      if (missing >= 0) {
        // Park on the missing key until its op publishes it.
        nextWaiter[rank] = firstWaiter[missing];
        firstWaiter[missing] = rank;
        break;
      }
      const op = order ? order[rank][i] : undefined;
      let t = free;
      if (local >= 0 && doneAt[local] > t) t = doneAt[local];
      if (act >= 0) {
        const from = doneOn[act];
        const arrival = doneAt[act] + (from === rank ? 0 : transfer ? transfer(from, rank, op as ScheduleOp, 'activation') : fixedTransfer);
        if (arrival > t) t = arrival;
      }
      if (grad >= 0) {
        const from = doneOn[grad];
        const arrival =
          doneAt[grad] +
          (from === rank ? 0 : transfer ? transfer(from, rank, kind[g] === FB ? ((op as ScheduleOp).backward as OpRef) : (op as ScheduleOp), 'gradient') : fixedTransfer);
        if (arrival > t) t = arrival;
      }
      const aOut = activationOut[g];
      const gOut = gradientOut[g];
      if ((aOut >= 0 && doneAt[aOut] >= 0) || (gOut >= 0 && doneAt[gOut] >= 0)) return invalid(ops, c, rank, g, 'work that already ran');
      const finish = t + (seconds ? seconds[g] : perKind ? perKind[kind[g]] : durations.op(rank, op as ScheduleOp));
      start[g] = t;
      end[g] = finish;
      free = finish;
      if (trace) trace[traced++] = g;
      // Publish the outputs and wake the ranks parked on them.
      if (aOut >= 0) {
        doneAt[aOut] = finish;
        doneOn[aOut] = rank;
        for (let waiter = firstWaiter[aOut]; waiter >= 0; waiter = nextWaiter[waiter]) ready[readyCount++] = waiter;
        firstWaiter[aOut] = -1;
      }
      if (gOut >= 0) {
        doneAt[gOut] = finish;
        doneOn[gOut] = rank;
        for (let waiter = firstWaiter[gOut]; waiter >= 0; waiter = nextWaiter[waiter]) ready[readyCount++] = waiter;
        firstWaiter[gOut] = -1;
      }
    }
    nextOp[rank] = i;
    freeAt[rank] = free;
  }
  return { start, end, freeAt, nextOp };
}

function invalid(ops: OpSource, c: Compiled, rank: number, g: number, what: string): { code: string; reason: string } {
  return { code: 'schedule/invalid-op', reason: `rank ${rank}: ${formatOp(opOf(ops, c, rank, g))} refers to ${what}` };
}

/** The deadlock's description when some rank did not finish: each stuck rank and the op it waits at. */
function stuckRanks(c: Compiled, nextOp: Int32Array, ops: OpSource): string | undefined {
  const stuck: string[] = [];
  for (let rank = 0; rank + 1 < c.first.length; rank++) {
    const count = c.first[rank + 1] - c.first[rank];
    if (nextOp[rank] < count) stuck.push(`rank ${rank} at ${formatOp(opOf(ops, c, rank, c.first[rank] + nextOp[rank]))} (op ${nextOp[rank] + 1} of ${count})`);
  }
  return stuck.length > 0 ? `deadlock: every unfinished rank waits for an input no rank will produce: ${stuck.join('; ')}` : undefined;
}

/** The numbers of a finished run, its typed columns, and its TimedOp lists built on first read. */
/** What `timelineOf` reads of the options and durations, as plain values (one object shape whatever the caller passed). */
interface TimelineShape {
  keepOps: boolean;
  reuseBuffers: boolean;
  retained: number;
}

const shapeOf = (options: ExecuteOptions, durations: OpDurations): TimelineShape => ({
  keepOps: options.keepOps ?? true,
  reuseBuffers: options.reuseBuffers === true,
  retained: durations.retainedAfterInputBackward ?? 1,
});

function timelineOf(c: Compiled, times: Times, ops: OpSource, { keepOps, reuseBuffers, retained }: TimelineShape): ExecutedTimeline {
  const { first, kind } = c;
  const { start, end, freeAt } = times;
  const P = first.length - 1;
  let makespan = 0;
  for (let rank = 0; rank < P; rank++) if (freeAt[rank] > makespan) makespan = freeAt[rank];
  const idlePerRank = idleOf(first, start, end, makespan);
  const peakActivationsPerRank = peaksOf(c, retained);
  const endsPerRank: RankEnds[] = [];
  for (let rank = 0; rank < P; rank++) endsPerRank.push(rankEnds(kind, start, end, first[rank], first[rank + 1]));
  const value = { makespan, idlePerRank, peakActivationsPerRank, endsPerRank } as ExecutedTimeline;
  if (reuseBuffers) {
    value.ranks = Array.from({ length: P }, () => []);
    return value;
  }
  const build = (): TimedOp[][] => (keepOps ? timedOps(first, start, end, ops) : Array.from({ length: P }, () => []));
  Object.defineProperty(value, COLUMNS, { value: { first, kind, start, end } satisfies TimelineColumns });
  Object.defineProperty(value, SOURCE, { value: ops });
  Object.defineProperty(value, BUILD_RANKS, { value: build, writable: true });
  Object.defineProperty(value, RANKS, { value: undefined, writable: true });
  Object.defineProperty(value, 'ranks', ranksAccessor);
  return value;
}

/** A numbers-only timeline (`reuseBuffers`) from a replay's per-rank numbers: the same numbers `timelineOf` reads off the times by op. */
function numbersOf(c: Compiled, r: ReplayNumbers, retained: number): ExecutedTimeline {
  const P = c.first.length - 1;
  let makespan = 0;
  for (let rank = 0; rank < P; rank++) if (r.freeAt[rank] > makespan) makespan = r.freeAt[rank];
  const idlePerRank: number[] = [];
  for (let rank = 0; rank < P; rank++) idlePerRank.push(makespan - r.busy[rank]);
  const peakActivationsPerRank = peaksOf(c, retained);
  const endsPerRank: RankEnds[] = [];
  for (let rank = 0; rank < P; rank++) endsPerRank.push({ lastBackward: r.lastBackward[rank], firstForward: r.firstForward[rank], finish: r.freeAt[rank] });
  const value = { makespan, idlePerRank, peakActivationsPerRank, endsPerRank } as ExecutedTimeline;
  value.ranks = Array.from({ length: P }, () => []);
  return value;
}

/** makespan − busy time, per rank (a long loop in a function of its own: see replay.ts `replayLoop`). */
function idleOf(first: Int32Array, start: Float64Array, end: Float64Array, makespan: number): number[] {
  const idle: number[] = [];
  for (let rank = 0; rank + 1 < first.length; rank++) {
    let busy = 0;
    for (let g = first[rank]; g < first[rank + 1]; g++) busy += end[g] - start[g];
    idle.push(makespan - busy);
  }
  return idle;
}

function rankEnds(kind: Uint8Array, start: Float64Array, end: Float64Array, from: number, to: number): RankEnds {
  if (to === from) return { lastBackward: 0, firstForward: 0, finish: 0 };
  let last = to - 1;
  while (last > from && kind[last] === F) last--;
  let first = from;
  while (first < to && kind[first] !== F && kind[first] !== FB) first++;
  return { lastBackward: end[last] - start[last], firstForward: first < to ? end[first] - start[first] : 0, finish: end[to - 1] };
}

/** Per rank, every op with its start and end. One object shape for every op (absent fields stay undefined). */
function timedOps(first: Int32Array, start: Float64Array, end: Float64Array, ops: OpSource): TimedOp[][] {
  const rows: TimedOp[][] = [];
  for (let rank = 0; rank + 1 < first.length; rank++) {
    const base = first[rank];
    const timed: TimedOp[] = new Array(first[rank + 1] - base);
    if (ops.order) {
      const row = ops.order[rank];
      for (let i = 0; i < timed.length; i++) {
        const op = row[i];
        timed[i] = { kind: op.kind, microBatch: op.microBatch, direction: op.direction, chunk: op.chunk, backward: op.backward, start: start[base + i], end: end[base + i] };
      }
    } else {
      // Straight from the columns: one object per op (two for FB), no intermediate ScheduleOp.
      const cols = ops.columns as OpColumns;
      const byDirection = cols.laneField === 'direction';
      const byChunk = cols.laneField === 'chunk';
      for (let i = 0, g = base; i < timed.length; i++, g++) {
        const code = cols.kind[g];
        const lane = cols.lane[g];
        const backward =
          code !== FB ? undefined : byDirection ? { microBatch: cols.backMicroBatch[g], direction: cols.backLane[g] as 0 | 1 } : { microBatch: cols.backMicroBatch[g], chunk: cols.backLane[g] };
        timed[i] = {
          kind: KIND_NAMES[code],
          microBatch: cols.microBatch[g],
          direction: byDirection ? (lane as 0 | 1) : undefined,
          chunk: byChunk ? lane : undefined,
          backward,
          start: start[g],
          end: end[g],
        };
      }
    }
    rows.push(timed);
  }
  return rows;
}

/**
 * An executed timeline's ops as typed columns, ranks concatenated (rank r's ops are first[r] .. first[r+1]−1): what
 * a consumer that needs only numbers reads instead of `ranks`, so no TimedOp is built. `kind` holds the KIND_* codes.
 */
export interface TimelineColumns {
  first: Int32Array;
  kind: Uint8Array;
  start: Float64Array;
  end: Float64Array;
}

export function timelineColumns(timeline: ExecutedTimeline): TimelineColumns | undefined {
  return (timeline as ExecutedTimeline & { [COLUMNS]?: TimelineColumns })[COLUMNS];
}

const COLUMNS = Symbol('columns');
const SOURCE = Symbol('source');

/**
 * What a drawing of an executed timeline needs without one object per op: the columns, each op's micro-batch and
 * DualPipe direction (what it is shaded and hatched by), and any one op as a TimedOp, built when asked (a hover, a
 * label). Ranks concatenated as in `TimelineColumns`; each rank's ops in execution order, so sorted by start.
 */
export interface TimelineOps extends TimelineColumns {
  /** The forward half's micro-batch for FB. */
  microBatch: Int32Array;
  /** 1 for an op of DualPipe's second direction (for FB, its forward half's), else 0. */
  direction: Int32Array | Uint8Array;
  /** Op `g` with its start and end. */
  opAt(rank: number, g: number): TimedOp;
}

/** The executed ops as columns (see TimelineOps); undefined for a timeline this module did not build. */
export function timelineOps(timeline: ExecutedTimeline): TimelineOps | undefined {
  const columns = timelineColumns(timeline);
  const source = (timeline as ExecutedTimeline & { [SOURCE]?: OpSource })[SOURCE];
  if (!columns || !source) return undefined;
  const { first, start, end } = columns;
  const total = first[first.length - 1];
  const generated = source.columns;
  if (generated && !source.order) {
    return {
      ...columns,
      microBatch: generated.microBatch,
      direction: generated.laneField === 'direction' ? generated.lane : new Uint8Array(total),
      opAt: (_rank, g) => ({ ...opAt(generated, g), start: start[g], end: end[g] }),
    };
  }
  const order = source.order ?? (generated ? orderOf(generated) : []);
  const microBatch = new Int32Array(total);
  const direction = new Uint8Array(total);
  for (let rank = 0; rank < order.length; rank++) {
    for (let i = 0, g = first[rank]; i < order[rank].length; i++, g++) {
      microBatch[g] = order[rank][i].microBatch;
      direction[g] = order[rank][i].direction === 1 ? 1 : 0;
    }
  }
  return { ...columns, microBatch, direction, opAt: (rank, g) => ({ ...order[rank][g - first[rank]], start: start[g], end: end[g] }) };
}

// `ranks` is built on first read: an own enumerable accessor (spreads, JSON and deepEqual see a plain array) whose
// state sits under non-enumerable keys; shared accessor functions keep one hidden class for every timeline.
const BUILD_RANKS = Symbol('buildRanks');
const RANKS = Symbol('ranks');
interface LazyRanks {
  [BUILD_RANKS]?: () => TimedOp[][];
  [RANKS]?: TimedOp[][];
}
const ranksAccessor: PropertyDescriptor & ThisType<ExecutedTimeline & LazyRanks> = {
  enumerable: true,
  configurable: true,
  get() {
    if (this[RANKS] === undefined) {
      this[RANKS] = (this[BUILD_RANKS] as () => TimedOp[][])();
      this[BUILD_RANKS] = undefined;
    }
    return this[RANKS];
  },
  set(rows: TimedOp[][]) {
    this[RANKS] = rows;
    this[BUILD_RANKS] = undefined;
  },
};

/** Per rank, `peakActivations`: kept with a shared wiring for a few shares retained (a search varies it by layout). */
function peaksOf(c: Compiled, retained: number): number[] {
  // Without a b or a W no op reads the share (peakActivations counts whole chunks), so one entry serves every share:
  // a keystroke that changes the model's widths changes the share, not a 1F1B or GPipe rank's peak.
  c.splitBackward ??= hasSplitBackward(c.kind);
  const key = c.splitBackward ? retained : -1;
  const hit = c.peaks?.get(key);
  if (hit) return hit.slice();
  const peaks: number[] = [];
  for (let rank = 0; rank + 1 < c.first.length; rank++) peaks.push(peakActivations(c.kind, c.first[rank], c.first[rank + 1], retained));
  if (c.shared) {
    c.peaks ??= new Map();
    if (c.peaks.size >= 8) c.peaks.delete(c.peaks.keys().next().value as number);
    c.peaks.set(key, peaks.slice());
  }
  return peaks;
}

function hasSplitBackward(kind: Uint8Array): boolean {
  for (let g = 0; g < kind.length; g++) if (kind[g] === b || kind[g] === W) return true;
  return false;
}

/**
 * Peak micro-batch chunks whose activations a rank holds, in units of one chunk's saved activations (M_B). A chunk's
 * activations are held from the START of its forward (F, or the forward half of FB) until the END of the op that last
 * reads them. A full backward B (or the backward half of FB) frees them all. A split backward frees them in two parts
 * (Zero Bubble, Qi et al. 2024, §3.1; the reference scheduler's mem_b = −(M_B − M_W), mem_w = −M_W): the input-only
 * backward b frees what only it reads (attention and activation-function internals, norm inputs), and leaves
 * `retained` = M_W / M_B, the weight GEMMs' inputs, until its W. Ops on a rank never overlap, so walking them in order
 * visits these events in time order. With retained = 1 (b frees nothing) ZB-H1 peaks at P on every rank; with the
 * paper's M_W < M_B rank r holds (P − r)·M_B + r·M_W, 1F1B's P on rank 0 and less further down, as the paper says
 * (§2.1: "the first worker ... does not exceed the peak memory of 1F1B"). 1F1B peaks at P − r, DualPipe at P+1 and
 * DualPipeV at 2P+1 half-stage chunks (DeepSeek-V3 Table 2; deepseek-ai/DualPipe README: PP+1 with PP = 2P).
 */
function peakActivations(kind: Uint8Array, from: number, to: number, retained: number): number {
  let held = 0;
  let peak = 0;
  for (let g = from; g < to; g++) {
    const k = kind[g];
    if (k === F || k === FB) held++;
    if (held > peak) peak = held;
    if (k === B || k === FB) held--;
    else if (k === b) held -= 1 - retained;
    else if (k === W) held -= retained;
  }
  return peak;
}
