/**
 * What each op costs under a cost model: its seconds and its communication split (hidden and exposed, per kind),
 * from per-stage tables, and each rank's sums over its ops — what simulate.ts executes the schedule with and reads
 * the step's breakdown from.
 */
import type { CostModel } from './costs';
import { KIND_B, KIND_b, KIND_F, KIND_FB, KIND_W } from './schedules/program';
import type { StagedOps } from './timeline';

/** How one op's communication splits into hidden and exposed seconds, per kind. */
export interface OpComm {
  ep: number;
  epHidden: number;
  tp: number;
  tpHidden: number;
  cp: number;
  cpHidden: number;
  /**
   * overlap_p2p_comm off: seconds in blocking PP exchanges, waiting for the neighbour and the transfer (schedules
   * with Megatron's exchanges), else seconds ops waited for their own sends.
   */
  ppBlocked: number;
}

// What `evaluate` writes per op: its comm (total and hidden, per kind) and its seconds.
const EP = 0;
const EP_HIDDEN = 1;
const TP = 2;
const TP_HIDDEN = 3;
const CP = 4;
const CP_HIDDEN = 5;
const PP_BLOCKED = 6;
export const SECONDS = 7;
export const OUT = 8;

/** Per-stage seconds of one micro-batch's compute and communication: what an op's duration is read from. */
export interface OpTable {
  fc: Float64Array;
  bc: Float64Array;
  wc: Float64Array;
  epF: Float64Array;
  epB: Float64Array;
  tpF: Float64Array;
  tpB: Float64Array;
  tpxF: Float64Array;
  tpxB: Float64Array;
  cpF: Float64Array;
  cpB: Float64Array;
  cpTotF: Float64Array;
  cpTotB: Float64Array;
  /** Shared-expert compute an unpaired op can hide its EP all-to-all under, per phase. */
  hideF: Float64Array;
  hideB: Float64Array;
  hideW: Float64Array;
  /** Routed-expert compute per phase: what a pair hides the other op's dispatch or combine under. */
  xF: Float64Array;
  xB: Float64Array;
  xW: Float64Array;
  /** Share of EP seconds in the dispatch direction. */
  dispatchShare: number;
  /** Without pairing, EP comm is exposed unless the config overlaps it with the op's shared-expert compute. */
  overlapSingleOps: boolean;
  /**
   * Megatron-Core's combined 1F1B (--overlap-moe-expert-parallel-comm) on a schedule that does not pair chunks itself:
   * each steady-state forward runs merged with the backward that follows it on the rank (another micro-batch).
   */
  combined: boolean;
  /** Seconds every op but W waits for its own PP send (no --overlap-p2p-communication), else 0. */
  blockingSend: number;
}

export function opTable(costs: CostModel, overlapSingleOps: boolean, combined: boolean, blockingSend: number): OpTable {
  const st = costs.stages;
  // A plain loop: Float64Array.from with a mapping function goes through the iterator protocol per element, which
  // made these 19 small tables ≈ 6% of a numbers-only 64 × 512 simulate.
  const of = (pick: (s: (typeof st)[number]) => number) => {
    const column = new Float64Array(st.length);
    for (let i = 0; i < st.length; i++) column[i] = pick(st[i]);
    return column;
  };
  return {
    fc: of((s) => s.compute.seconds.F),
    bc: of((s) => s.compute.seconds.b),
    wc: of((s) => s.compute.seconds.W),
    epF: of((s) => s.ep.F.seconds),
    epB: of((s) => s.ep.B.seconds),
    tpF: of((s) => s.tp.F.seconds),
    tpB: of((s) => s.tp.B.seconds),
    tpxF: of((s) => s.tpExposed.F),
    tpxB: of((s) => s.tpExposed.B),
    cpF: of((s) => s.cpExposed.F),
    cpB: of((s) => s.cpExposed.B),
    cpTotF: of((s) => s.cp.F.seconds),
    cpTotB: of((s) => s.cp.B.seconds),
    hideF: of((s) => s.epHideable.F),
    hideB: of((s) => s.epHideable.b),
    hideW: of((s) => s.epHideable.W),
    xF: of((s) => s.routed.F),
    xB: of((s) => s.routed.b),
    xW: of((s) => s.routed.W),
    dispatchShare: costs.dispatchShare,
    overlapSingleOps,
    combined,
    blockingSend,
  };
}

