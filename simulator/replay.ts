/**
 * Re-running an executed schedule with other durations, without its event loop.
 *
 * Which op the event loop (timeline.ts) can run next depends only on which outputs exist, never on when they were
 * produced: the order it ran the ops in, and which op produced each input, are properties of the schedule alone.
 * So the first complete run of a cached schedule records that order (a topological order of the ops' dependencies),
 * and every later run with other durations walks it once: each op's start is the same maximum of the same values as
 * the event loop computes (its rank's previous end, each input's end plus the transfer when it crossed ranks),
 * compared in the same order, so every start and end is bit-identical (test/simulator/timeline-paths.test.ts checks
 * both against a reference). No ready list, no parking, no lookups by key. The same holds with blocking exchanges:
 * the recorded events are the ops, and each exchange's posting and completing.
 */
import { KIND_F, KIND_FB } from './schedules/program';

/** The wiring replay reads (timeline.ts `Compiled`): rank r's ops are first[r] .. first[r+1]−1; inputs and outputs are keys, −1 none. */
export interface Wiring {
  first: Int32Array;
  kind: Uint8Array;
  activationIn: Int32Array;
  localIn: Int32Array;
  gradientIn: Int32Array;
  activationOut: Int32Array;
  gradientOut: Int32Array;
  keys: number;
}

// What a position of the recorded run waits for (four numbers per position, −1: nothing): its rank's previous op,
// the op producing its local input, its activation and its gradient, each as the position that op ran at.
const FROM = 4;
const PREVIOUS = 0;
const LOCAL = 1;
const ACTIVATION = 2;
const GRADIENT = 3;
/** Its activation (gradient) comes from another rank: the transfer time is added to its producer's end. */
const ACTIVATION_CROSSES = 1;
const GRADIENT_CROSSES = 2;

/**
 * A recorded run of the event loop without exchanges, laid out in the order it ran: position n is op order[n], and
 * everything a position reads is at that position or an earlier one. A replay then walks every array front to back
 * (ranks' ops interleave in the run, so walking by op index would keep one stream per rank in flight).
 */
export interface OpPlan {
  /** The op at each position. */
  order: Int32Array;
  /** Per position, FROM positions (PREVIOUS, LOCAL, ACTIVATION, GRADIENT; −1 none). */
  from: Int32Array;
  /** Per position, ACTIVATION_CROSSES | GRADIENT_CROSSES. */
  crosses: Uint8Array;
  /** Per position, its op's rank. */
  rank: Int32Array;
  /**
   * Per rank, three positions (−1: none): its last op, its last op that is not a forward (F), its first forward (F
   * or FB): what timeline.ts `rankEnds` reads.
   */
  ends: Int32Array;
  /** Per-position durations last looked up (`atPositions`): the index array they were read through, and the result. */
  lookup?: { index: Int32Array | Uint8Array; at: Int32Array };
}

/** The op that produces each key (−1: none), from the outputs. */
function producers(w: Wiring): Int32Array {
  const producer = new Int32Array(w.keys).fill(-1);
  for (let g = 0; g < w.kind.length; g++) {
    if (w.activationOut[g] >= 0) producer[w.activationOut[g]] = g;
    if (w.gradientOut[g] >= 0) producer[w.gradientOut[g]] = g;
  }
  return producer;
}

