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

/** Runs one search in a worker; `cancel` terminates it. Never rejects. */
export function searchInWorker(script: string, request: SearchRequest, onProgress: (examined: number, total: number) => void): { done: Promise<Outcome>; cancel: () => void } {
  let worker: Worker | undefined;
  let settle: (o: Outcome) => void = () => undefined;
  const done = new Promise<Outcome>((resolve) => {
    let settled = false;
    settle = (o) => {
      if (settled) return;
      settled = true;
      resolve(o);
      void worker?.terminate();
    };
    try {
      worker = new Worker(script, { workerData: request });
    } catch (e) {
      settle({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
      return;
    }
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'progress') onProgress(m.examined, m.total);
      else settle(m);
    });
    worker.on('error', (e) => settle({ type: 'failed', message: e.message }));
    worker.on('exit', () => settle({ type: 'failed', message: 'the search worker stopped without an answer' }));
  });
  return { done, cancel: () => settle({ type: 'cancelled' }) };
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
