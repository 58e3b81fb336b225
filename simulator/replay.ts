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

/** Per op, LINKS numbers: the ops producing its local input, its activation and its gradient (−1: none), and flags. */
const LINKS = 4;
const LOCAL = 0;
const ACTIVATION = 1;
const GRADIENT = 2;
const FLAGS = 3;
/** The op is its rank's first (it starts from 0, not from a previous op's end). */
const FIRST_ON_RANK = 1;
/** Its activation (gradient) comes from another rank: the transfer time is added to its producer's end. */
const ACTIVATION_CROSSES = 2;
const GRADIENT_CROSSES = 4;

/** A recorded run of the event loop without exchanges: its order, and each op's links. */
export interface OpPlan {
  order: Int32Array;
  links: Int32Array;
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
  const producer = producers(w);
  const links = new Int32Array(LINKS * order.length);
  const rankOf = rankOfOps(w.first);
  for (let g = 0; g < order.length; g++) {
    const at = LINKS * g;
    const local = w.localIn[g];
    const act = w.activationIn[g];
    const grad = w.gradientIn[g];
    links[at + LOCAL] = local >= 0 ? producer[local] : -1;
    links[at + ACTIVATION] = act >= 0 ? producer[act] : -1;
    links[at + GRADIENT] = grad >= 0 ? producer[grad] : -1;
    let flags = g === w.first[rankOf[g]] ? FIRST_ON_RANK : 0;
    if (act >= 0 && rankOf[producer[act]] !== rankOf[g]) flags |= ACTIVATION_CROSSES;
    if (grad >= 0 && rankOf[producer[grad]] !== rankOf[g]) flags |= GRADIENT_CROSSES;
    links[at + FLAGS] = flags;
  }
  return { order, links };
}

function rankOfOps(first: Int32Array): Int32Array {
  const rankOf = new Int32Array(first[first.length - 1]);
  for (let rank = 0; rank + 1 < first.length; rank++) rankOf.fill(rank, first[rank], first[rank + 1]);
  return rankOf;
}

/** What a run gives its timeline (timeline.ts `Times`). */
export interface ReplayTimes {
  start: Float64Array;
  end: Float64Array;
  freeAt: Float64Array;
  nextOp: Int32Array;
}

/**
 * The recorded run again with these durations: `seconds` per op, else `perKind` per kind code; every transfer
 * between ranks takes `transfer`. The same arithmetic as timeline.ts `runOps`, in the same order. `times` (2 per
 * op) receives the starts and ends; what it held is never read.
 */
export function replayOps(w: Wiring, plan: OpPlan, seconds: Float64Array | undefined, perKind: Float64Array | undefined, transfer: number, times: Float64Array): ReplayTimes {
  const { first } = w;
  const P = first.length - 1;
  const total = plan.order.length;
  const start = times.subarray(0, total);
  const end = times.subarray(total, 2 * total);
  replayLoop(plan, w.kind, seconds, perKind, transfer, start, end);
  const freeAt = new Float64Array(P);
  const nextOp = new Int32Array(P);
  for (let rank = 0; rank < P; rank++) {
    nextOp[rank] = first[rank + 1] - first[rank];
    if (first[rank + 1] > first[rank]) freeAt[rank] = end[first[rank + 1] - 1];
  }
  return { start, end, freeAt, nextOp };
}

/**
 * The loop alone, in a function of its own: V8 compiles a long first loop while it runs, before the code after it
 * ever ran, and that code would then deoptimize on every call.
 */
function replayLoop(plan: OpPlan, kind: Uint8Array, seconds: Float64Array | undefined, perKind: Float64Array | undefined, transfer: number, start: Float64Array, end: Float64Array): void {
  const { order, links } = plan;
  const total = order.length;
  for (let n = 0; n < total; n++) {
    const g = order[n];
    const at = LINKS * g;
    const flags = links[at + FLAGS];
    let t = (flags & FIRST_ON_RANK) !== 0 ? 0 : end[g - 1];
    const local = links[at + LOCAL];
    if (local >= 0 && end[local] > t) t = end[local];
    const act = links[at + ACTIVATION];
    if (act >= 0) {
      const arrival = end[act] + ((flags & ACTIVATION_CROSSES) !== 0 ? transfer : 0);
      if (arrival > t) t = arrival;
    }
    const grad = links[at + GRADIENT];
    if (grad >= 0) {
      const arrival = end[grad] + ((flags & GRADIENT_CROSSES) !== 0 ? transfer : 0);
      if (arrival > t) t = arrival;
    }
    start[g] = t;
    end[g] = t + (seconds ? seconds[g] : (perKind as Float64Array)[kind[g]]);
  }
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
