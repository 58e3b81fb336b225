/** A background simulation job and the messages that carry it to a worker and back (background.ts). */
import { SCHEDULE_KINDS, type ResolvedConfig, type ScheduleKind } from '../simulator/config';
import { findSchedule } from '../simulator/schedules/registry';
import { summarizeOutcome, type OutcomeSummary } from '../simulator/result';
import { simulate } from '../simulator/simulate';

export interface Job {
  /** The caller's name for the result. */
  id: string;
  config: ResolvedConfig;
  schedule?: ScheduleKind;
  /**
   * Which table the job fills, in the order the page shows them (0: the schedule comparison, 1: the ablation below
   * it): the lanes are balanced phase by phase, and each lane runs its earlier phases' jobs first. Default 0.
   */
  phase?: number;
}

/** Page → worker: run these jobs in order (replacing any not yet run). */
export interface RunMessage {
  type: 'run';
  batch: number;
  jobs: Job[];
}

/** Worker → page: one job's numbers. */
export interface ResultMessage {
  type: 'result';
  batch: number;
  id: string;
  outcome: OutcomeSummary;
}

/** A job's outcome as the page shows it, whatever thread ran it. */
export function runJob(job: Job): OutcomeSummary {
  try {
    // A row shows numbers only: no ops kept, the executor's buffers reused from job to job.
    return summarizeOutcome(simulate(job.config, { schedule: job.schedule, timeline: false }));
  } catch (e) {
    return { ok: false, code: 'preview/simulate-threw', reason: `The simulator failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * What a job costs, roughly: the ops its schedule executes (the spec's bound), twice for blocking exchanges (each
 * op also meets its neighbours). Only to balance the workers; 1 for a schedule the registry does not know or a
 * shape it refuses.
 */
export function jobCost(job: Job): number {
  const p = job.config.parallelism;
  const spec = findSchedule(job.schedule ?? p.schedule);
  if (!spec) return 1;
  const shape = { ranks: Math.max(1, p.pipeline), microBatches: Math.max(1, p.microBatches), virtualStages: spec.usesVirtualStages ? Math.max(1, p.virtualStages) : 1 };
  // A shape the schedule refuses fails before generating anything.
  if (spec.validate(shape)) return 1;
  const ops = spec.opBound(shape);
  const blocking = !p.overlapP2pComm && shape.ranks > 1 && spec.exchangeAt !== undefined;
  return Number.isFinite(ops) && ops > 0 ? ops * (blocking ? 2 : 1) : 1;
}

/**
 * The jobs split over `workers` lanes, each lane's jobs in the order given (earlier phases first): phase by phase (`Job.phase`), the
 * costliest first, each to the lane with the least work so far (ties: the schedule's place in the registry, then the
 * lower lane), so each phase's jobs finish together: the comparison's rows are not held back behind an ablation
 * variant another lane could have waited for. Deterministic: the same jobs land on the same lanes edit after edit, so
 * each worker's schedule, wiring and recorded runs (generating a 64 × 512 schedule costs more than executing it)
 * keep serving the same kinds.
 */
export function assignLanes(jobs: readonly Job[], workers: number): Job[][] {
  const lanes: Job[][] = Array.from({ length: Math.max(1, workers) }, () => []);
  const load = lanes.map(() => 0);
  const laneOf = new Map<Job, number>();
  const rank = (job: Job) => SCHEDULE_KINDS.indexOf(job.schedule ?? job.config.parallelism.schedule);
  const phase = (job: Job) => job.phase ?? 0;
  const byCost = jobs
    .map((job, i) => ({ job, i, cost: jobCost(job) }))
    .sort((a, b) => phase(a.job) - phase(b.job) || b.cost - a.cost || rank(a.job) - rank(b.job) || a.i - b.i);
  for (const { job, cost } of byCost) {
    let lane = 0;
    for (let l = 1; l < lanes.length; l++) if (load[l] < load[lane]) lane = l;
    load[lane] += cost;
    laneOf.set(job, lane);
  }
  // Each lane in the given order, earlier phases first (a stable sort).
  for (const job of [...jobs].sort((a, b) => phase(a) - phase(b))) lanes[laneOf.get(job) as number].push(job);
  return lanes;
}

function isJob(x: unknown): x is Job {
  const j = x as Partial<Job> | null;
  return typeof j === 'object' && j !== null && typeof j.id === 'string' && typeof j.config === 'object' && j.config !== null && (j.schedule === undefined || typeof j.schedule === 'string');
}

export function isRunMessage(x: unknown): x is RunMessage {
  const m = x as Partial<RunMessage> | null;
  return typeof m === 'object' && m !== null && m.type === 'run' && Number.isInteger(m.batch) && Array.isArray(m.jobs) && m.jobs.every(isJob);
}

export function isResultMessage(x: unknown): x is ResultMessage {
  const m = x as Partial<ResultMessage> | null;
  const o = m?.outcome as { ok?: unknown; result?: unknown; reason?: unknown } | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.type === 'result' &&
    Number.isInteger(m.batch) &&
    typeof m.id === 'string' &&
    typeof o === 'object' &&
    o !== null &&
    (o.ok === true ? typeof o.result === 'object' && o.result !== null : o.ok === false && typeof o.reason === 'string')
  );
}
