/** Pipeline schedules: validate a request, generate every rank's op order, name the stage each op computes. */
import { dualPipe } from './dualpipe';
import { dualPipeV } from './dualpipev';
import { gpipe } from './gpipe';
import { interleaved1F1B } from './interleaved';
import { oneFOneB } from './one-f-one-b';
import { type OpColumns, orderOf } from './program';
import type { OpRef, Result, Schedule, ScheduleKind, ScheduleOp, ScheduleRequest } from './types';
import { zbH1, zbH2 } from './zero-bubble';
import { zbV } from './zbv';

/**
 * Most ops a schedule may have (all ranks together). Every loop the generators and the executor run is bounded by
 * the op count, so this caps their work and memory (~100 bytes per op): 2·10^6 ops is ~1-2 s and ~200 MB at worst.
 */
export const MAX_SCHEDULE_OPS = 2_000_000;

/** Chunks each rank holds: v for interleaved, two legs for the V schedules and DualPipe, else one. */
function chunksPerRank(req: ScheduleRequest): number {
  switch (req.kind) {
    case 'interleaved-1f1b':
      return req.virtualStages ?? 1;
    case 'zbv':
    case 'dualpipe':
    case 'dualpipev':
      return 2;
    default:
      return 1;
  }
}

/** Upper bound on the op count, computed before generating: per chunk and micro-batch at most F, b and W. */
function opBound(req: ScheduleRequest): number {
  // DualPipe: N forwards and N backwards per rank (N counts both directions), plus at most P deferred Ws.
  if (req.kind === 'dualpipe') return req.ranks * (2 * req.microBatches + req.ranks);
  const split = req.kind === 'zb-h1' || req.kind === 'zb-h2' || req.kind === 'zbv' || req.kind === 'dualpipev';
  return req.ranks * req.microBatches * chunksPerRank(req) * (split ? 3 : 2);
}

const isCount = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1;

/** Cheap checks (no generation) the language service runs on every keystroke. */
export function validateScheduleRequest(req: ScheduleRequest): { code: string; reason: string } | undefined {
  const P = req.ranks;
  const N = req.microBatches;
  if (!isCount(P)) return { code: 'schedule/invalid-ranks', reason: `pipeline ranks must be a positive integer, got ${P}` };
  if (!isCount(N)) return { code: 'schedule/invalid-micro-batches', reason: `micro-batches must be a positive integer, got ${N}` };
  switch (req.kind) {
    case 'gpipe':
    case '1f1b':
    case 'zb-h1':
    case 'zb-h2':
      break;
    case 'interleaved-1f1b': {
      const v = req.virtualStages ?? 1;
      if (!isCount(v))
        return { code: 'schedule/invalid-virtual-stages', reason: `virtual stages per rank must be a positive integer, got ${v}` };
      if (N % P !== 0)
        return {
          code: 'schedule/interleaved-micro-batches',
          reason: `interleaved 1F1B needs micro-batches to be a multiple of pipeline ranks (Megatron-LM): ${N} is not a multiple of ${P}`,
        };
      break;
    }
    case 'dualpipe':
    case 'dualpipev':
    case 'zbv': {
      const name = { dualpipe: 'DualPipe', dualpipev: 'DualPipeV', zbv: 'ZB-V' }[req.kind];
      if (req.kind === 'dualpipe' && P % 2 !== 0)
        return { code: 'schedule/dualpipe-odd-ranks', reason: `DualPipe needs an even number of pipeline ranks, got ${P}` };
      if (req.kind === 'dualpipe' && N % 2 !== 0)
        return {
          code: 'schedule/dualpipe-odd-micro-batches',
          reason: `DualPipe splits micro-batches evenly between its two directions, so their number must be even, got ${N}`,
        };
      if (N < 2 * P)
        return {
          code: 'schedule/too-few-micro-batches',
          reason: `${name} needs at least 2 × ${P} ranks = ${2 * P} micro-batches, got ${N}`,
        };
      break;
    }
    default:
      return { code: 'schedule/unknown-kind', reason: `unknown pipeline schedule '${String(req.kind)}'` };
  }
  const ops = opBound(req);
  if (ops > MAX_SCHEDULE_OPS)
    return {
      code: 'schedule/too-large',
      reason: `${P} ranks × ${N} micro-batches makes up to ${ops} ops, above the ${MAX_SCHEDULE_OPS} the engine simulates`,
    };
  return undefined;
}