/**
 * Exposed EP seconds of a forward on stage `s` merged with a full backward on stage `b` under Megatron-Core's combined
 * 1F1B (--overlap-moe-expert-parallel-comm; docs.nvidia.com/megatron-core/developer-guide, features/moe_a2a_overlap:
 * "EP A2A in forward step is hidden by the attention/mlp computation in the backward step, and vice versa"). Each
 * layer runs in four slots on two streams, one op's compute beside the other's communication: the forward's
 * attention with the backward's combine-gradient send (toward the experts), the forward's dispatch with the
 * backward's expert GEMMs, the forward's experts with the backward's dispatch-gradient send, the forward's combine
 * with the backward's attention. A slot lasts as long as its longer half, so communication hides only under the
 * compute it is paired with. Summed per stage (its layers alike). DualPipe's FB pairs instead hide their EP under the
 * pair's whole compute: DeepSeek tunes the SMs each chunk's communication gets so that it is "fully hidden"
 * (arXiv 2412.19437 §3.2.1).
 */
function pairedEpExposed(m: OpTable, s: number, b: number): number {
  const d = m.dispatchShare;
  const expertsF = m.xF[s];
  const expertsB = m.xB[b] + m.xW[b];
  const restF = m.fc[s] - expertsF;
  const restB = m.bc[b] + m.wc[b] - expertsB;
  const epF = m.epF[s];
  const epB = m.epB[b];
  const slots =
    Math.max(restF, d * epB) + Math.max(d * epF, expertsB) + Math.max(expertsF, (1 - d) * epB) + Math.max((1 - d) * epF, restB);
  return Math.max(0, slots - (m.fc[s] + m.bc[b] + m.wc[b]));
}

/**
 * An op of kind `kind` (the executor's codes) computing stage `s` (FB: its backward half computes `b`): its comm and
 * seconds into `out`, array lookups only (a top-level function, so the per-op loop inlines it and boxes nothing).
 */
export function evaluate(m: OpTable, kind: number, s: number, b: number, out: Float64Array): void {
  let compute: number;
  let ep: number;
  let epExposed: number;
  let tp: number;
  let tpExposed: number;
  let cp: number;
  let cpExposed: number;
  if (kind === KIND_F) {
    compute = m.fc[s];
    ep = m.epF[s];
    epExposed = m.overlapSingleOps ? Math.max(0, ep - m.hideF[s]) : ep;
    tp = m.tpF[s];
    tpExposed = m.tpxF[s];
    cp = m.cpTotF[s];
    cpExposed = m.cpF[s];
  } else if (kind === KIND_B || kind === KIND_b) {
    // The same input-gradient pass and its communication; a full B also computes the weight gradient.
    compute = m.bc[s] + (kind === KIND_B ? m.wc[s] : 0);
    ep = m.epB[s];
    epExposed = m.overlapSingleOps ? Math.max(0, ep - (m.hideB[s] + (kind === KIND_B ? m.hideW[s] : 0))) : ep;
    tp = m.tpB[s];
    tpExposed = m.tpxB[s];
    cp = m.cpTotB[s];
    cpExposed = m.cpB[s];
  } else if (kind === KIND_W) {
    compute = m.wc[s];
    ep = epExposed = tp = tpExposed = cp = cpExposed = 0;
  } else {
    // FB (DualPipe): one chunk's all-to-all hides under the other chunk's compute (and vice versa).
    compute = m.fc[s] + m.bc[b] + m.wc[b];
    ep = m.epF[s] + m.epB[b];
    epExposed = Math.max(0, ep - compute);
    tp = m.tpF[s] + m.tpB[b];
    tpExposed = m.tpxF[s] + m.tpxB[b];
    cp = m.cpTotF[s] + m.cpTotB[b];
    cpExposed = m.cpF[s] + m.cpB[b];
  }
  out[EP] = ep;
  out[EP_HIDDEN] = ep - epExposed;
  out[TP] = tp;
  out[TP_HIDDEN] = tp - tpExposed;
  out[CP] = cp;
  out[CP_HIDDEN] = cp - cpExposed;
  out[PP_BLOCKED] = kind === KIND_W ? 0 : m.blockingSend;
  out[SECONDS] = compute + epExposed + tpExposed + cpExposed + (kind === KIND_W ? 0 : m.blockingSend);
}

