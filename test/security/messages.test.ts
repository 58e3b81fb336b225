/**
 * Messages cross a trust boundary between the webview and the extension host. Both sides validate before use:
 * the host runs isWebviewMessage on everything the webview posts, the webview runs isHostMessage on everything
 * the host posts. These tests pin the validators down (well-formed accepted, malformed rejected, prototype
 * tricks neither accepted nor able to pollute) and check that the handlers really call them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isHostMessage, isWebviewMessage } from '../../protocol/preview';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { repoRoot } from '../support/generate';

const rendered = { type: 'rendered', uri: 'file:///a.train.yaml', version: 3, schedule: 'dualpipe', gpuHours: 2.6e6, wallClockDays: 54, renderMs: 4.2, updateMs: 7.9, sentAt: 1000, receivedAt: 1003, paintedAt: 1016, painted: true, ops: 1024, stale: false };

test('well-formed webview messages are accepted', () => {
  assert.equal(isWebviewMessage({ type: 'ready' }), true);
  for (const schedule of SCHEDULE_KINDS) assert.equal(isWebviewMessage({ type: 'applySchedule', schedule }), true, schedule);
  assert.equal(isWebviewMessage({ type: 'reveal', line: 0 }), true);
  assert.equal(isWebviewMessage({ type: 'reveal', line: 41 }), true);
  assert.equal(isWebviewMessage(rendered), true);
  // What arrives over postMessage is a structured clone / JSON copy.
  assert.equal(isWebviewMessage(JSON.parse(JSON.stringify(rendered))), true);
});

test('non-objects and unknown types are rejected', () => {
  for (const x of [null, undefined, 0, 1, NaN, '', 'ready', '{"type":"ready"}', true, [], [{ type: 'ready' }], () => 0, Symbol('ready')]) {
    assert.equal(isWebviewMessage(x), false, String(typeof x === 'symbol' ? 'symbol' : JSON.stringify(x)));
  }
  for (const type of ['', 'READY', 'ready ', 'update', 'invalid', 'applyschedule', 'eval', 'constructor', '__proto__', 'toString']) {
    assert.equal(isWebviewMessage({ type, schedule: 'dualpipe', line: 1 }), false, type);
  }
  assert.equal(isWebviewMessage({ type: ['ready'] }), false);
});

test('applySchedule names a known schedule, as a string', () => {
  for (const schedule of [undefined, null, '', 'DualPipe', 'dualpipe ', 'pipedream', 'constructor', '__proto__', 'hasOwnProperty', 'toString', 1, ['dualpipe'], { toString: () => 'dualpipe' }]) {
    assert.equal(isWebviewMessage({ type: 'applySchedule', schedule }), false, String(schedule));
  }
  assert.equal(isWebviewMessage({ type: 'applySchedule' }), false, 'missing schedule');
});

test('reveal takes a whole, non-negative, bounded line number', () => {
  for (const line of [-1, -0.5, 1.5, NaN, Infinity, -Infinity, 1e12, '3', null, undefined, [3], { valueOf: () => 3 }]) {
    assert.equal(isWebviewMessage({ type: 'reveal', line }), false, String(line));
  }
});

test('rendered: every field typed and in range', () => {
  const bad: Record<string, unknown>[] = [
    { gpuHours: -1 }, { gpuHours: NaN }, { gpuHours: Infinity }, { gpuHours: '2.6e6' },
    { wallClockDays: -0.1 }, { renderMs: NaN }, { updateMs: -1 }, { sentAt: Infinity }, { receivedAt: null }, { paintedAt: -5 }, { painted: 1 }, { painted: 'true' }, { ops: 1.5 }, { ops: -1 }, { stale: 'false' }, { stale: 0 },
    { schedule: 'fast' }, { uri: 42 }, { uri: 'x'.repeat(100_000) }, { version: -1 }, { version: 1.5 },
  ];
  for (const patch of bad) assert.equal(isWebviewMessage({ ...rendered, ...patch }), false, JSON.stringify(patch).slice(0, 80));
  for (const key of Object.keys(rendered).filter((k) => k !== 'type')) {
    const copy: Record<string, unknown> = { ...rendered };
    delete copy[key];
    assert.equal(isWebviewMessage(copy), false, `missing ${key}`);
  }
});

test('__proto__ / constructor payloads are rejected and pollute nothing', () => {
  const payloads = [
    '{"__proto__": {"type": "ready"}}',
    '{"constructor": {"prototype": {"type": "ready"}}}',
    '{"type": "applySchedule", "__proto__": {"schedule": "dualpipe"}}',
    '{"type": "reveal", "__proto__": {"line": 3}}',
    '{"type": "applySchedule", "schedule": "__proto__"}',
  ];
  for (const p of payloads) {
    const x = JSON.parse(p);
    assert.equal(isWebviewMessage(x), false, p);
    assert.equal(isHostMessage(x), false, p);
  }
  const probe: Record<string, unknown> = {};
  assert.equal(probe.type, undefined, 'Object.prototype.type is untouched');
  assert.equal(probe.schedule, undefined, 'Object.prototype.schedule is untouched');
  assert.equal(probe.line, undefined);
});

test('host messages: malformed updates are rejected (the webview never simulates them)', () => {
  assert.equal(isHostMessage({ type: 'invalid', uri: 'file:///a', version: 1, sentAt: 9, errors: [{ message: 'x', line: 2 }] }), true);
  for (const x of [
    { type: 'invalid', uri: 'file:///a', version: 1, errors: [{ message: 'x', line: 2 }] },
    { type: 'invalid', uri: 'file:///a', version: 1, sentAt: 9, editedAt: -1, errors: [] },
    { type: 'invalid', uri: 'file:///a', version: 1, sentAt: 9, editedAt: 'now', errors: [] },
    { type: 'invalid', uri: 'file:///a', version: 1 },
    { type: 'invalid', uri: 'file:///a', version: 1, errors: [{ message: 'x', line: 2.5 }] },
    { type: 'invalid', uri: 'file:///a', version: 1, errors: new Array(10_000).fill({ message: 'x', line: 1 }) },
    { type: 'update', uri: 'file:///a', version: 1, errors: [], config: {} },
    { type: 'update', uri: 'file:///a', version: 1, errors: [], config: null },
    { type: 'ready' },
  ]) {
    assert.equal(isHostMessage(x), false, JSON.stringify(x).slice(0, 100));
  }
});

/** An independent statement of what the host may act on, to compare the validator with. */
function oracle(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  const nonNeg = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const count = (v: unknown) => nonNeg(v) && Number.isInteger(v);
  switch (o.type) {
    case 'ready':
      return true;
    case 'applySchedule':
      return typeof o.schedule === 'string' && (SCHEDULE_KINDS as readonly string[]).includes(o.schedule);
    case 'reveal':
      return count(o.line);
    case 'rendered':
      return typeof o.uri === 'string' && count(o.version) && typeof o.schedule === 'string' &&
        (SCHEDULE_KINDS as readonly string[]).includes(o.schedule) && nonNeg(o.gpuHours) && nonNeg(o.wallClockDays) &&
        nonNeg(o.renderMs) && nonNeg(o.updateMs) && nonNeg(o.sentAt) && nonNeg(o.receivedAt) && nonNeg(o.paintedAt) && typeof o.painted === 'boolean' && count(o.ops) && typeof o.stale === 'boolean';
    default:
      return false;
  }
}

