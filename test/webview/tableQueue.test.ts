import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TableQueue, type Defer } from '../../webview/tableQueue';

/** A deferral the test fires by hand (afterPaintThen in the page), counting what is still waiting. */
function fakeDefer(): { defer: Defer; fire(): void; waiting(): number } {
  const live = new Set<() => void>();
  return {
    defer: (work) => {
      const entry = () => work();
      live.add(entry);
      return () => void live.delete(entry);
    },
    fire: () => {
      const due = [...live];
      live.clear();
      for (const work of due) work();
    },
    waiting: () => live.size,
  };
}

test("a row's result that arrives before the redraw is applied after the redraw's work, in arrival order", () => {
  const paint = fakeDefer();
  const tables = new TableQueue(paint.defer);
  const order: string[] = [];
  tables.open();
  // A cached row, before the update's simulation and the redraw are asked for.
  tables.result(() => order.push('row 1'));
  tables.redraw(() => order.push('redraw'));
  tables.result(() => order.push('row 2'));
  assert.deepEqual(order, [], 'nothing before the paint');
  paint.fire();
  assert.deepEqual(order, ['redraw', 'row 1', 'row 2']);
});

test("opening a new update's queue drops the previous one's unrun results and cancels its deferred redraw", () => {
  const paint = fakeDefer();
  const tables = new TableQueue(paint.defer);
  const order: string[] = [];
  tables.open();
  tables.redraw(() => order.push('redraw 1'));
  tables.result(() => order.push('row of 1'));
  tables.open();
  assert.equal(paint.waiting(), 0, "the first update's redraw no longer waits for a paint");
  tables.result(() => order.push('early row of 2'));
  tables.redraw(() => order.push('redraw 2'));
  paint.fire();
  assert.deepEqual(order, ['redraw 2', 'early row of 2']);
});

test('flush runs the redraw then the waiting results, once; the deferred run is cancelled', () => {
  const paint = fakeDefer();
  const tables = new TableQueue(paint.defer);
  const order: string[] = [];
  tables.open();
  tables.result(() => order.push('row'));
  tables.redraw(() => order.push('redraw'));
  tables.flush();
  assert.deepEqual(order, ['redraw', 'row']);
  assert.equal(paint.waiting(), 0);
  paint.fire();
  tables.flush();
  assert.deepEqual(order, ['redraw', 'row'], 'nothing runs twice');
});

test('flush before the redraw was asked for (the update failed) applies the waiting results alone', () => {
  const tables = new TableQueue(fakeDefer().defer);
  const order: string[] = [];
  tables.open();
  tables.result(() => order.push('row'));
  tables.flush();
  assert.deepEqual(order, ['row']);
  tables.redraw(() => order.push('redraw after the flush'));
  assert.deepEqual(order, ['row', 'redraw after the flush'], 'no queue is open: at once');
});

test('a result that arrives after the redraw ran is applied at once', () => {
  const paint = fakeDefer();
  const tables = new TableQueue(paint.defer);
  const order: string[] = [];
  tables.open();
  tables.redraw(() => order.push('redraw'));
  paint.fire();
  tables.result(() => order.push('late row'));
  assert.deepEqual(order, ['redraw', 'late row']);
});

test('with no queue ever opened, results and the redraw run at once', () => {
  const paint = fakeDefer();
  const tables = new TableQueue(paint.defer);
  const order: string[] = [];
  tables.result(() => order.push('row'));
  tables.redraw(() => order.push('redraw'));
  assert.deepEqual(order, ['row', 'redraw']);
  assert.equal(paint.waiting(), 0);
});
