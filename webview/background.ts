/**
 * Simulations the preview shows after the timeline (the schedule comparison, the ablation) run off the page's thread,
 * in dedicated workers started from the bundled worker source (webview/simulationWorker.ts, built into this bundle
 * as a string: a webview can start a worker only from a blob: URL, which its CSP allows with `worker-src blob:`).
 * With more cores than workers they start on a new config at once, beside the page's own simulate and draw; with
 * as many or fewer (this project's 2-core machine) once the update is painted, so they never slow the paint (until
 * then they drop what is left of the older batch). Either way the comparison's schedules run side by side instead
 * of one after another on the page, and typing never waits on them.
 *
 * Tried and dropped: every worker given the whole batch, skipping what a peer announced it had started (claims over
 * a MessageChannel between the workers). In Chromium a claim often reached the peer only after it had started the
 * same job, so about one job per update ran twice (DualPipe, ZB-H1 or the ablation row), ≈ 10 ms more renderer CPU;
 * and starting one of the two before the paint on 2 cores made the page's own work before the paint take 43–54 ms
 * instead of 18–26 at load 8–13, the paint 60–70 ms later, for no reliable gain in the rows.
 *
 * Where no worker can start (no Worker, a CSP without blob:, a worker that fails), the same jobs run on the page,
 * one per task after the paint, as before. A newer batch replaces an older one: its results are dropped.
 */
import type { OutcomeSummary } from '../simulator/result';
import { assignLanes, isResultMessage, runJob, type Job, type RunMessage } from './jobs';
import { afterPaintThen } from './paint';

export type { Job };

export class BackgroundSimulations {
  private readonly workers: Worker[] = [];
  private batch = 0;
  private onResult?: (id: string, outcome: OutcomeSummary, inWorker: boolean) => void;
  private pending = new Set<string>();
  private lastJobs: Job[] = [];
  private cancelPage?: () => void;
  /** Whether the workers would take cores from the page's own update (start them after its paint). */
  private readonly deferred: boolean;

  /** `source`: the worker's bundled script, or undefined to run everything on the page. */
  constructor(source: string | undefined, count: number) {
    const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
    this.deferred = cores <= count;
    if (!source || typeof Worker === 'undefined' || typeof Blob === 'undefined') return;
    let url: string | undefined;
    try {
      url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      for (let i = 0; i < count; i++) {
        const worker = new Worker(url, { name: `tcs-simulations-${i}` });
        worker.onmessage = (e: MessageEvent<unknown>) => this.received(e.data);
        // Refused by the CSP or failed to load: the page runs what was sent and everything after.
        worker.onerror = (e) => {
          e.preventDefault();
          this.fallBack();
        };
        this.workers.push(worker);
      }
    } catch {
      this.fallBack();
    }
  }

  /** Whether some job of the current batch has not reported yet. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Whether jobs go to workers (else they run on the page after the paint). */
  get inWorkers(): boolean {
    return this.workers.length > 0;
  }

  /**
   * Runs `jobs` (dropping any earlier batch) and calls `onResult` for each as it finishes, in any order. On the
   * page, the first job starts after the current update is painted.
   */
  run(jobs: Job[], onResult: (id: string, outcome: OutcomeSummary, inWorker: boolean) => void): void {
    const batch = ++this.batch;
    this.cancelPage?.();
    this.cancelPage = undefined;
    this.onResult = onResult;
    this.pending = new Set(jobs.map((j) => j.id));
    this.lastJobs = jobs;
    if (this.workers.length > 0) {
      const lanes = assignLanes(jobs, this.workers.length);
      const post = () => this.workers.forEach((w, i) => w.postMessage({ type: 'run', batch, jobs: lanes[i] } satisfies RunMessage));
      if (!this.deferred) return post();
      // Until the paint, the workers stop the older batch after the job they are running (its results are dropped).
      // They start one task after the paint (afterPaintThen): this run is asked for before the update's "painted"
      // report is queued, so with afterPaint its posts (structured clones of every job's config) and the two
      // workers waking on two cores came first and held the report back.
      for (const w of this.workers) w.postMessage({ type: 'run', batch, jobs: [] } satisfies RunMessage);
      this.cancelPage = afterPaintThen(() => {
        this.cancelPage = undefined;
        if (batch === this.batch) post();
      });
      return;
    }
    this.runOnPage(batch, jobs);
  }

  /** Drops the current batch: no more results are reported for it. */
  cancel(): void {
    this.batch++;
    this.cancelPage?.();
    this.cancelPage = undefined;
    this.pending.clear();
    for (const w of this.workers) w.postMessage({ type: 'run', batch: this.batch, jobs: [] } satisfies RunMessage);
  }

  private received(m: unknown): void {
    if (!isResultMessage(m) || m.batch !== this.batch || !this.pending.delete(m.id)) return;
    this.onResult?.(m.id, m.outcome, true);
  }

  private runOnPage(batch: number, jobs: Job[]): void {
    const step = (i: number) => {
      if (batch !== this.batch || i >= jobs.length) return;
      const job = jobs[i];
      if (this.pending.delete(job.id)) this.onResult?.(job.id, runJob(job), false);
      this.cancelPage = afterTask(() => step(i + 1));
    };
    this.cancelPage = afterPaintThen(() => step(0));
  }

  /** A worker failed: stop using workers and run what is still pending on the page. */
  private fallBack(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    const left = this.lastJobs.filter((j) => this.pending.has(j.id));
    if (left.length > 0) this.runOnPage(this.batch, left);
  }
}

/** The next task, without the 4 ms clamp nested timers get. */
function afterTask(work: () => void): () => void {
  const channel = new MessageChannel();
  let cancelled = false;
  channel.port1.onmessage = () => {
    channel.port1.close();
    if (!cancelled) work();
  };
  channel.port2.postMessage(0);
  return () => {
    cancelled = true;
    channel.port1.close();
  };
}