function generateOrder(req: ScheduleRequest): OpColumns {
  const P = req.ranks;
  const N = req.microBatches;
  switch (req.kind) {
    case 'gpipe':
      return gpipe(P, N);
    case '1f1b':
      return oneFOneB(P, N);
    case 'interleaved-1f1b':
      return interleaved1F1B(P, N, req.virtualStages ?? 1);
    case 'zb-h1':
      return zbH1(P, N);
    case 'zb-h2':
      return zbH2(P, N);
    case 'zbv':
      return zbV(P, N);
    case 'dualpipe':
      return dualPipe(P, N);
    case 'dualpipev':
      return dualPipeV(P, N);
  }
}

/** Model stages the layers are split into. */
function stageCount(kind: ScheduleKind, ranks: number, chunks: number): number {
  return kind === 'dualpipe' ? ranks : ranks * chunks;
}

// A generated schedule keeps its columns and its lazily built `order` under these keys: non-enumerable, so spreads,
// JSON and deepEqual see only the Schedule fields. The accessor functions are shared, so every generated schedule
// has the same hidden class (a per-object getter closure would give each its own).
const COLUMNS = Symbol('columns');
const ORDER = Symbol('order');
interface Generated {
  [COLUMNS]?: OpColumns;
  [ORDER]?: ScheduleOp[][];
}

const orderAccessor: PropertyDescriptor & ThisType<Schedule & Generated> = {
  enumerable: true,
  configurable: true,
  get() {
    return (this[ORDER] ??= orderOf(this[COLUMNS] as OpColumns));
  },
  // Replacing the order makes it the only truth.
  set(value: ScheduleOp[][]) {
    this[ORDER] = value;
    this[COLUMNS] = undefined;
  },
};

/**
 * The compact form of a schedule `generateSchedule` returned: the executor reads these instead of `order`. Undefined
 * for a schedule built by hand or copied (`{ ...schedule, order }`), whose `order` is then the only truth.
 */
export function scheduleColumns(schedule: Schedule): OpColumns | undefined {
  return (schedule as Schedule & Generated)[COLUMNS];
}

/**
 * Every rank's op order. Never throws: an invalid request comes back as {ok:false, code, reason}.
 *
 * The ops are generated as typed columns; `order` (one object per op) is built from them on first read and cached,
 * so generating and executing 10^6 ops allocates no object per op. A generated schedule is immutable data.
 */
export function generateSchedule(req: ScheduleRequest): Result<Schedule> {
  const problem = validateScheduleRequest(req);
  if (problem) return { ok: false, ...problem };
  const chunks = chunksPerRank(req);
  const schedule = {
    kind: req.kind,
    ranks: req.ranks,
    microBatches: req.microBatches,
    chunksPerRank: chunks,
    stages: stageCount(req.kind, req.ranks, chunks),
  } as Schedule;
  Object.defineProperty(schedule, COLUMNS, { value: generateOrder(req), writable: true });
  Object.defineProperty(schedule, ORDER, { value: undefined, writable: true });
  Object.defineProperty(schedule, 'order', orderAccessor);
  return { ok: true, value: schedule };
}

/** The model stage lane `lane` (DualPipe's direction, else the chunk or V leg) computes on `rank`. */
export function stageOfLane(kind: ScheduleKind, P: number, rank: number, lane: number): number {
  switch (kind) {
    case 'interleaved-1f1b':
      return lane * P + rank;
    case 'zbv':
    case 'dualpipev':
      return lane === 1 ? 2 * P - 1 - rank : rank;
    case 'dualpipe':
      return lane === 1 ? P - 1 - rank : rank;
    default:
      return rank;
  }
}

/** The model stage whose layers `ref` computes on `rank`. */
export function stageOf(schedule: Schedule, rank: number, ref: OpRef): number {
  return stageOfLane(schedule.kind, schedule.ranks, rank, (schedule.kind === 'dualpipe' ? ref.direction : ref.chunk) ?? 0);
}

/**
 * Op notation: F, B, W and F&B as in the DualPipe README (https://github.com/deepseek-ai/DualPipe), b for an
 * input-only backward (Zero Bubble's B, arXiv 2401.10241); then direction / chunk / leg when the schedule has more
 * than one, then the micro-batch: `F0.3`, `(F0.3&B1.1)`.
 */
export function formatOp(op: ScheduleOp): string {
  const name = (kind: string, ref: OpRef) => {
    const lane = ref.direction ?? ref.chunk;
    return lane === undefined ? `${kind}${ref.microBatch}` : `${kind}${lane}.${ref.microBatch}`;
  };
  return op.kind === 'FB' && op.backward ? `(${name('F', op)}&${name('B', op.backward)})` : name(op.kind, op);
}

/** One line per rank, e.g. "F0.0 b1.0 W1.0 (F0.3&B1.1) …". */
export function formatOrder(schedule: Schedule): string[] {
  return schedule.order.map((ops) => ops.map(formatOp).join(' '));
}
