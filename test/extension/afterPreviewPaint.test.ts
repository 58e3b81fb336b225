import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AfterPreviewPaint, type Timers } from '../../extension/afterPreviewPaint';

/** Timers the test fires by hand. */
function fakeTimers(): Timers & { fire(): void; pending(): number } {
  const live = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (callback: () => void) => {
      live.set(next, callback);
      return next++;
    },
    clearTimeout: (handle: unknown) => void live.delete(handle as number),
    fire: () => {
      const callbacks = [...live.values()];
      live.clear();
      for (const c of callbacks) c();
    },
    pending: () => live.size,
  };
}

const A = 'file:///a.train.yaml';
const B = 'file:///b.train.yaml';

test('with nothing posted to the preview, work runs at once', () => {
  const gate = new AfterPreviewPaint(fakeTimers());
  let ran = 0;
  gate.run(A, () => ran++);
  assert.equal(ran, 1);
});

test('work for a posted version waits for its paint, then runs once; other documents do not wait', () => {
  const timers = fakeTimers();
  const gate = new AfterPreviewPaint(timers);
  const ran: string[] = [];
  gate.posted(A, 5);
  gate.run(A, () => ran.push('a'));
  gate.run(B, () => ran.push('b'));
  assert.deepEqual(ran, ['b']);
  gate.painted(A, 5);
  assert.deepEqual(ran, ['b', 'a']);
  assert.equal(timers.pending(), 0, 'the cap timer is cleared');
  gate.painted(A, 5);
  timers.fire();
  assert.deepEqual(ran, ['b', 'a'], 'nothing runs twice');
});

test('a paint of an older version does not release work waiting on a newer post; the latest work replaces older', () => {
  const gate = new AfterPreviewPaint(fakeTimers());
  const ran: number[] = [];
  gate.posted(A, 5);
  gate.run(A, () => ran.push(5));
  gate.posted(A, 6);
  gate.run(A, () => ran.push(6));
  gate.painted(A, 5);
  assert.deepEqual(ran, []);
  gate.painted(A, 6);
  assert.deepEqual(ran, [6]);
});

test('without a paint report the work runs when the cap expires', () => {
  const timers = fakeTimers();
  const gate = new AfterPreviewPaint(timers);
  let ran = 0;
  gate.posted(A, 1);
  gate.run(A, () => ran++);
  assert.equal(ran, 0);
  timers.fire();
  assert.equal(ran, 1);
  gate.run(A, () => ran++);
  assert.equal(ran, 2, 'after the cap nothing waits until the next post');
});

test('releaseAll (the preview closed) runs what waits and stops waiting', () => {
  const gate = new AfterPreviewPaint(fakeTimers());
  let ran = 0;
  gate.posted(A, 1);
  gate.posted(B, 1);
  gate.run(A, () => ran++);
  gate.releaseAll();
  assert.equal(ran, 1);
  gate.run(B, () => ran++);
  assert.equal(ran, 2);
});

test('settled resolves at once with nothing posted, else at the paint, after the waiting work, without replacing it', async () => {
  const timers = fakeTimers();
  const gate = new AfterPreviewPaint(timers);
  const order: string[] = [];
  await gate.settled(A).then(() => order.push('idle'));
  assert.deepEqual(order, ['idle']);

  gate.posted(A, 3);
  gate.run(A, () => order.push('problems'));
  const first = gate.settled(A).then(() => order.push('list 1'));
  const second = gate.settled(A).then(() => order.push('list 2'));
  void gate.settled(B).then(() => order.push('other document'));
  await Promise.resolve();
  assert.deepEqual(order, ['idle', 'other document'], 'waits for the posted version');
  gate.painted(A, 2);
  await Promise.resolve();
  assert.deepEqual(order, ['idle', 'other document'], 'an older version does not release it');
  gate.painted(A, 3);
  await Promise.all([first, second]);
  assert.deepEqual(order, ['idle', 'other document', 'problems', 'list 1', 'list 2']);
  assert.equal(timers.pending(), 0);
});

test('settled resolves at the cap when the preview paints nothing, and even when the waiting work throws', async () => {
  const timers = fakeTimers();
  const gate = new AfterPreviewPaint(timers);
  let resolved = false;
  gate.posted(A, 1);
  gate.run(A, () => {
    throw new Error('publish failed');
  });
  const waiting = gate.settled(A).then(() => (resolved = true));
  await Promise.resolve();
  assert.equal(resolved, false);
  assert.equal(timers.pending(), 1, 'one cap timer for the work and the waiter');
  assert.throws(() => timers.fire(), /publish failed/);
  await waiting;
  assert.equal(resolved, true);
});
