import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { isHostMessage, isResolvedConfig, isWebviewMessage, MAX_ERRORS } from '../../protocol/preview';
import { sampleConfig } from './fixtures';

const update = () => ({ type: 'update', uri: 'file:///w/a.train.yaml', version: 3, sentAt: 1_795_000_000_000, config: sampleConfig(), errors: [] });

test('an update with a well-formed resolved config is accepted', () => {
  assert.equal(isHostMessage(update()), true);
  assert.equal(isResolvedConfig(sampleConfig()), true);
});

test('an invalid message with errors is accepted', () => {
  assert.equal(isHostMessage({ type: 'invalid', uri: 'file:///a', version: 0, sentAt: 5, errors: [{ message: 'bad', line: 4 }, { message: 'doc', line: -1 }] }), true);
});

test('host messages of unknown type, or not objects, are rejected', () => {
  for (const x of [null, undefined, 0, 'update', [], [update()], { type: 'eval', code: '1' }, { ...update(), type: 'UPDATE' }]) {
    assert.equal(isHostMessage(x), false, JSON.stringify(x));
  }
});

test('an update with a malformed config is rejected', () => {
  const cases: ((c: any) => void)[] = [
    (c) => delete c.model,
    (c) => (c.model.layers = '61'),
    (c) => (c.model.layers = NaN),
    (c) => (c.model.hiddenSize = Infinity),
    (c) => (c.training.tokens = -1),
    (c) => (c.parallelism.schedule = 'fastest'),
    (c) => (c.parallelism.zeroStage = 4),
    (c) => (c.cluster.gpu = null),
    (c) => (c.cluster.pricePerGpuHour = 'free'),
    (c) => (c.precision.compute = 'fp4'),
    (c) => (c.model.attention.type = 'linear'),
    (c) => (c.name = 'x'.repeat(100_000)),
    (c) => (c.precision.fp8.highPrecision = [1]),
  ];
  for (const mutate of cases) {
    const m = update();
    mutate(m.config);
    assert.equal(isHostMessage(m), false, mutate.toString());
  }
});

test('an update without a document reference or with bad errors is rejected', () => {
  assert.equal(isHostMessage({ ...update(), uri: 7 }), false);
  assert.equal(isHostMessage({ ...update(), version: -1 }), false);
  assert.equal(isHostMessage({ ...update(), version: 1.5 }), false);
  assert.equal(isHostMessage({ ...update(), sentAt: undefined }), false);
  assert.equal(isHostMessage({ ...update(), sentAt: -1 }), false);
  assert.equal(isHostMessage({ ...update(), sentAt: Number.NaN }), false);
  assert.equal(isHostMessage({ ...update(), editedAt: 1_795_000_000_000 }), true, 'editedAt is optional and a time');
  for (const editedAt of [-1, Number.NaN, Infinity, '1795000000000', null]) {
    assert.equal(isHostMessage({ ...update(), editedAt }), false, String(editedAt));
  }
  assert.equal(isHostMessage({ ...update(), errors: [{ message: 'x' }] }), false);
  assert.equal(isHostMessage({ ...update(), errors: [{ message: 'x', line: -2 }] }), false);
  assert.equal(isHostMessage({ ...update(), errors: 'none' }), false);
  const many = Array.from({ length: MAX_ERRORS + 1 }, () => ({ message: 'x', line: 0 }));
  assert.equal(isHostMessage({ type: 'invalid', uri: 'u', version: 1, sentAt: 5, errors: many }), false);
});

test('applySchedule is accepted for every schedule kind and nothing else', () => {
  for (const schedule of SCHEDULE_KINDS) assert.equal(isWebviewMessage({ type: 'applySchedule', schedule }), true, schedule);
  for (const schedule of ['DualPipe', 'dualpipe ', '', 'rm -rf /', null, 3, { toString: () => 'dualpipe' }]) {
    assert.equal(isWebviewMessage({ type: 'applySchedule', schedule }), false, String(schedule));
  }
  assert.equal(isWebviewMessage({ type: 'applySchedule' }), false);
});

