/**
 * Executes a schedule: every rank runs its ops in order, each as soon as the rank is free and its inputs have arrived.
 *
 * Event-driven, no clock: an op's completion is an event that wakes the ranks waiting for its output. Ranks do not
 * contend for links, so an op's start depends only on its rank's previous op and its inputs; events can therefore be
 * handled in dependency order instead of time order, each op exactly once: O(ops + ranks) time and memory.
 *
 * The ops are first compiled into flat integer arrays (kind, input and output keys), straight from the generated
 * schedule's typed columns, so neither compiling nor the main loop allocates anything per op (with `secondsByKind`
 * durations and no transfer callback: otherwise the callbacks get the schedule's op objects). The TimedOp lists are
 * built on first read of `ranks`, and never with `{ keepOps: false }`: 10^6 ops run without 10^6 objects.
 */
import { formatOp, scheduleColumns, stageOf, stageOfLane } from './schedules/index';
import { KIND_B, KIND_b, KIND_F, KIND_FB, KIND_NAMES, KIND_W, type OpColumns, opAt } from './schedules/program';
import type { OpKind, OpRef, Result, Schedule, ScheduleOp, TimedOp } from './schedules/types';

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
}

export interface ExecuteOptions {
  /** Build the per-rank TimedOp lists (default true). Without them `ranks` is empty and the numbers are the same. */
  keepOps?: boolean;
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
const KIND_CODE = { F, B, b, W, FB } as const;

// Why an op cannot run, found while compiling and reported when its rank reaches it.
const OK = 0;
const OUT_OF_RANGE = 1;
const NO_BACKWARD_HALF = 2;
const PROBLEM = ['', 'a micro-batch or chunk outside the schedule', 'an FB pair without its backward half'];

/**
 * Every op as integers, indexed by its position in the concatenation of the ranks' orders. "What has finished" is
 * indexed by key = (stream, stage, phase): a stream is one micro-batch (per DualPipe direction), phase 0 the forward
 * output (activation), phase 1 the input gradient. -1 = no such input or output.
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
  keys: number;
}

/** The compiled arrays, views into one backing store (few large allocations, not one per array). */
function allocate(first: Int32Array, keys: number, kind?: Uint8Array): Compiled {
  const total = first[first.length - 1];
  const buffer = new ArrayBuffer(4 * 5 * total + total + (kind ? 0 : total));
  const column = (i: number) => new Int32Array(buffer, 4 * i * total, total).fill(-1);
  return {
    first,
    activationIn: column(0),
    localIn: column(1),
    gradientIn: column(2),
    activationOut: column(3),
    gradientOut: column(4),
    problem: new Uint8Array(buffer, 4 * 5 * total, total),
    kind: kind ?? new Uint8Array(buffer, 4 * 5 * total + total, total),
    keys,
  };
}

/** Streams per direction and directions: DualPipe runs N/2 micro-batches each way. */
function streamsOf(schedule: Schedule): { perDirection: number; directions: number } {
  return schedule.kind === 'dualpipe'
    ? { perDirection: schedule.microBatches / 2, directions: 2 }
    : { perDirection: schedule.microBatches, directions: 1 };
}

/**
 * Fills op g's inputs and outputs from its stage and key (key = −1: out of range). `backStage`/`backKey` are the
 * backward half's (B, b: the op itself; FB: its backward ref).
 */
function wire(c: Compiled, g: number, kind: number, stage: number, key: number, backStage: number, backKey: number, stages: number): void {
  let valid = true;
  // Forward half (F, FB): needs the previous stage's activation unless it is the first stage.
  if (kind === F || kind === FB) {
    if (key < 0) valid = false;
    c.activationOut[g] = key;
    if (stage > 0) c.activationIn[g] = key - 2;
  }
  // Backward half (B, b, FB): needs its own forward and the next stage's gradient (the last stage starts from the loss).
  if (kind === FB || kind === B || kind === b) {
    if (backKey < 0) valid = false;
    c.localIn[g] = backKey;
    c.gradientOut[g] = backKey + 1;
    if (backStage < stages - 1) c.gradientIn[g] = backKey + 3;
  }
  if (kind === W) {
    if (key < 0) valid = false;
    c.localIn[g] = key + 1;
  }
  if (!valid) c.problem[g] = OUT_OF_RANGE;
}

/** The op objects' path: any hand-built or edited `order`, checked field by field. */
function compileOrder(schedule: Schedule, order: readonly (readonly ScheduleOp[])[]): Compiled {
  const { stages } = schedule;
  const { perDirection, directions } = streamsOf(schedule);
  const first = new Int32Array(order.length + 1);
  for (let rank = 0; rank < order.length; rank++) first[rank + 1] = first[rank] + order[rank].length;
  const c = allocate(first, directions * perDirection * stages * 2);
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
      const kind = KIND_CODE[op.kind];
      c.kind[g] = kind;
      const backward = kind === FB ? op.backward : op;
      if (!backward) {
        c.problem[g] = NO_BACKWARD_HALF;
        continue;
      }
      const stage = stageOf(schedule, rank, op);
      const backStage = backward === op ? stage : stageOf(schedule, rank, backward);
      wire(c, g, kind, stage, keyOf(op, stage), backStage, backward === op ? keyOf(op, stage) : keyOf(backward, backStage), stages);
    }
  }
  return c;
}

