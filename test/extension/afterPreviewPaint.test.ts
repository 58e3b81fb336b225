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
