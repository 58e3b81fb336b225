/** A background simulation job and the messages that carry it to a worker and back (background.ts). */
import type { ResolvedConfig, ScheduleKind } from '../simulator/config';
import { summarizeOutcome, type OutcomeSummary } from '../simulator/result';
import { simulate } from '../simulator/simulate';

export interface Job {
  /** The caller's name for the result. */
  id: string;
  config: ResolvedConfig;
  schedule?: ScheduleKind;
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
    return summarizeOutcome(simulate(job.config, job.schedule ? { schedule: job.schedule } : {}));
  } catch (e) {
    return { ok: false, code: 'preview/simulate-threw', reason: `The simulator failed: ${e instanceof Error ? e.message : String(e)}` };
  }
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
