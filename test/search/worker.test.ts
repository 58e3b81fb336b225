/** The layout search in its worker thread (the built dist/searchWorker.js): an answer, and cancellation. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { disposeSearchWorkers, searchInWorker } from '../../extension/layoutSearchMessages';
import { repoRoot } from '../support/generate';

const script = join(repoRoot(), 'dist', 'searchWorker.js');
const llama = readFileSync(join(repoRoot(), 'examples', 'llama3-405b.train.yaml'), 'utf8');

test('the worker answers with the search result, off the calling thread', async () => {
  assert.ok(existsSync(script), 'dist/searchWorker.js not built (npm run build)');
  let progress = 0;
  const run = searchInWorker(script, { text: llama, options: { maxSimulations: 20, top: 2 } }, () => progress++);
  const outcome = await run.done;
  assert.equal(outcome.type, 'done', JSON.stringify(outcome).slice(0, 300));
  if (outcome.type !== 'done') return;
  assert.ok(outcome.result.top.length > 0 && outcome.result.simulated > 0);
  assert.ok(outcome.result.top.every((p) => p.config === undefined), 'configs stay in the worker');
});

test('a config with errors comes back as its errors; cancelling ends the worker at once', async () => {
  const bad = await searchInWorker(script, { text: llama.replace('tensor: 8', 'tensor: 7'), options: {} }, () => undefined).done;
  assert.equal(bad.type, 'invalid');
  const run = searchInWorker(script, { text: llama, options: {} }, () => undefined);
  run.cancel();
  assert.equal((await run.done).type, 'cancelled');
});

test('a worker that answered is reused for the next search; a cancelled one is not', async () => {
  const first = searchInWorker(script, { text: llama, options: { maxSimulations: 5, top: 1 } }, () => undefined);
  assert.equal((await first.done).type, 'done');
  const second = searchInWorker(script, { text: llama, options: { maxSimulations: 5, top: 1 } }, () => undefined);
  assert.equal(second.threadId, first.threadId, 'the idle worker answers the next search');
  const outcome = await second.done;
  assert.equal(outcome.type, 'done');
  assert.ok(outcome.type === 'done' && outcome.result.top.length === 1);
  const third = searchInWorker(script, { text: llama, options: {} }, () => undefined);
  assert.equal(third.threadId, first.threadId);
  third.cancel();
  assert.equal((await third.done).type, 'cancelled');
  const fourth = searchInWorker(script, { text: llama, options: { maxSimulations: 5, top: 1 } }, () => undefined);
  assert.notEqual(fourth.threadId, first.threadId, 'a cancelled worker is terminated');
  assert.equal((await fourth.done).type, 'done');
  disposeSearchWorkers();
});