/**
 * A steady-state forward on stage `s` and the backward on stage `b` that follows it, merged (combined 1F1B): the
 * forward's row into `f`, the backward's into `bw`. The pair's EP seconds hide as in an FB pair; the exposed part is
 * charged to the backward, so the two ops together last as long as the merged step.
 */
function combinedPair(m: OpTable, s: number, b: number, f: Float64Array, bw: Float64Array): void {
  evaluate(m, KIND_F, s, s, f);
  evaluate(m, KIND_B, b, b, bw);
  const exposed = pairedEpExposed(m, s, b);
  const epF = m.epF[s];
  const epB = m.epB[b];
  f[SECONDS] -= epF - f[EP_HIDDEN];
  bw[SECONDS] += exposed - (epB - bw[EP_HIDDEN]);
  // The exposed seconds are the backward's own EP first, the forward's beyond it.
  f[EP_HIDDEN] = epF - Math.max(0, exposed - epB);
  bw[EP_HIDDEN] = epB - Math.min(exposed, epB);
}

/** What each rank did: its comm split, busy seconds and PP sends. */
export interface RankWork {
  comm: OpComm;
  busy: number;
  sends: number;
}

/**
 * Each rank's comm split, busy time and PP sends summed over its ops in order, and the table its ops' seconds are
 * read from: op g (that can run) takes `seconds[rowOf[g]]`. F, B, b and W depend on (kind, stage) alone, FB on its
 * two stages: each distinct one is evaluated once into a row, and each op reads its row (`opRows`, kept per
 * schedule). One pass over the ops adds every column of its row, each in its own sum, each rank's ops in order (so
 * every sum is the same as adding op by op; a column that is zero in every row sums to 0 as 0 + ±0 = 0).
 */
export function opRowsAndWork(table: OpTable, S: number, ops: StagedOps): { rowOf: Int32Array; seconds: Float64Array; perRank: RankWork[] } {
  const { first } = ops;
  const { rowOf, extra, sends } = opRows(ops, S, table.combined);
  const count = 4 * S + extra.length / 3;
  const rows = new Float64Array(count * OUT);
  for (let row = 0; row < count; row++) {
    const out = rows.subarray(row * OUT, (row + 1) * OUT);
    const at = 3 * (row - 4 * S);
    if (row < 4 * S) evaluate(table, Math.floor(row / S), row % S, row % S, out);
    else if (extra[at] === COMBINED_F) combinedPair(table, extra[at + 1], extra[at + 2], out, rows.subarray((row + 1) * OUT, (row + 2) * OUT));
    else if (extra[at] !== COMBINED_B) evaluate(table, extra[at], extra[at + 1], extra[at + 2], out);
  }
  const seconds = new Float64Array(count);
  for (let row = 0; row < count; row++) seconds[row] = rows[row * OUT + SECONDS];
  const P = first.length - 1;
  const sums = new Float64Array(OUT);
  const perRank: RankWork[] = [];
  for (let rank = 0; rank < P; rank++) {
    sumRows(rows, rowOf, first[rank], first[rank + 1], sums);
    perRank.push({
      comm: { ep: sums[EP], epHidden: sums[EP_HIDDEN], tp: sums[TP], tpHidden: sums[TP_HIDDEN], cp: sums[CP], cpHidden: sums[CP_HIDDEN], ppBlocked: sums[PP_BLOCKED] },
      busy: sums[SECONDS],
      sends: sends[rank],
    });
  }
  return { rowOf, seconds, perRank };
}

/** Every column of the rows of ops from .. to−1, summed in op order into `sums` (a loop of its own: see replay.ts `replayLoop`). */
function sumRows(rows: Float64Array, rowOf: Int32Array, from: number, to: number, sums: Float64Array): void {
  let ep = 0;
  let epHidden = 0;
  let tp = 0;
  let tpHidden = 0;
  let cp = 0;
  let cpHidden = 0;
  let ppBlocked = 0;
  let busy = 0;
  for (let g = from; g < to; g++) {
    const row = rowOf[g];
    if (row < 0) continue;
    const at = row * OUT;
    ep += rows[at + EP];
    epHidden += rows[at + EP_HIDDEN];
    tp += rows[at + TP];
    tpHidden += rows[at + TP_HIDDEN];
    cp += rows[at + CP];
    cpHidden += rows[at + CP_HIDDEN];
    ppBlocked += rows[at + PP_BLOCKED];
    busy += rows[at + SECONDS];
  }
  sums[EP] = ep;
  sums[EP_HIDDEN] = epHidden;
  sums[TP] = tp;
  sums[TP_HIDDEN] = tpHidden;
  sums[CP] = cp;
  sums[CP_HIDDEN] = cpHidden;
  sums[PP_BLOCKED] = ppBlocked;
  sums[SECONDS] = busy;
}