test('property: the validator never throws and accepts nothing the oracle rejects', { timeout: 30_000 }, () => {
  const field = fc.oneof(fc.anything(), fc.constantFrom(...SCHEDULE_KINDS), fc.nat(), fc.double(), fc.boolean());
  const message = fc.record(
    {
      type: fc.constantFrom('ready', 'applySchedule', 'reveal', 'rendered', 'update', '__proto__', 'x'),
      schedule: field, line: field, uri: fc.oneof(fc.string(), field), version: field, gpuHours: field,
      wallClockDays: field, renderMs: field, updateMs: field, sentAt: field, receivedAt: field, paintedAt: field, painted: field, ops: field, stale: field,
    },
    { requiredKeys: ['type'] },
  );
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(message, fc.anything()), (x) => {
      const ok = isWebviewMessage(x);
      assert.equal(typeof ok, 'boolean');
      if (ok) {
        accepted++;
        assert.ok(oracle(x), `accepted ${JSON.stringify(x)}`);
      }
    }),
    { numRuns: 2000 },
  );
  assert.ok(accepted > 50, `only ${accepted} accepted: the generator does not reach the accepting branches`);
});

function sources(dir: string): { path: string; text: string }[] {
  const root = join(repoRoot(), dir);
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(root);
  return out;
}

test('the host validates every webview message before acting on it', () => {
  const handlers = sources('extension').filter((f) => /onDidReceiveMessage\s*\(/.test(f.text));
  assert.ok(handlers.length > 0, 'no onDidReceiveMessage handler found in extension/ (the preview host has not landed?)');
  for (const f of handlers) {
    assert.match(f.text, /isWebviewMessage\s*\(/, `${f.path} receives messages without isWebviewMessage`);
  }
});

test('the webview validates every host message before acting on it', () => {
  const listeners = sources('webview').filter((f) => /addEventListener\(\s*['"]message['"]/.test(f.text));
  assert.ok(listeners.length > 0, 'no message listener found in webview/ (webview/main.ts has not landed?)');
  for (const f of listeners) {
    assert.match(f.text, /isHostMessage\s*\(/, `${f.path} listens for messages without isHostMessage`);
  }
});

test("the page and its simulation workers validate each other's messages before acting on them", () => {
  // Worker and message-channel handlers (`x.onmessage =`): the job messages have their own guards (webview/jobs.ts).
  const handlers = sources('webview').filter((f) => /onmessage\s*=/.test(f.text));
  assert.ok(handlers.length >= 2, 'the page and the worker both receive messages');
  for (const f of handlers) {
    assert.match(f.text, /is(Run|Result)Message\s*\(/, `${f.path} receives worker messages without isRunMessage / isResultMessage`);
  }
});