/** The generated columns' path: the same keys, no object per op. */
function compileColumns(schedule: Schedule, cols: OpColumns): Compiled {
  const { stages, kind: scheduleKind, ranks: P } = schedule;
  const { perDirection, directions } = streamsOf(schedule);
  // The kinds are the generator's (read only).
  const c = allocate(cols.first, directions * perDirection * stages * 2, cols.kind);
  const byDirection = cols.laneField === 'direction';
  const keyOf = (microBatch: number, lane: number, stage: number): number => {
    const direction = byDirection ? lane : 0;
    if (!(microBatch >= 0 && microBatch < perDirection && stage >= 0 && stage < stages && direction >= 0 && direction < directions)) return -1;
    return ((direction * perDirection + microBatch) * stages + stage) * 2;
  };
  for (let rank = 0; rank < P; rank++) {
    for (let g = cols.first[rank]; g < cols.first[rank + 1]; g++) {
      const kind = cols.kind[g];
      const stage = stageOfLane(scheduleKind, P, rank, cols.lane[g]);
      const key = keyOf(cols.microBatch[g], cols.lane[g], stage);
      if (kind === FB) {
        const backStage = stageOfLane(scheduleKind, P, rank, cols.backLane[g]);
        wire(c, g, kind, stage, key, backStage, keyOf(cols.backMicroBatch[g], cols.backLane[g], backStage), stages);
      } else wire(c, g, kind, stage, key, stage, key, stages);
    }
  }
  return c;
}