/** `opRowsAndWork`, and every op's seconds into `seconds` (an op that cannot run keeps what it had). */
export function opSecondsAndWork(table: OpTable, S: number, ops: StagedOps, seconds: Float64Array): RankWork[] {
  const rows = opRowsAndWork(table, S, ops);
  const { rowOf } = rows;
  const perRow = rows.seconds;
  for (let g = 0; g < rowOf.length; g++) if (rowOf[g] >= 0) seconds[g] = perRow[rowOf[g]];
  return rows.perRank;
}

/** Rows of a combined 1F1B pair (`combinedPair`): its forward's, then its backward's, always next to each other. */
const COMBINED_F = -1;
const COMBINED_B = -2;

/**
 * Which row of the per-call table each op reads, and each rank's PP sends: from the ops' kinds and stages alone, and
 * whether forwards merge with the backward after them (combined 1F1B).
 */
interface OpRows {
  S: number;
  combined: boolean;
  /** Op g's row, −1 for an op that cannot run. Rows 0 .. 4S−1 are (kind, stage); the rest are `extra`'s. */
  rowOf: Int32Array;
  /**
   * (kind, stage, backward stage) of each row past 4S: FB pairs and combined pairs (COMBINED_F, COMBINED_B), each
   * once, and each op whose stage is outside the table.
   */
  extra: Int32Array;
  sends: Int32Array;
}

/** Kept with the ops (a generated schedule's are cached with its wiring), for the stage count and pairing they last ran with. */
const opRowsCache = new WeakMap<StagedOps, OpRows>();

function opRows(ops: StagedOps, S: number, combined: boolean): OpRows {
  const hit = opRowsCache.get(ops);
  if (hit && hit.S === S && hit.combined === combined) return hit;
  const { first, kind, stage, backStage, problem } = ops;
  const total = kind.length;
  const rowOf = new Int32Array(total);
  const extra: number[] = [];
  const pairs = new Map<number, number>();
  const merged = new Map<number, number>();
  for (let rank = 0; rank + 1 < first.length; rank++)
    for (let g = first[rank]; g < first[rank + 1]; g++) {
      const k = kind[g];
      const st = stage[g];
      const inTable = st >= 0 && st < S;
      const next = g + 1;
      if (problem[g] !== 0) rowOf[g] = -1;
      else if (combined && k === KIND_F && next < first[rank + 1] && kind[next] === KIND_B && problem[next] === 0 && inTable && stage[next] >= 0 && stage[next] < S) {
        // Combined 1F1B: this forward and the backward after it run merged, one row each.
        const key = st * S + stage[next];
        let row = merged.get(key);
        if (row === undefined) {
          row = 4 * S + extra.length / 3;
          extra.push(COMBINED_F, st, stage[next], COMBINED_B, st, stage[next]);
          merged.set(key, row);
        }
        rowOf[g] = row;
        rowOf[next] = row + 1;
        g = next;
      } else if (k !== KIND_FB && inTable) rowOf[g] = k * S + st;
      else {
        const b = backStage[g];
        const pair = k === KIND_FB && inTable && b >= 0 && b < S ? st * S + b : -1;
        let row = pair >= 0 ? pairs.get(pair) : undefined;
        if (row === undefined) {
          row = 4 * S + extra.length / 3;
          extra.push(k, st, b);
          if (pair >= 0) pairs.set(pair, row);
        }
        rowOf[g] = row;
      }
    }
  const sends = new Int32Array(first.length - 1);
  for (let rank = 0; rank + 1 < first.length; rank++)
    for (let g = first[rank]; g < first[rank + 1]; g++) if (problem[g] === 0 && kind[g] !== KIND_W) sends[rank] += kind[g] === KIND_FB ? 2 : 1;
  const rows: OpRows = { S, combined, rowOf, extra: Int32Array.from(extra), sends };
  opRowsCache.set(ops, rows);
  return rows;
}
