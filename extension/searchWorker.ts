/**
 * The layout search, in a worker thread of the extension host: a search prices hundreds of layouts (seconds), and
 * the host's thread is the one every keystroke's check, hover and edit goes through. The host posts the text and
 * the options; the worker answers with progress, then the result (or the check's errors), and waits for the next
 * search (the host keeps an answered worker idle for a while, unref'd). The host cancels by terminating it: the
 * search is pure, so nothing is left half-done.
 *
 * Why a Node worker in the host and not a Web Worker in the webview: the final validity check is the language
 * service's whole check (schema and rules), whose schema validator compiles with `new Function` — which the
 * webview's CSP forbids — and the host is where the document text and the undoable edit live. A worker thread
 * keeps both the host's keystroke path and the webview's paint free.
 */
import { parentPort } from 'node:worker_threads';
import { findLayouts } from '../language/service';
import type { SearchRequest, WorkerReply, WorkerRequest } from './layoutSearchMessages';

const post = (m: WorkerReply) => parentPort?.postMessage(m);

/** One search, answered with progress, then the result or the check's errors. */
function answer(request: SearchRequest): void {
  try {
    let last = 0;
    const found = findLayouts(request.text, {
      ...request.options,
      progress: (examined, total) => {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        post({ type: 'progress', examined, total });
      },
    }, { fileName: request.fileName });
    // Resolved configs stay here: the host needs the keys each layout changes and its numbers.
    const strip = <T extends { config?: unknown }>(p: T) => ({ ...p, config: undefined });
    if (!found.ok) post({ type: 'invalid', diagnostics: found.diagnostics.map((d) => ({ code: d.code, message: d.message, line: d.range.start.line })) });
    else post({ type: 'done', result: { ...found.result, frontier: found.result.frontier.map(strip), top: found.result.top.map(strip), current: found.result.current && strip(found.result.current), all: undefined } });
  } catch (e) {
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

// The host may send further searches to this worker once it has answered one (layoutSearchMessages.ts).
parentPort?.on('message', (m: WorkerRequest) => {
  if (m?.type === 'search') answer(m.request);
});
