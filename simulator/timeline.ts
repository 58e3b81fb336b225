/**
 * Executes a schedule: every rank runs its ops in order, each as soon as the rank is free and its inputs have arrived.
 *
 * Event-driven, no clock: an op's completion is an event that wakes the ranks waiting for its output. Ranks do not
 * contend for links, so an op's start depends only on its rank's previous op and its inputs; events can therefore be
 * handled in dependency order instead of time order, each op exactly once: O(ops + ranks) time and memory.
 *
 * The ops are first compiled into flat integer arrays (kind, input and output keys), so the main loop allocates
 * nothing per op; TimedOp objects are built once at the end, and not at all with `{ keepOps: false }`.
 */
import { formatOp, stageOf } from './schedules/index';
import type { OpRef, Result, Schedule, ScheduleOp, TimedOp } from './schedules/types';

export interface OpDurations {
  /** Seconds (or units) `op` takes on `rank`; for FB the whole overlapped pair. */
  op(rank: number, op: ScheduleOp): number;
  /** Point-to-point time to move `ref`'s activation (forward) or gradient (backward) between ranks. Default 0. */
  transfer?(fromRank: number, toRank: number, ref: OpRef, kind: 'activation' | 'gradient'): number;
}

export interface ExecuteOptions {
  /** Build the per-rank TimedOp lists (default true). Without them `ranks` is empty and the numbers are the same. */
  keepOps?: boolean;
}

export interface ExecutedTimeline {
  /** Per rank, ops in execution order with start/end (empty arrays with `keepOps: false`). */
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
  return { op: (_rank, op) => seconds[op.kind] };
}

// Op kinds as small integers for the typed arrays.
const F = 0;
const B = 1;
const b = 2;
const W = 3;
const FB = 4;
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

function compile(schedule: Schedule): Compiled {
  const { order, stages } = schedule;
  const perDirection = schedule.kind === 'dualpipe' ? schedule.microBatches / 2 : schedule.microBatches;
  const directions = schedule.kind === 'dualpipe' ? 2 : 1;
  const first = new Int32Array(order.length + 1);
  for (let rank = 0; rank < order.length; rank++) first[rank + 1] = first[rank] + order[rank].length;
  const total = first[order.length];
  const c: Compiled = {
    first,
    kind: new Uint8Array(total),
    problem: new Uint8Array(total),
    activationIn: new Int32Array(total).fill(-1),
    localIn: new Int32Array(total).fill(-1),
    gradientIn: new Int32Array(total).fill(-1),
    activationOut: new Int32Array(total).fill(-1),
    gradientOut: new Int32Array(total).fill(-1),
    keys: directions * perDirection * stages * 2,
  };
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
      let valid = true;
      // Forward half (F, FB): needs the previous stage's activation unless it is the first stage.
      if (kind === F || kind === FB) {
        const stage = stageOf(schedule, rank, op);
        const key = keyOf(op, stage);
        if (key < 0) valid = false;
        c.activationOut[g] = key;
        if (stage > 0) c.activationIn[g] = key - 2;
      }
      // Backward half (B, b, FB): needs its own forward and the next stage's gradient (the last stage starts from the loss).
      const backward = kind === FB ? op.backward : kind === B || kind === b ? op : undefined;
      if (kind === FB && !backward) {
        c.problem[g] = NO_BACKWARD_HALF;
        continue;
      }
      if (backward) {
        const stage = stageOf(schedule, rank, backward);
        const key = keyOf(backward, stage);
        if (key < 0) valid = false;
        c.localIn[g] = key;
        c.gradientOut[g] = key + 1;
        if (stage < stages - 1) c.gradientIn[g] = key + 3;
      }
      if (kind === W) {
        const key = keyOf(op, stageOf(schedule, rank, op));
        if (key < 0) valid = false;
        c.localIn[g] = key + 1;
      }
      if (!valid) c.problem[g] = OUT_OF_RANGE;
    }
  }
  return c;
}

