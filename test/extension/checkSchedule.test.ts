import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECK_AT_ONCE_CHARS, CHECK_DEBOUNCE_MS, CheckSchedule, editDelayMs, type CheckTimers } from '../../extension/checkSchedule';

/**
 * An event loop the test turns by hand, on a virtual clock: microtasks run before any timer, timers run in order of
 * due time (then of creation), and each timer's microtasks run before the next timer.
 */
function fakeLoop(): CheckTimers & { microtasks(): void; advance(ms: number): void; timers(): number } {
  const microtasks: (() => void)[] = [];
  const timers = new Map<number, { due: number; callback: () => void }>();
  let now = 0;
  let next = 1;
  const drain = () => {
    while (microtasks.length > 0) (microtasks.shift() as () => void)();
  };
  return {
    queueMicrotask: (callback) => void microtasks.push(callback),
    setTimeout: (callback, ms) => {
      timers.set(next, { due: now + ms, callback });
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    microtasks: drain,
    advance(ms) {
      drain();
      const until = now + ms;
      for (;;) {
        let first: number | undefined;
        for (const [id, t] of timers) if (t.due <= until && (first === undefined || t.due < (timers.get(first) as { due: number }).due)) first = id;
        if (first === undefined) break;
        const { due, callback } = timers.get(first) as { due: number; callback: () => void };
        timers.delete(first);
        now = due;
        callback();
        drain();
      }
      now = until;
    },
    timers: () => timers.size,
  };
}

const A = 'file:///a.train.yaml';
const B = 'file:///b.train.yaml';

test('a small document is checked at once, a large one a few times its last check, at most CHECK_DEBOUNCE_MS', () => {
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS, 500), 0);
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS + 1, 10), 30, '3 × 10 ms');
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS + 1, 10.2), 31, 'rounded');
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS + 1, 200), CHECK_DEBOUNCE_MS, 'capped');
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS + 1, undefined), CHECK_DEBOUNCE_MS, 'never checked: the cap');
  assert.equal(editDelayMs(CHECK_AT_ONCE_CHARS + 1, 0), 0, 'a check that took no time: at once, not the cap');
  assert.equal(editDelayMs(10_000_000, 1000, 40), 40, "the caller's cap");
});

test("a large document's check waits its capped delay on a timer, then runs once", () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule(() => true, loop);
  const ran: string[] = [];
  checks.edited(A, editDelayMs(10_000_000, 1000), () => ran.push('a'));
  loop.advance(CHECK_DEBOUNCE_MS - 1);
  assert.deepEqual(ran, []);
  loop.advance(1);
  assert.deepEqual(ran, ['a']);
  loop.advance(1000);
  assert.deepEqual(ran, ['a']);
});

test("a newer edit cancels the older one's pending check; another document's check is its own", () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule(() => true, loop);
  const ran: string[] = [];
  checks.edited(A, 75, () => ran.push('a1'));
  checks.edited(B, 75, () => ran.push('b'));
  loop.advance(50);
  checks.edited(A, 75, () => ran.push('a2'));
  loop.advance(25);
  assert.deepEqual(ran, ['b']);
  loop.advance(50);
  assert.deepEqual(ran, ['b', 'a2']);
  assert.equal(loop.timers(), 0);
});

test('a small edit replaces a pending debounced check with one at once', () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule(() => true, loop);
  const ran: string[] = [];
  checks.edited(A, 75, () => ran.push('debounced'));
  checks.edited(A, 0, () => ran.push('at once'));
  loop.microtasks();
  assert.deepEqual(ran, ['at once']);
  loop.advance(100);
  assert.deepEqual(ran, ['at once']);
});

test('awaited by a view: the check runs in a microtask, before any timer turn', () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule((key) => key === A, loop);
  const ran: string[] = [];
  checks.edited(A, 0, () => ran.push('check'));
  // Another listener of the same edit sends something, which leaves in a timer turn.
  loop.setTimeout(() => ran.push('other listener'), 0);
  loop.microtasks();
  assert.deepEqual(ran, ['check']);
  loop.advance(0);
  assert.deepEqual(ran, ['check', 'other listener']);
});