/** The plan of a complete run that ran the ops in `order` (every op once). */
export function opPlan(w: Wiring, order: Int32Array): OpPlan {
  const total = order.length;
  const producer = producers(w);
  const rankOf = rankOfOps(w.first);
  const positionOf = new Int32Array(total);
  for (let n = 0; n < total; n++) positionOf[order[n]] = n;
  const at = (g: number) => (g >= 0 ? positionOf[g] : -1);
  const from = new Int32Array(FROM * total);
  const crosses = new Uint8Array(total);
  const rank = new Int32Array(total);
  for (let n = 0; n < total; n++) {
    const g = order[n];
    const r = rankOf[g];
    const local = w.localIn[g];
    const act = w.activationIn[g];
    const grad = w.gradientIn[g];
    const base = FROM * n;
    from[base + PREVIOUS] = g === w.first[r] ? -1 : positionOf[g - 1];
    from[base + LOCAL] = local >= 0 ? at(producer[local]) : -1;
    from[base + ACTIVATION] = act >= 0 ? at(producer[act]) : -1;
    from[base + GRADIENT] = grad >= 0 ? at(producer[grad]) : -1;
    let flags = 0;
    if (act >= 0 && rankOf[producer[act]] !== r) flags |= ACTIVATION_CROSSES;
    if (grad >= 0 && rankOf[producer[grad]] !== r) flags |= GRADIENT_CROSSES;
    crosses[n] = flags;
    rank[n] = r;
  }
  const P = w.first.length - 1;
  const ends = new Int32Array(3 * P).fill(-1);
  for (let r = 0; r < P; r++) {
    const lo = w.first[r];
    const hi = w.first[r + 1];
    if (hi === lo) continue;
    let last = hi - 1;
    while (last > lo && w.kind[last] === KIND_F) last--;
    let firstForward = lo;
    while (firstForward < hi && w.kind[firstForward] !== KIND_F && w.kind[firstForward] !== KIND_FB) firstForward++;
    ends[3 * r] = positionOf[hi - 1];
    ends[3 * r + 1] = positionOf[last];
    ends[3 * r + 2] = firstForward < hi ? positionOf[firstForward] : -1;
  }
  return { order, from, crosses, rank, ends };
}

function rankOfOps(first: Int32Array): Int32Array {
  const rankOf = new Int32Array(first[first.length - 1]);
  for (let rank = 0; rank + 1 < first.length; rank++) rankOf.fill(rank, first[rank], first[rank + 1]);
  return rankOf;
}

/**
 * `index` read at each position (index[order[n]]), kept with the plan for the same `index` array: a schedule's op
 * rows (opWork.ts) are cached with it, so keystrokes that change only durations look them up once.
 */
function atPositions(plan: OpPlan, index: Int32Array | Uint8Array): Int32Array {
  if (plan.lookup?.index === index) return plan.lookup.at;
  const { order } = plan;
  const at = new Int32Array(order.length);
  for (let n = 0; n < order.length; n++) at[n] = index[order[n]];
  plan.lookup = { index, at };
  return at;
}

/**
 * Where a replay reads durations: op g takes `rows.seconds[rows.rowOf[g]]` (a table per distinct op, opWork.ts),
 * else `seconds[g]`, else `perKind[kind[g]]`.
 */
export interface ReplayDurations {
  rows?: { rowOf: Int32Array; seconds: Float64Array };
  seconds?: Float64Array;
  perKind?: Float64Array;
}

/** Per position, where its seconds are in which table. */
function durationsAt(w: Wiring, plan: OpPlan, d: ReplayDurations): { at: Int32Array; table: Float64Array } {
  if (d.rows) return { at: atPositions(plan, d.rows.rowOf), table: d.rows.seconds };
  if (d.seconds) return { at: plan.order, table: d.seconds };
  return { at: atPositions(plan, w.kind), table: d.perKind as Float64Array };
}

/** What a run gives its timeline (timeline.ts `Times`). */
export interface ReplayTimes {
  start: Float64Array;
  end: Float64Array;
  freeAt: Float64Array;
  nextOp: Int32Array;
}

/**
 * The recorded run again with these durations; every transfer between ranks takes `transfer`. The same arithmetic
 * as timeline.ts `runOps`, in the same order. `times` (2 per op) receives the starts and ends by op, `scratch` (1 per
 * op) the ends by position; what either held is never read.
 */
export function replayOps(w: Wiring, plan: OpPlan, durations: ReplayDurations, transfer: number, times: Float64Array, scratch: Float64Array): ReplayTimes {
  const { first } = w;
  const P = first.length - 1;
  const total = plan.order.length;
  const endAt = scratch.subarray(0, total);
  const { at, table } = durationsAt(w, plan, durations);
  const start = times.subarray(0, total);
  const end = times.subarray(total, 2 * total);
  replayLoopByOp(plan, at, table, transfer, endAt, start, end);
  const freeAt = new Float64Array(P);
  const nextOp = new Int32Array(P);
  for (let rank = 0; rank < P; rank++) {
    nextOp[rank] = first[rank + 1] - first[rank];
    if (first[rank + 1] > first[rank]) freeAt[rank] = end[first[rank + 1] - 1];
  }
  return { start, end, freeAt, nextOp };
}