export function executeSchedule(schedule: Schedule, durations: OpDurations, options: ExecuteOptions = {}): Result<ExecutedTimeline> {
  const P = schedule.ranks;
  const { order } = schedule;
  const c = compile(schedule);
  const { first, kind, activationIn, localIn, gradientIn, activationOut, gradientOut } = c;
  const transfer = durations.transfer;
  const doneAt = new Float64Array(c.keys).fill(-1);
  const doneOn = new Int32Array(c.keys);
  const start = new Float64Array(first[P]);
  const end = new Float64Array(first[P]);
  const nextOp = new Int32Array(P);
  const freeAt = new Float64Array(P);
  // Ranks waiting on a key, as linked lists: firstWaiter[key] → rank → nextWaiter[rank] → … (-1 ends).
  const firstWaiter = new Int32Array(c.keys).fill(-1);
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
    const ops = order[rank];
    const base = first[rank];
    for (; nextOp[rank] < ops.length; nextOp[rank]++) {
      const g = base + nextOp[rank];
      if (c.problem[g] !== OK) return invalid(rank, ops[nextOp[rank]], PROBLEM[c.problem[g]]);
      const act = activationIn[g];
      const local = localIn[g];
      const grad = gradientIn[g];
      const missing = act >= 0 && doneAt[act] < 0 ? act : local >= 0 && doneAt[local] < 0 ? local : grad >= 0 && doneAt[grad] < 0 ? grad : -1;
      if (missing >= 0) {
        nextWaiter[rank] = firstWaiter[missing];
        firstWaiter[missing] = rank;
        break;
      }
      const op = ops[nextOp[rank]];
      let t = freeAt[rank];
      if (local >= 0 && doneAt[local] > t) t = doneAt[local];
      if (act >= 0) {
        const from = doneOn[act];
        const arrival = doneAt[act] + (from === rank || !transfer ? 0 : transfer(from, rank, op, 'activation'));
        if (arrival > t) t = arrival;
      }
      if (grad >= 0) {
        const from = doneOn[grad];
        const ref = kind[g] === FB ? (op.backward as OpRef) : op;
        const arrival = doneAt[grad] + (from === rank || !transfer ? 0 : transfer(from, rank, ref, 'gradient'));
        if (arrival > t) t = arrival;
      }
      const aOut = activationOut[g];
      const gOut = gradientOut[g];
      if ((aOut >= 0 && doneAt[aOut] >= 0) || (gOut >= 0 && doneAt[gOut] >= 0)) return invalid(rank, op, 'work that already ran');
      const finish = t + durations.op(rank, op);
      start[g] = t;
      end[g] = finish;
      freeAt[rank] = finish;
      if (aOut >= 0) publish(aOut, rank, finish);
      if (gOut >= 0) publish(gOut, rank, finish);
    }
  }

  const stuck = order.flatMap((ops, rank) =>
    nextOp[rank] < ops.length ? [`rank ${rank} at ${formatOp(ops[nextOp[rank]])} (op ${nextOp[rank] + 1} of ${ops.length})`] : [],
  );
  if (stuck.length > 0)
    return {
      ok: false,
      code: 'schedule/deadlock',
      reason: `deadlock: every unfinished rank waits for an input no rank will produce: ${stuck.join('; ')}`,
    };

  const makespan = Math.max(0, ...freeAt);
  const idlePerRank: number[] = [];
  const peakActivationsPerRank: number[] = [];
  for (let rank = 0; rank < P; rank++) {
    let busy = 0;
    for (let g = first[rank]; g < first[rank + 1]; g++) busy += end[g] - start[g];
    idlePerRank.push(makespan - busy);
    peakActivationsPerRank.push(peakActivations(kind, first[rank], first[rank + 1]));
  }
  const keepOps = options.keepOps ?? true;
  const ranks = order.map((ops, rank) => {
    if (!keepOps) return [];
    const base = first[rank];
    const timed: TimedOp[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      // One object shape for every op (absent fields stay undefined): keeps consumers' loops monomorphic.
      timed[i] = { kind: op.kind, microBatch: op.microBatch, direction: op.direction, chunk: op.chunk, backward: op.backward, start: start[base + i], end: end[base + i] };
    }
    return timed;
  });
  return { ok: true, value: { ranks, makespan, idlePerRank, peakActivationsPerRank } };
}

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