test("awaited by no view: the check waits one timer turn, behind what the edit's other listeners sent", () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule((key) => key === B, loop);
  const ran: string[] = [];
  checks.edited(A, 0, () => ran.push('check'));
  loop.setTimeout(() => ran.push('other listener'), 0);
  loop.microtasks();
  assert.deepEqual(ran, [], 'not in the microtask');
  loop.advance(0);
  assert.deepEqual(ran, ['other listener', 'check']);
});

test('the edits of one batch are checked once, by the first one queued (it reads the document when it runs)', () => {
  for (const awaited of [true, false]) {
    const loop = fakeLoop();
    const checks = new CheckSchedule(() => awaited, loop);
    const ran: string[] = [];
    checks.edited(A, 0, () => ran.push('first'));
    checks.edited(A, 0, () => ran.push('second'));
    loop.advance(0);
    assert.deepEqual(ran, ['first'], `awaited ${awaited}`);
  }
});

test('a queued check stands down when a later edit in the same turn asked for a debounced one (a paste past the small size)', () => {
  for (const awaited of [true, false]) {
    const loop = fakeLoop();
    const checks = new CheckSchedule(() => awaited, loop);
    const ran: string[] = [];
    checks.edited(A, 0, () => ran.push('at once'));
    checks.edited(A, 75, () => ran.push('debounced'));
    loop.advance(74);
    assert.deepEqual(ran, [], `awaited ${awaited}: nothing before the debounce`);
    loop.advance(1);
    assert.deepEqual(ran, ['debounced'], `awaited ${awaited}`);
  }
});

test('a debounced check asked for between the microtask and the timer turn also makes the queued one stand down', () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule(() => false, loop);
  const ran: string[] = [];
  checks.edited(A, 0, () => ran.push('at once'));
  loop.microtasks();
  checks.after(A, 20, () => ran.push('debounced'));
  loop.advance(20);
  assert.deepEqual(ran, ['debounced']);
});

test('after (an open, a settings change) always waits on a timer, even at 0, and replaces a pending one', () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule(() => true, loop);
  const ran: string[] = [];
  checks.after(A, 0, () => ran.push('first'));
  checks.after(A, 0, () => ran.push('second'));
  loop.microtasks();
  assert.deepEqual(ran, []);
  loop.advance(0);
  assert.deepEqual(ran, ['second']);
});

test("cancel (the document closed) drops its debounced and its queued check, not another document's", () => {
  for (const awaited of [true, false]) {
    const loop = fakeLoop();
    const checks = new CheckSchedule(() => awaited, loop);
    const ran: string[] = [];
    checks.edited(A, 0, () => ran.push('a queued'));
    checks.edited(B, 30, () => ran.push('b'));
    checks.cancel(A);
    checks.after(A, 10, () => ran.push('a debounced'));
    checks.cancel(A);
    loop.advance(100);
    assert.deepEqual(ran, ['b'], `awaited ${awaited}`);
    // A new edit after the cancel is checked again.
    checks.edited(A, 0, () => ran.push('a again'));
    loop.advance(0);
    assert.deepEqual(ran, ['b', 'a again'], `awaited ${awaited}`);
  }
});

test('dispose cancels everything: debounced, queued in a microtask, queued for a timer turn; later requests are ignored', () => {
  const loop = fakeLoop();
  const checks = new CheckSchedule((key) => key === A, loop);
  const ran: string[] = [];
  checks.edited(A, 0, () => ran.push('a awaited'));
  checks.edited(B, 0, () => ran.push('b not awaited'));
  checks.edited('file:///c.train.yaml', 75, () => ran.push('c debounced'));
  checks.after('file:///d.train.yaml', 0, () => ran.push('d opened'));
  loop.microtasks();
  // B's check now waits for its timer turn; A's would have run in the microtask, so dispose before it for A.
  assert.deepEqual(ran, ['a awaited']);
  checks.edited(A, 0, () => ran.push('a again'));
  checks.dispose();
  assert.equal(loop.timers(), 1, "the debounced timers are cleared (B's timer turn remains, and finds it dropped)");
  checks.edited(A, 0, () => ran.push('after dispose'));
  checks.after(A, 5, () => ran.push('after dispose'));
  loop.advance(1000);
  assert.deepEqual(ran, ['a awaited']);
});