/** What a numbers-only run gives (timeline.ts `ExecutedTimeline`'s numbers): per rank, busy seconds and its ends. */
export interface ReplayNumbers {
  freeAt: Float64Array;
  /** Per rank, the sum of end − start over its ops, in its order (timeline.ts `idleOf`). */
  busy: Float64Array;
  /** Per rank: its last op's end − start, its last non-forward op's, its first forward's (0 without one). */
  lastBackward: Float64Array;
  firstForward: Float64Array;
}

/**
 * The recorded run again, keeping only its numbers: the same starts and ends as `replayOps`, never written by op.
 * `times` holds 2 numbers per op.
 */
export function replayNumbers(w: Wiring, plan: OpPlan, durations: ReplayDurations, transfer: number, times: Float64Array): ReplayNumbers {
  const P = w.first.length - 1;
  const total = plan.order.length;
  const startAt = times.subarray(0, total);
  const endAt = times.subarray(total, 2 * total);
  const { at, table } = durationsAt(w, plan, durations);
  replayLoop(plan, at, table, transfer, startAt, endAt);
  const busy = new Float64Array(P);
  busyLoop(plan.rank, startAt, endAt, busy);
  const freeAt = new Float64Array(P);
  const lastBackward = new Float64Array(P);
  const firstForward = new Float64Array(P);
  const { ends } = plan;
  for (let rank = 0; rank < P; rank++) {
    const last = ends[3 * rank];
    if (last < 0) continue;
    freeAt[rank] = endAt[last];
    const back = ends[3 * rank + 1];
    lastBackward[rank] = endAt[back] - startAt[back];
    const forward = ends[3 * rank + 2];
    if (forward >= 0) firstForward[rank] = endAt[forward] - startAt[forward];
  }
  return { freeAt, busy, lastBackward, firstForward };
}

/** When position n can start: the latest end of what it waits for, a transfer added to inputs from another rank. */
function readyAt(from: Int32Array, crosses: Uint8Array, endAt: Float64Array, n: number, transfer: number): number {
  const base = FROM * n;
  const previous = from[base + PREVIOUS];
  let t = previous >= 0 ? endAt[previous] : 0;
  const local = from[base + LOCAL];
  if (local >= 0 && endAt[local] > t) t = endAt[local];
  const flags = crosses[n];
  const act = from[base + ACTIVATION];
  if (act >= 0) {
    const arrival = endAt[act] + ((flags & ACTIVATION_CROSSES) !== 0 ? transfer : 0);
    if (arrival > t) t = arrival;
  }
  const grad = from[base + GRADIENT];
  if (grad >= 0) {
    const arrival = endAt[grad] + ((flags & GRADIENT_CROSSES) !== 0 ? transfer : 0);
    if (arrival > t) t = arrival;
  }
  return t;
}

/**
 * The loop alone, in a function of its own: V8 compiles a long first loop while it runs, before the code after it
 * ever ran, and that code would then deoptimize on every call. Position n's seconds are table[at[n]].
 */
function replayLoop(plan: OpPlan, at: Int32Array, table: Float64Array, transfer: number, start: Float64Array, end: Float64Array): void {
  const { from, crosses } = plan;
  const total = at.length;
  for (let n = 0; n < total; n++) {
    const t = readyAt(from, crosses, end, n, transfer);
    start[n] = t;
    end[n] = t + table[at[n]];
  }
}

/**
 * `replayLoop` writing each op's start and end by op (`start[order[n]]`); by position only the ends it reads back.
 * A loop of its own: one loop for both, branching on whether to write by op, made the page's simulate ≈ 15% slower.
 */
function replayLoopByOp(
  plan: OpPlan,
  at: Int32Array,
  table: Float64Array,
  transfer: number,
  endAt: Float64Array,
  start: Float64Array,
  end: Float64Array,
): void {
  const { from, crosses, order } = plan;
  const total = at.length;
  for (let n = 0; n < total; n++) {
    const t = readyAt(from, crosses, endAt, n, transfer);
    const finish = t + table[at[n]];
    endAt[n] = finish;
    const g = order[n];
    start[g] = t;
    end[g] = finish;
  }
}

/** Each rank's busy seconds: its ops come in its own order within the run, so the sums add in the same order as by op. */
function busyLoop(rank: Int32Array, start: Float64Array, end: Float64Array, busy: Float64Array): void {
  for (let n = 0; n < rank.length; n++) busy[rank[n]] += end[n] - start[n];
}