test('ready, reveal and rendered are validated', () => {
  assert.equal(isWebviewMessage({ type: 'ready' }), true);
  assert.equal(isWebviewMessage({ type: 'reveal', line: 12 }), true);
  assert.equal(isWebviewMessage({ type: 'reveal', line: -1 }), false);
  assert.equal(isWebviewMessage({ type: 'reveal', line: '12' }), false);
  const rendered = { type: 'rendered', uri: 'file:///a', version: 2, schedule: 'dualpipe', gpuHours: 2.66e6, wallClockDays: 55, renderMs: 3.2, updateMs: 9.5, sentAt: 1000, receivedAt: 1004, paintedAt: 1020, painted: true, ops: 5800, stale: false };
  assert.equal(isWebviewMessage(rendered), true);
  assert.equal(isWebviewMessage({ ...rendered, gpuHours: NaN }), false);
  assert.equal(isWebviewMessage({ ...rendered, renderMs: -1 }), false);
  assert.equal(isWebviewMessage({ ...rendered, updateMs: Number.NaN }), false);
  assert.equal(isWebviewMessage({ ...rendered, paintedAt: -1 }), false);
  assert.equal(isWebviewMessage({ ...rendered, receivedAt: '1004' }), false);
  assert.equal(isWebviewMessage({ ...rendered, painted: 'yes' }), false);
  assert.equal(isWebviewMessage({ ...rendered, painted: undefined }), false);
  assert.equal(isWebviewMessage({ ...rendered, schedule: 'x' }), false);
  assert.equal(isWebviewMessage({ ...rendered, stale: 'no' }), false);
  assert.equal(isWebviewMessage({ type: 'command', command: 'workbench.action.terminal.new' }), false);
  assert.equal(isWebviewMessage(null), false);
});

test('layout-search messages: only the search\'s keys, bounded values and point counts pass', () => {
  const point = { changes: [{ key: 'parallelism.pipeline', value: 8 }], gpuHours: 1e6, days: 30, peakGiB: 70, fits: true };
  const ok = { type: 'layouts', uri: 'file:///a', version: 1, state: 'done', result: { objective: 'gpu-hours', frontier: [point], top: [point], hbmGiB: 80, summary: 's' } };
  assert.ok(isHostMessage(ok));
  assert.ok(isHostMessage({ type: 'layouts', uri: 'file:///a', version: 1, state: 'running', progress: { examined: 3, total: 9 } }));
  assert.ok(!isHostMessage({ ...ok, state: 'maybe' }));
  assert.ok(!isHostMessage({ ...ok, result: { ...ok.result, top: Array.from({ length: 201 }, () => point) } }));
  assert.ok(isWebviewMessage({ type: 'applyLayout', changes: [{ key: 'parallelism.schedule', value: 'zb-h1' }, { key: 'parallelism.pipeline', value: 8 }] }));
  assert.ok(isWebviewMessage({ type: 'applyLayout', changes: [{ key: 'parallelism.tensor', value: 8 }, { key: 'parallelism.sequence_parallel', value: true }] }));
  assert.ok(isHostMessage({ ...ok, result: { ...ok.result, top: [{ ...point, changes: [{ key: 'parallelism.sequence_parallel', value: false }] }] } }));
  // A boolean only where the key is one, and that key only a boolean.
  const wrongTypes = [[{ key: 'parallelism.pipeline', value: true }], [{ key: 'parallelism.sequence_parallel', value: 1 }], [{ key: 'parallelism.sequence_parallel', value: 'true' }]];
  for (const changes of wrongTypes) assert.ok(!isHostMessage({ ...ok, result: { ...ok.result, top: [{ ...point, changes }] } }), JSON.stringify(changes));
  for (const changes of [[], [{ key: 'cluster.price_per_gpu_hour', value: 1 }], [{ key: 'parallelism.pipeline', value: -1 }], [{ key: 'parallelism.schedule', value: 'x: y' }], [{ key: 'parallelism.pipeline', value: 8 }, { key: 'parallelism.pipeline', value: 4 }], ...wrongTypes]) {
    assert.ok(!isWebviewMessage({ type: 'applyLayout', changes }), JSON.stringify(changes));
  }
  assert.ok(isWebviewMessage({ type: 'findLayouts' }) && isWebviewMessage({ type: 'cancelLayouts' }));
});
