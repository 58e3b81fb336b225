import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEDULE_KINDS } from '../../language/resolved';
import { isHostMessage, isResolvedConfig, isWebviewMessage, MAX_ERRORS, scheduleEdit } from '../../webview/protocol';
import { sampleConfig } from './fixtures';

const update = () => ({ type: 'update', uri: 'file:///w/a.train.yaml', version: 3, config: sampleConfig(), errors: [] });

test('an update with a well-formed resolved config is accepted', () => {
  assert.equal(isHostMessage(update()), true);
  assert.equal(isResolvedConfig(sampleConfig()), true);
});

test('an invalid message with errors is accepted', () => {
  assert.equal(isHostMessage({ type: 'invalid', uri: 'file:///a', version: 0, errors: [{ message: 'bad', line: 4 }, { message: 'doc', line: -1 }] }), true);
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
  assert.equal(isHostMessage({ ...update(), errors: [{ message: 'x' }] }), false);
  assert.equal(isHostMessage({ ...update(), errors: [{ message: 'x', line: -2 }] }), false);
  assert.equal(isHostMessage({ ...update(), errors: 'none' }), false);
  const many = Array.from({ length: MAX_ERRORS + 1 }, () => ({ message: 'x', line: 0 }));
  assert.equal(isHostMessage({ type: 'invalid', uri: 'u', version: 1, errors: many }), false);
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
  const rendered = { type: 'rendered', uri: 'file:///a', version: 2, schedule: 'dualpipe', gpuHours: 2.66e6, wallClockDays: 55, renderMs: 3.2, updateMs: 9.5, ops: 5800, stale: false };
  assert.equal(isWebviewMessage(rendered), true);
  assert.equal(isWebviewMessage({ ...rendered, gpuHours: NaN }), false);
  assert.equal(isWebviewMessage({ ...rendered, renderMs: -1 }), false);
  assert.equal(isWebviewMessage({ ...rendered, updateMs: Number.NaN }), false);
  assert.equal(isWebviewMessage({ ...rendered, schedule: 'x' }), false);
  assert.equal(isWebviewMessage({ ...rendered, stale: 'no' }), false);
  assert.equal(isWebviewMessage({ type: 'command', command: 'workbench.action.terminal.new' }), false);
  assert.equal(isWebviewMessage(null), false);
});

// --- applySchedule's edit ------------------------------------------------------------------------------------

/** Applies a single edit to text (0-based positions, \n lines). */
function apply(text: string, edit: ReturnType<typeof scheduleEdit>): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
}

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

test('scheduleEdit replaces an existing schedule value', () => {
  const text = 'parallelism:\n  pipeline: 16\n  schedule: dualpipe\n';
  const nodes = new Map([
    ['parallelism', { key: r(0, 0, 0, 11), value: r(1, 2, 3, 0) }],
    ['parallelism.pipeline', { key: r(1, 2, 1, 10), value: r(1, 12, 1, 14) }],
    ['parallelism.schedule', { key: r(2, 2, 2, 10), value: r(2, 12, 2, 20) }],
  ]);
  assert.equal(apply(text, scheduleEdit(text, nodes, '1f1b')), 'parallelism:\n  pipeline: 16\n  schedule: 1f1b\n');
});

test('scheduleEdit inserts the key after the last key of a block mapping', () => {
  const text = 'parallelism:\n  pipeline: 16\n  data: 128\ncluster:\n  nodes: 2\n';
  const nodes = new Map([
    ['parallelism', { key: r(0, 0, 0, 11), value: r(1, 2, 3, 0) }],
    ['parallelism.pipeline', { key: r(1, 2, 1, 10), value: r(1, 12, 1, 14) }],
    ['parallelism.data', { key: r(2, 2, 2, 6), value: r(2, 8, 2, 11) }],
    ['cluster', { key: r(3, 0, 3, 7), value: r(4, 2, 5, 0) }],
  ]);
  assert.equal(apply(text, scheduleEdit(text, nodes, 'zbv')), 'parallelism:\n  pipeline: 16\n  data: 128\n  schedule: zbv\ncluster:\n  nodes: 2\n');
});

test('scheduleEdit inserts into a flow mapping', () => {
  const text = 'parallelism: { pipeline: 4 }\n';
  const nodes = new Map([
    ['parallelism', { key: r(0, 0, 0, 11), value: r(0, 13, 0, 28) }],
    ['parallelism.pipeline', { key: r(0, 15, 0, 23), value: r(0, 25, 0, 26) }],
  ]);
  assert.equal(apply(text, scheduleEdit(text, nodes, '1f1b')), 'parallelism: { pipeline: 4, schedule: 1f1b }\n');
});

test('scheduleEdit appends a parallelism block when there is none', () => {
  const text = 'name: x\n';
  const nodes = new Map([['name', { key: r(0, 0, 0, 4), value: r(0, 6, 0, 7) }]]);
  assert.equal(apply(text, scheduleEdit(text, nodes, 'gpipe')), 'name: x\nparallelism:\n  schedule: gpipe\n');
});

test('scheduleEdit fills an empty schedule value with a space before it', () => {
  const text = 'parallelism:\n  schedule:\n';
  const nodes = new Map([
    ['parallelism', { key: r(0, 0, 0, 11), value: r(1, 2, 2, 0) }],
    ['parallelism.schedule', { key: r(1, 2, 1, 10), value: r(1, 11, 1, 11) }],
  ]);
  assert.equal(apply(text, scheduleEdit(text, nodes, 'dualpipev')), 'parallelism:\n  schedule: dualpipev\n');
});

// With the real parser's source map (language/parse.ts), on the shipped example and on variants of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from '../../language/parse';

const example = () => readFileSync(join(__dirname, '..', '..', '..', 'examples', 'deepseek-v3.train.yaml'), 'utf8');

test('scheduleEdit on the DeepSeek-V3 example changes only the schedule', () => {
  const text = example();
  const out = apply(text, scheduleEdit(text, parseDocument(text).nodes, 'zb-h2'));
  assert.equal(out, text.replace('schedule: dualpipe', 'schedule: zb-h2'));
  assert.equal((parseDocument(out).value as any).parallelism.schedule, 'zb-h2');
});

test('scheduleEdit inserts a missing schedule that the parser then reads back', () => {
  const text = example().replace(/^ {2}schedule: dualpipe\n/m, '');
  assert.ok(!text.includes('schedule:'));
  const out = apply(text, scheduleEdit(text, parseDocument(text).nodes, '1f1b'));
  const value = parseDocument(out).value as any;
  assert.equal(value.parallelism.schedule, '1f1b');
  assert.equal(value.parallelism.virtual_stages, 1);
  assert.equal(value.cluster.gpu, 'h800');
});

test('scheduleEdit inserts after the last key when parallelism ends the file without a newline', () => {
  const text = 'name: x\nparallelism:\n  pipeline: 4\n  data: 2';
  const out = apply(text, scheduleEdit(text, parseDocument(text).nodes, 'dualpipe'));
  assert.deepEqual((parseDocument(out).value as any).parallelism, { pipeline: 4, data: 2, schedule: 'dualpipe' });
});

test('scheduleEdit on a flow mapping parsed for real', () => {
  const text = 'parallelism: {pipeline: 4, data: 2}\ncluster: {nodes: 1}\n';
  const out = apply(text, scheduleEdit(text, parseDocument(text).nodes, 'zbv'));
  assert.deepEqual((parseDocument(out).value as any).parallelism, { pipeline: 4, data: 2, schedule: 'zbv' });
});