/** Blocking exchanges as timeline.ts compiles them: rank r's calls rankCalls[r] .. rankCalls[r+1]−1, each with its messages. */
export interface ExchangeCalls {
  rankCalls: Int32Array;
  messageFirst: Int32Array;
  messageKey: Int32Array;
  receives: Uint8Array;
}

/**
 * A recorded run with blocking exchanges: events in the order they happened, two numbers each (what, rank). What is
 * op g (g < ops), a rank posting its side of call k (ops + 2k) or completing it (ops + 2k + 1).
 */
export type ExchangePlan = Int32Array;

export const postEvent = (ops: number, call: number) => ops + 2 * call;
export const completeEvent = (ops: number, call: number) => ops + 2 * call + 1;

/**
 * The recorded run with blocking exchanges again, with these durations (every message takes `transfer`): the same
 * arithmetic as timeline.ts `runWithExchanges`, in the same order. `times` holds 2 numbers per op and 3 per key.
 */
export function replayExchanges(
  w: Wiring,
  x: ExchangeCalls,
  events: ExchangePlan,
  seconds: Float64Array | undefined,
  perKind: Float64Array | undefined,
  transfer: number,
  times: Float64Array,
): ReplayTimes & { nextCall: Int32Array; exchangeSeconds: Float64Array } {
  const { first } = w;
  const P = first.length - 1;
  const total = first[P];
  const start = times.subarray(0, total);
  const end = times.subarray(total, 2 * total);
  const doneAt = times.subarray(2 * total, 2 * total + w.keys).fill(-1);
  const sendPost = times.subarray(2 * total + w.keys, 2 * total + 2 * w.keys).fill(-1);
  const recvPost = times.subarray(2 * total + 2 * w.keys, 2 * total + 3 * w.keys).fill(-1);
  const freeAt = new Float64Array(P);
  const exchangeSeconds = new Float64Array(P);
  exchangeLoop(w, x, events, seconds, perKind, transfer, { start, end, doneAt, sendPost, recvPost, freeAt, exchangeSeconds });
  const nextOp = new Int32Array(P);
  const nextCall = new Int32Array(P);
  for (let rank = 0; rank < P; rank++) {
    nextOp[rank] = first[rank + 1] - first[rank];
    nextCall[rank] = x.rankCalls[rank + 1];
  }
  return { start, end, freeAt, nextOp, nextCall, exchangeSeconds };
}

/** The loop of `replayExchanges`, alone (see `replayLoop`). */
function exchangeLoop(
  w: Wiring,
  x: ExchangeCalls,
  events: ExchangePlan,
  seconds: Float64Array | undefined,
  perKind: Float64Array | undefined,
  transfer: number,
  state: { start: Float64Array; end: Float64Array; doneAt: Float64Array; sendPost: Float64Array; recvPost: Float64Array; freeAt: Float64Array; exchangeSeconds: Float64Array },
): void {
  const { kind, activationOut, gradientOut } = w;
  const { messageFirst, messageKey, receives } = x;
  const { start, end, doneAt, sendPost, recvPost, freeAt, exchangeSeconds } = state;
  const total = kind.length;
  for (let e = 0; e < events.length; e += 2) {
    const what = events[e];
    const rank = events[e + 1];
    const free = freeAt[rank];
    if (what < total) {
      const g = what;
      const finish = free + (seconds ? seconds[g] : (perKind as Float64Array)[kind[g]]);
      start[g] = free;
      end[g] = finish;
      freeAt[rank] = finish;
      if (activationOut[g] >= 0) doneAt[activationOut[g]] = finish;
      if (gradientOut[g] >= 0) doneAt[gradientOut[g]] = finish;
      continue;
    }
    const k = (what - total) >> 1;
    if (((what - total) & 1) === 0) {
      for (let m = messageFirst[k]; m < messageFirst[k + 1]; m++) (receives[m] ? recvPost : sendPost)[messageKey[m]] = free;
      continue;
    }
    let done = free;
    let produced = free;
    for (let m = messageFirst[k]; m < messageFirst[k + 1]; m++) {
      const key = messageKey[m];
      const moved = Math.max(sendPost[key], recvPost[key]) + transfer;
      if (receives[m] && doneAt[key] > produced) produced = doneAt[key];
      if (moved > done) done = moved;
    }
    exchangeSeconds[rank] += done - Math.min(done, produced);
    freeAt[rank] = done;
  }
}
