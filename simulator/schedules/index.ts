/** Pipeline schedules: validate a request, generate every rank's op order, name the stage each op computes. */
import { type OpColumns, orderOf } from './program';
import { findSchedule, scheduleSpec } from './registry';
import type { ScheduleProblem, ScheduleShape } from './spec';
import type { OpRef, Result, Schedule, ScheduleKind, ScheduleOp, ScheduleRequest } from './types';

export { findSchedule, registerSchedule, registeredSchedules, scheduleSpec } from './registry';
export type { ScheduleProblem, ScheduleShape, ScheduleSpec } from './spec';
export { formatOp, formatOrder, opLabel } from './notation';

/**
 * Most ops a schedule may have (all ranks together). Every loop the generators and the executor run is bounded by
 * the op count, so this caps their work and memory (~100 bytes per op): 2·10^6 ops is ~1-2 s and ~200 MB at worst.
 */
export const MAX_SCHEDULE_OPS = 2_000_000;

const isCount = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1;

/** The numbers a request's schedule is generated from. */
export function shapeOf(req: { ranks: number; microBatches: number; virtualStages?: number }): ScheduleShape {
  return { ranks: req.ranks, microBatches: req.microBatches, virtualStages: req.virtualStages ?? 1 };
}

/** Cheap checks (no generation) the language service runs on every keystroke. */
export function validateScheduleRequest(req: ScheduleRequest): ScheduleProblem | undefined {
  const P = req.ranks;
  const N = req.microBatches;
  if (!isCount(P)) return { code: 'schedule/invalid-ranks', reason: `pipeline ranks must be a positive integer, got ${P}` };
  if (!isCount(N)) return { code: 'schedule/invalid-micro-batches', reason: `micro-batches must be a positive integer, got ${N}` };
  const spec = findSchedule(req.kind);
  if (!spec) return { code: 'schedule/unknown-kind', reason: `unknown pipeline schedule '${String(req.kind)}'` };
  const shape = shapeOf(req);
  const problem = spec.validate(shape);
  if (problem) return problem;
  const ops = spec.opBound(shape);
  if (ops > MAX_SCHEDULE_OPS)
    return {
      code: 'schedule/too-large',
      reason: `${P} ranks × ${N} micro-batches makes up to ${ops} ops, above the ${MAX_SCHEDULE_OPS} the engine simulates`,
    };
  return undefined;
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
  if (problem) return { ok: false, code: problem.code, reason: problem.reason };
  const spec = scheduleSpec(req.kind);
  const shape = shapeOf(req);
  const schedule = {
    kind: req.kind,
    ranks: req.ranks,
    microBatches: req.microBatches,
    chunksPerRank: spec.lanesPerRank(shape),
    stages: spec.stageCount(shape),
  } as Schedule;
  Object.defineProperty(schedule, COLUMNS, { value: spec.generate(shape), writable: true });
  Object.defineProperty(schedule, ORDER, { value: undefined, writable: true });
  Object.defineProperty(schedule, 'order', orderAccessor);
  return { ok: true, value: schedule };
}

/** The model stage lane `lane` (DualPipe's direction, else the chunk or V leg) computes on `rank`. */
export function stageOfLane(kind: ScheduleKind, P: number, rank: number, lane: number): number {
  return scheduleSpec(kind).stageOfLane(P, rank, lane);
}

/** The model stage whose layers `ref` computes on `rank`. */
export function stageOf(schedule: Schedule, rank: number, ref: OpRef): number {
  const spec = scheduleSpec(schedule.kind);
  return spec.stageOfLane(schedule.ranks, rank, (spec.laneField === undefined ? undefined : ref[spec.laneField]) ?? 0);
}
