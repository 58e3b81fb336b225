/**
 * The host's side of the layout-search worker (extension/searchWorker.ts): the messages both ways, and one search
 * run with cancellation. No `vscode` here, so the tests drive the real worker bundle.
 */
import { Worker } from 'node:worker_threads';
import type { SearchOptions, SearchResult } from '../language/service';
import { MAX_LAYOUT_POINTS, MAX_STRING, type LayoutPoint, type LayoutsMessage } from '../protocol/preview';
import type { PricedLayout } from '../simulator/search';

export interface SearchRequest {
  text: string;
  /** The document's file name, so the check reads its format as the editor does. */
  fileName?: string;
  options: Pick<SearchOptions, 'objective' | 'nodes' | 'gpus' | 'memoryHeadroom' | 'top' | 'maxSimulations'>;
}

export type WorkerReply =
  | { type: 'progress'; examined: number; total: number }
  | { type: 'done'; result: SearchResult }
  | { type: 'invalid'; diagnostics: { code: string; message: string; line: number }[] }
  | { type: 'failed'; message: string };

export type Outcome = { type: 'done'; result: SearchResult } | { type: 'invalid'; diagnostics: { code: string; message: string; line: number }[] } | { type: 'failed'; message: string } | { type: 'cancelled' };

/** What the host posts: one search per message, to a worker that may have answered searches before. */
export interface WorkerRequest {
  type: 'search';
  request: SearchRequest;
}

/**
 * A worker that answered a search is kept this long for the next one: it has compiled the schema and the search's
 * code (a fresh worker's first DeepSeek-V3 search costs about 1.5× the CPU time of its next). Idle, it is unref'd,
 * so it never keeps a process alive; a cancelled or failed search's worker is terminated, never reused.
 */
export const IDLE_WORKER_MS = 60_000;
let idle: { worker: Worker; script: string; timer: ReturnType<typeof setTimeout> } | undefined;

function takeWorker(script: string): Worker {
  if (idle && idle.script === script) {
    const { worker, timer } = idle;
    idle = undefined;
    clearTimeout(timer);
    worker.ref();
    return worker;
  }
  return new Worker(script);
}

function keepIdle(worker: Worker, script: string): void {
  worker.unref();
  if (idle) void idle.worker.terminate();
  const timer = setTimeout(() => {
    if (idle?.worker !== worker) return;
    idle = undefined;
    void worker.terminate();
  }, IDLE_WORKER_MS);
  timer.unref?.();
  idle = { worker, script, timer };
  // An idle worker that dies is simply not reused.
  worker.once('exit', () => {
    if (idle?.worker === worker) {
      clearTimeout(idle.timer);
      idle = undefined;
    }
  });
}

/** Terminates the idle worker, if any (the extension's deactivate). */
export function disposeSearchWorkers(): void {
  if (!idle) return;
  clearTimeout(idle.timer);
  void idle.worker.terminate();
  idle = undefined;
}

/** Runs one search in a worker (the idle one when there is one); `cancel` terminates it. Never rejects. */
export function searchInWorker(script: string, request: SearchRequest, onProgress: (examined: number, total: number) => void): { done: Promise<Outcome>; cancel: () => void; threadId?: number } {
  let worker: Worker | undefined;
  let settle: (o: Outcome) => void = () => undefined;
  const onMessage = (m: WorkerReply) => {
    if (m.type === 'progress') onProgress(m.examined, m.total);
    else settle(m);
  };
  const onError = (e: Error) => settle({ type: 'failed', message: e.message });
  const onExit = () => settle({ type: 'failed', message: 'the search worker stopped without an answer' });
  const done = new Promise<Outcome>((resolve) => {
    let settled = false;
    settle = (o) => {
      if (settled) return;
      settled = true;
      resolve(o);
      if (!worker) return;
      // Only this search's listeners go (Worker keeps its own, which ref its port as message listeners come and go).
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      // A worker that answered is reusable; one cancelled mid-search or broken is not.
      if ((o.type === 'done' || o.type === 'invalid') && worker.threadId >= 0) keepIdle(worker, script);
      else void worker.terminate();
    };
    try {
      worker = takeWorker(script);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ type: 'search', request } satisfies WorkerRequest);
    } catch (e) {
      settle({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  });
  return { done, cancel: () => settle({ type: 'cancelled' }), threadId: worker?.threadId };
}

const point = (p: PricedLayout): LayoutPoint => ({ changes: p.changes, gpuHours: p.gpuHours, days: p.days, peakGiB: p.peakGiB, fits: p.fits });

/** What the preview is told of a finished search (undefined when it was cancelled: nothing to say). */
export function layoutsMessage(uri: string, version: number, outcome: Outcome): LayoutsMessage | undefined {
  switch (outcome.type) {
    case 'cancelled':
      return { type: 'layouts', uri, version, state: 'failed', message: 'Search cancelled.' };
    case 'failed':
      return { type: 'layouts', uri, version, state: 'failed', message: `The search failed: ${outcome.message}`.slice(0, MAX_STRING) };
    case 'invalid':
      return { type: 'layouts', uri, version, state: 'failed', message: `Fix the config's errors first: line ${outcome.diagnostics[0].line + 1}: ${outcome.diagnostics[0].message}`.slice(0, MAX_STRING) };
    case 'done': {
      const r = outcome.result;
      const summary =
        `${r.candidates.toLocaleString('en-US')} layouts: ${r.rejected.toLocaleString('en-US')} rejected by rules, ${r.overMemory.toLocaleString('en-US')} over memory, ` +
        `${r.pruned.toLocaleString('en-US')} beaten on every bound, ${r.simulated.toLocaleString('en-US')} simulated${r.incomplete ? `. ${r.incomplete}` : ''}`;
      const hbmGiB = r.hbmGiB;
      return {
        type: 'layouts',
        uri,
        version,
        state: 'done',
        result: { objective: r.objective, current: r.current && point(r.current), frontier: r.frontier.slice(0, MAX_LAYOUT_POINTS).map(point), top: r.top.slice(0, MAX_LAYOUT_POINTS).map(point), hbmGiB, summary: summary.slice(0, MAX_STRING) },
        message: r.nothingAdmitted?.slice(0, MAX_STRING),
      };
    }
  }
}