export function executeSchedule(schedule: Schedule, durations: OpDurations, options: ExecuteOptions = {}): Result<ExecutedTimeline> {
  const P = schedule.ranks;
  const columns = scheduleColumns(schedule);
  const transfer = durations.transfer;
  const byKind = durations.secondsByKind;
  // Op objects only when a callback needs them (or when the schedule has nothing else).
  const order = !columns || !byKind || transfer ? schedule.order : undefined;
  const c = columns ? compileColumns(schedule, columns) : compileOrder(schedule, order as ScheduleOp[][]);
  const { first, kind, activationIn, localIn, gradientIn, activationOut, gradientOut } = c;
  const opOf = (rank: number, g: number): ScheduleOp => (order ? order[rank][g - first[rank]] : opAt(columns as OpColumns, g));
  const seconds = byKind ? KIND_NAMES.map((name) => byKind[name]) : undefined;
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

  /** Wakes the waiters of a key that just finished on `rank` at time `t`. */
  const publish = (key: number, rank: number, t: number) => {
    doneAt[key] = t;
    doneOn[key] = rank;
    for (let waiter = firstWaiter[key]; waiter >= 0; waiter = nextWaiter[waiter]) ready[readyCount++] = waiter;
    firstWaiter[key] = -1;
  };

  while (readyCount > 0) {
    const rank = ready[--readyCount];
    const base = first[rank];
    const count = first[rank + 1] - base;
    for (; nextOp[rank] < count; nextOp[rank]++) {
      const g = base + nextOp[rank];
      if (c.problem[g] !== OK) return invalid(rank, opOf(rank, g), PROBLEM[c.problem[g]]);
      const act = activationIn[g];
      const local = localIn[g];
      const grad = gradientIn[g];
      const missing = act >= 0 && doneAt[act] < 0 ? act : local >= 0 && doneAt[local] < 0 ? local : grad >= 0 && doneAt[grad] < 0 ? grad : -1;
      if (missing >= 0) {
        nextWaiter[rank] = firstWaiter[missing];
        firstWaiter[missing] = rank;
        break;
      }
      const op = order ? order[rank][g - base] : undefined;
      let t = freeAt[rank];
      if (local >= 0 && doneAt[local] > t) t = doneAt[local];
      if (act >= 0) {
        const from = doneOn[act];
        const arrival = doneAt[act] + (from === rank || !transfer ? 0 : transfer(from, rank, op as ScheduleOp, 'activation'));
        if (arrival > t) t = arrival;
      }
      if (grad >= 0) {
        const from = doneOn[grad];
        const arrival =
          doneAt[grad] +
          (from === rank || !transfer ? 0 : transfer(from, rank, kind[g] === FB ? ((op as ScheduleOp).backward as OpRef) : (op as ScheduleOp), 'gradient'));
        if (arrival > t) t = arrival;
      }
      const aOut = activationOut[g];
      const gOut = gradientOut[g];
      if ((aOut >= 0 && doneAt[aOut] >= 0) || (gOut >= 0 && doneAt[gOut] >= 0)) return invalid(rank, opOf(rank, g), 'work that already ran');
      const finish = t + (seconds ? seconds[kind[g]] : durations.op(rank, op as ScheduleOp));
      start[g] = t;
      end[g] = finish;
      freeAt[rank] = finish;
      if (aOut >= 0) publish(aOut, rank, finish);
      if (gOut >= 0) publish(gOut, rank, finish);
    }
  }

  const stuck: string[] = [];
  for (let rank = 0; rank < P; rank++) {
    const count = first[rank + 1] - first[rank];
    if (nextOp[rank] < count) stuck.push(`rank ${rank} at ${formatOp(opOf(rank, first[rank] + nextOp[rank]))} (op ${nextOp[rank] + 1} of ${count})`);
  }
  if (stuck.length > 0)
    return {
      ok: false,
      code: 'schedule/deadlock',
      reason: `deadlock: every unfinished rank waits for an input no rank will produce: ${stuck.join('; ')}`,
    };

  let makespan = 0;
  for (let rank = 0; rank < P; rank++) if (freeAt[rank] > makespan) makespan = freeAt[rank];
  const idlePerRank: number[] = [];
  const peakActivationsPerRank: number[] = [];
  for (let rank = 0; rank < P; rank++) {
    let busy = 0;
    for (let g = first[rank]; g < first[rank + 1]; g++) busy += end[g] - start[g];
    idlePerRank.push(makespan - busy);
    peakActivationsPerRank.push(peakActivations(kind, first[rank], first[rank + 1]));
  }
  const keepOps = options.keepOps ?? true;
  const timedRanks = (): TimedOp[][] => {
    const rows: TimedOp[][] = [];
    for (let rank = 0; rank < P; rank++) {
      if (!keepOps) {
        rows.push([]);
        continue;
      }
      const base = first[rank];
      const timed: TimedOp[] = new Array(first[rank + 1] - base);
      // One object shape for every op (absent fields stay undefined): keeps consumers' loops monomorphic.
      if (order) {
        const ops = order[rank];
        for (let i = 0; i < timed.length; i++) {
          const op = ops[i];
          timed[i] = { kind: op.kind, microBatch: op.microBatch, direction: op.direction, chunk: op.chunk, backward: op.backward, start: start[base + i], end: end[base + i] };
        }
      } else {
        // Straight from the columns: one object per op (two for FB), no intermediate ScheduleOp.
        const cols = columns as OpColumns;
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
  };
  const value = { makespan, idlePerRank, peakActivationsPerRank } as ExecutedTimeline;
  Object.defineProperty(value, BUILD_RANKS, { value: timedRanks, writable: true });
  Object.defineProperty(value, RANKS, { value: undefined, writable: true });
  Object.defineProperty(value, 'ranks', ranksAccessor);
  return { ok: true, value };
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

function invalid(rank: number, op: ScheduleOp, what: string): Result<ExecutedTimeline> {
  return { ok: false, code: 'schedule/invalid-op', reason: `rank ${rank}: ${formatOp(op)} refers to ${what}` };
}

/**
 * Peak micro-batch chunks whose activations a rank holds. A chunk's activations are held from the START of its
 * forward (F, or the forward half of FB) until the END of the op that last reads them: the full backward B (or the
 * backward half of FB), or, when the backward is split, the W (the weight gradient still needs the stored inputs; b
 * alone frees nothing). Ops on a rank never overlap, so walking them in order visits these events in time order.
 * With this reading 1F1B peaks at P on rank 0, ZB-H1 at P, ZB-H2 at 2P−1 and DualPipe at P+1 (an FB pair holds the
 * new forward and the not-yet-freed backward together), as the Zero Bubble paper and DeepSeek-V3 Table 2 count them.
 */
function peakActivations(kind: Uint8Array, from: number, to: number): number {
  let held = 0;
  let peak = 0;
  for (let g = from; g < to; g++) {
    if (kind[g] === F || kind[g] === FB) held++;
    if (held > peak) peak = held;
    if (kind[g] === B || kind[g] === W || kind[g] === FB) held--;
  }
  return peak;
}
