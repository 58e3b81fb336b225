/**
 * The preview's simulation worker (background.ts): runs the page's latest batch of jobs one per task, so a newer
 * batch, arriving between two jobs, replaces the rest of an older one. Posts each job's numbers, never a timeline.
 */
import { isRunMessage, runJob, type Job, type ResultMessage } from './jobs';

const scope = self as unknown as { onmessage: ((e: MessageEvent<unknown>) => void) | null; postMessage(m: ResultMessage): void };
let batch = 0;
let queue: Job[] = [];
let scheduled = false;
// Yields between jobs through a message channel: nested timers are clamped to 4 ms.
const channel = new MessageChannel();

channel.port1.onmessage = () => {
  scheduled = false;
  const job = queue.shift();
  if (!job) return;
  scope.postMessage({ type: 'result', batch, id: job.id, outcome: runJob(job) });
  next();
};

function next(): void {
  if (scheduled || queue.length === 0) return;
  scheduled = true;
  channel.port2.postMessage(0);
}

scope.onmessage = (e) => {
  const m = e.data;
  if (!isRunMessage(m)) return;
  batch = m.batch;
  queue = m.jobs.slice();
  next();
};
