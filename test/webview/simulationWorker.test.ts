/**
 * The preview's simulation worker, bundled as the build bundles it and run in a bare context (a `self` with
 * onmessage/postMessage, as a dedicated worker has): its rows must be the numbers the page would compute itself.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { summarizeOutcome } from '../../simulator/result';
import { simulate } from '../../simulator/simulate';
import { assignLanes, isResultMessage, isRunMessage, jobCost, type Job, type ResultMessage, type RunMessage } from '../../webview/jobs';
import { repoRoot } from '../support/generate';
import { sampleConfig } from './fixtures';

/** Its channels, closed after each test (an open port keeps Node running). */
const channels: MessageChannel[] = [];
class TrackedChannel extends MessageChannel {
  constructor() {
    super();
    channels.push(this);
  }
}
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

function startWorker(): { self: { onmessage?: (e: { data: unknown }) => void }; posted: ResultMessage[] } {
  const out = buildSync({ entryPoints: [`${repoRoot()}/webview/simulationWorker.ts`], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
  const posted: ResultMessage[] = [];
  const self: { onmessage?: (e: { data: unknown }) => void; postMessage: (m: ResultMessage) => void } = { postMessage: (m) => posted.push(m) };
  runInNewContext(out.outputFiles[0].text, { self, MessageChannel: TrackedChannel, console });
  return { self, posted };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test("the worker's rows are the page's own numbers, for every schedule, and only the latest batch's", async () => {
  const { self, posted } = startWorker();
  const config = sampleConfig();
  const jobs = SCHEDULE_KINDS.map((schedule) => ({ id: `compare:${schedule}`, config, schedule }));
  const run: RunMessage = { type: 'run', batch: 1, jobs };
  assert.ok(isRunMessage(run));
  self.onmessage?.({ data: run });
  // A newer batch before the first finished: what is left of batch 1 is dropped.
  self.onmessage?.({ data: { type: 'run', batch: 2, jobs: jobs.slice(0, 3) } });
  for (let i = 0; i < 100 && posted.filter((m) => m.batch === 2).length < 3; i++) await settle();
  assert.ok(posted.every(isResultMessage));
  assert.ok(posted.filter((m) => m.batch === 1).length <= 1, 'at most the job already running finishes for batch 1');
  const latest = posted.filter((m) => m.batch === 2);
  assert.deepEqual(latest.map((m) => m.id), jobs.slice(0, 3).map((j) => j.id));
  for (const m of latest) {
    const schedule = m.id.slice('compare:'.length) as (typeof SCHEDULE_KINDS)[number];
    // Compared as JSON: the worker's objects come from another realm (another Object.prototype).
    assert.deepEqual(JSON.parse(JSON.stringify(m.outcome)), summarizeOutcome(simulate(config, { schedule })), m.id);
  }
});

test('malformed messages are ignored by the worker and by the page', async () => {
  const { self, posted } = startWorker();
  for (const data of [null, 3, { type: 'run' }, { type: 'run', batch: 1, jobs: [{ id: 1 }] }, { type: 'result' }]) self.onmessage?.({ data });
  await settle();
  assert.equal(posted.length, 0);
  assert.equal(isResultMessage({ type: 'result', batch: 1, id: 'x', outcome: { ok: true } }), false);
  assert.equal(isResultMessage({ type: 'result', batch: 1, id: 'x', outcome: { ok: false, code: 'c', reason: 'r' } }), true);
});

test('the jobs are split over the workers by cost: each job once, in its order within a lane, the same split every time', () => {
  const config = sampleConfig();
  const big = { ...config, parallelism: { ...config.parallelism, schedule: '1f1b' as const, pipeline: 16, microBatches: 256 } };
  const jobs: Job[] = [
    ...SCHEDULE_KINDS.map((schedule) => ({ id: `compare:${schedule}`, config: big, schedule })),
    { id: 'ablation:0', config: { ...big, parallelism: { ...big.parallelism, overlapP2pComm: false } } },
  ];
  const lanes = assignLanes(jobs, 2);
  assert.equal(lanes.length, 2);
  assert.deepEqual(lanes.flat().map((j) => j.id).sort(), jobs.map((j) => j.id).sort());
  for (const lane of lanes) assert.deepEqual(lane, jobs.filter((j) => lane.includes(j)), 'a lane keeps the given order');
  assert.deepEqual(assignLanes(jobs, 2), lanes);
  // Greedy by cost: the lanes' loads differ by at most the largest job.
  const load = lanes.map((lane) => lane.reduce((a, j) => a + jobCost(j), 0));
  assert.ok(Math.abs(load[0] - load[1]) <= Math.max(...jobs.map(jobCost)), JSON.stringify(load));
  // Costs follow the ops: zbv (6 per micro-batch and rank) over 1F1B (2), blocking exchanges twice over.
  assert.equal(jobCost(jobs[SCHEDULE_KINDS.indexOf('zbv')]), 3 * jobCost(jobs[SCHEDULE_KINDS.indexOf('1f1b')]));
  assert.equal(jobCost(jobs[jobs.length - 1]), 2 * jobCost(jobs[SCHEDULE_KINDS.indexOf('1f1b')]));
  assert.deepEqual(assignLanes(jobs, 1), [jobs]);
});

test('the lanes are balanced phase by phase: the comparison rows first, the ablation variants on top, each lane running its phase 0 first', () => {
  const config = sampleConfig();
  const big = { ...config, parallelism: { ...config.parallelism, schedule: '1f1b' as const, pipeline: 16, microBatches: 256 } };
  const compare: Job[] = SCHEDULE_KINDS.map((schedule) => ({ id: `compare:${schedule}`, config: big, schedule }));
  // A costly phase-1 job (blocking exchanges: twice the 1F1B ops), listed first to show the phase, not the list, decides.
  const ablation: Job = { id: 'ablation:0', config: { ...big, parallelism: { ...big.parallelism, overlapP2pComm: false } }, phase: 1 };
  const lanes = assignLanes([ablation, ...compare], 2);
  assert.deepEqual(lanes.flat().map((j) => j.id).sort(), [ablation, ...compare].map((j) => j.id).sort());
  for (const lane of lanes) {
    const phases = lane.map((j) => j.phase ?? 0);
    assert.deepEqual(phases, [...phases].sort(), 'a lane runs its phase 0 jobs first');
  }
  // The comparison alone is split as if there were no ablation: within the largest of its jobs.
  const load = lanes.map((lane) => lane.filter((j) => (j.phase ?? 0) === 0).reduce((a, j) => a + jobCost(j), 0));
  assert.ok(Math.abs(load[0] - load[1]) <= Math.max(...compare.map(jobCost)), JSON.stringify(load));
  assert.deepEqual(lanes.map((lane) => lane.filter((j) => j !== ablation)), assignLanes(compare, 2));
  // Without phases the ablation's cost would have been balanced against the comparison's rows.
  const unphased = assignLanes([{ ...ablation, phase: undefined }, ...compare], 2);
  assert.notDeepEqual(unphased.map((lane) => lane.map((j) => j.id)), lanes.map((lane) => lane.map((j) => j.id)));
});

test('a shape the schedule refuses costs 1: it fails before generating anything', () => {
  const config = sampleConfig();
  const odd = { ...config, parallelism: { ...config.parallelism, pipeline: 35, microBatches: 280 } };
  const even = { ...odd, parallelism: { ...odd.parallelism, pipeline: 34 } };
  assert.equal(jobCost({ id: 'x', config: odd, schedule: 'dualpipe' }), 1);
  assert.ok(jobCost({ id: 'x', config: even, schedule: 'dualpipe' }) > 1000);
  assert.ok(jobCost({ id: 'x', config: odd, schedule: '1f1b' }) > 1000);
});
