import assert from 'node:assert/strict';
import { test } from 'node:test';

// A browser's frame loop in miniature: requestAnimationFrame callbacks run together in one task (the frame).
type Frame = () => void;
let frameCallbacks = new Map<number, Frame>();
let nextFrameId = 1;
const g = globalThis as unknown as Record<string, unknown>;
g.window = globalThis;
g.requestAnimationFrame = (cb: Frame) => {
  const id = nextFrameId++;
  frameCallbacks.set(id, cb);
  return id;
};
g.cancelAnimationFrame = (id: number) => frameCallbacks.delete(id);
function paintFrame(): void {
  const callbacks = [...frameCallbacks.values()];
  frameCallbacks = new Map();
  for (const cb of callbacks) cb();
}
// Node fires timers of one delay in the order they were set, so each turn here runs after whatever the timers before it
// scheduled: three turns outlast paint.ts's two chained zero-delay timers at any load (a fixed 20 ms wait did not).
const settle = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise((r) => setTimeout(r, 0));
};

test('background work asked for before an update report runs after it: the report is not held back', async () => {
  const { afterPaint, afterPaintThen } = await import('../../webview/paint');
  const order: string[] = [];
  afterPaintThen(() => order.push('comparison'));
  afterPaintThen(() => order.push('saved state'));
  afterPaint((painted) => order.push(`painted ${painted}`));
  paintFrame();
  await settle();
  assert.deepEqual(order, ['painted true', 'comparison', 'saved state']);
});

test('cancelled background work never runs, before or after the frame', async () => {
  const { afterPaintThen } = await import('../../webview/paint');
  const order: string[] = [];
  afterPaintThen(() => order.push('before the frame'))();
  const cancelLater = afterPaintThen(() => order.push('after the frame'));
  paintFrame();
  cancelLater();
  await settle();
  assert.deepEqual(order, []);
});
