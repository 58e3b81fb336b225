import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BUCKETS,
  bucketOf,
  bucketParts,
  clampViewport,
  firstEndingAfter,
  fitViewport,
  hitTest,
  layoutOps,
  MAX_ZOOM,
  memoryScaleGiB,
  memorySegments,
  OP_COLOR_VARS,
  OP_KINDS,
  opSpan,
  panBy,
  rowAt,
  rowTop,
  sortedByStart,
  tickStep,
  ticks,
  zoomAt,
  zoomLevel,
  type TimelineGeometry,
} from '../../webview/geometry';
import { lanesOfRows } from '../../webview/lanes';
import { syntheticRow } from './fixtures';

const g: TimelineGeometry = { width: 1032, gutter: 32, axis: 20, rowHeight: 20, rowGap: 3 };
const W = 1000; // plot width

test('fit shows the whole step across the plot', () => {
  const vp = fitViewport(50, W);
  assert.deepEqual(vp, { startSeconds: 0, pxPerSecond: 20 });
  assert.deepEqual(opSpan({ start: 10, end: 12.5 }, vp), { x: 200, w: 50 });
});

test('zooming keeps the time under the cursor in place', () => {
  const vp = zoomAt(fitViewport(50, W), 4, 500, 50, W);
  assert.equal(vp.pxPerSecond, 80);
  // t = 25 s was under x = 500 before and still is.
  assert.equal(vp.startSeconds + 500 / vp.pxPerSecond, 25);
  assert.equal(zoomLevel(vp, 50, W), 4);
});

test('zoom is clamped between fit and MAX_ZOOM, and the window stays inside the step', () => {
  const fit = fitViewport(50, W);
  assert.deepEqual(zoomAt(fit, 0.1, 0, 50, W), fit);
  assert.equal(zoomAt(fit, 1e9, 0, 50, W).pxPerSecond, fit.pxPerSecond * MAX_ZOOM);
  const zoomed = zoomAt(fit, 10, 0, 50, W);
  assert.equal(panBy(zoomed, -1e6, 50, W).startSeconds, 0);
  assert.equal(panBy(zoomed, 1e6, 50, W).startSeconds, 45); // 50 s − 1000 px / 200 px/s
  assert.equal(clampViewport({ startSeconds: NaN, pxPerSecond: NaN }, 50, W).pxPerSecond, 20);
});

test('rows map from y, gaps and axis map to -1', () => {
  assert.equal(rowAt(5, g, 16), -1);
  assert.equal(rowAt(rowTop(0, g) + 1, g, 16), 0);
  assert.equal(rowAt(rowTop(15, g) + 19, g, 16), 15);
  assert.equal(rowAt(rowTop(3, g) + 21, g, 16), -1); // in the gap below row 3
  assert.equal(rowAt(rowTop(16, g) + 1, g, 16), -1);
});

test('hit-testing finds the op under a time by binary search, and idle time is -1', () => {
  // Two lanes, the second holding the ops: indices are the concatenation's (lane 1 starts at 7).
  const { start, end, first } = lanesOfRows([syntheticRow(7), syntheticRow(100, 1, 0.5)]); // op i spans [1.5 i, 1.5 i + 1)
  const hit = (t: number, tolerance?: number) => {
    const g = hitTest(start, end, first[1], first[2], t, tolerance);
    return g < 0 ? g : g - first[1];
  };
  assert.equal(hit(0), 0);
  assert.equal(hit(1.5 * 42 + 0.5), 42);
  assert.equal(hit(1.5 * 42 + 1.2), -1);
  assert.equal(hit(1.5 * 42 + 1.2, 0.25), 42); // nearer the end of 42 than the start of 43
  assert.equal(hit(1.5 * 42 + 1.4, 0.25), 43);
  assert.equal(hit(1e9), -1);
  assert.equal(hitTest(start, end, 3, 3, 3), -1);
  assert.equal(firstEndingAfter(end, first[1], first[2], 1.5 * 10), first[1] + 10);
});

test('hit-testing agrees with a linear scan everywhere', () => {
  const row = syntheticRow(500, 0.7, 0.3);
  const { start, end } = lanesOfRows([row]);
  for (let t = -1; t < 520; t += 0.37) {
    const linear = row.findIndex((op) => op.start <= t && t < op.end);
    assert.equal(hitTest(start, end, 0, row.length, t), linear, `t=${t}`);
  }
});

test('unsorted rows are sorted once; sorted rows are used as is', () => {
  const row = syntheticRow(10);
  assert.equal(sortedByStart(row), row);
  const shuffled = [row[3], row[0], row[9], ...row.filter((_, i) => ![0, 3, 9].includes(i))];
  assert.deepEqual(sortedByStart(shuffled).map((o) => o.microBatch), row.map((o) => o.microBatch));
});

test('every op kind has a theme colour variable; buckets cover kind × direction × shade', () => {
  for (const k of OP_KINDS) assert.match(OP_COLOR_VARS[k], /^--vscode-/);
  const seen = new Set<number>();
  for (const kind of OP_KINDS) {
    for (const direction of [0, 1] as const) {
      for (let microBatch = 0; microBatch < 8; microBatch++) {
        const b = bucketOf({ kind, direction, microBatch, start: 0, end: 1 });
        assert.ok(b >= 0 && b < BUCKETS);
        const parts = bucketParts(b);
        assert.equal(parts.kind, kind);
        assert.equal(parts.hatched, direction === 1);
        seen.add(b);
      }
    }
  }
  assert.equal(seen.size, BUCKETS);
  // Consecutive micro-batches get different shades.
  assert.notEqual(bucketParts(bucketOf({ kind: 'F', microBatch: 4, start: 0, end: 1 })).alpha, bucketParts(bucketOf({ kind: 'F', microBatch: 5, start: 0, end: 1 })).alpha);
});

test('layout emits only visible ops, clipped to the plot, grouped by bucket', () => {
  const rows = lanesOfRows([syntheticRow(100, 1, 0), syntheticRow(100, 1, 0)]);
  const all = layoutOps(rows, fitViewport(100, W), g);
  assert.equal(all.count, 200);
  const window = layoutOps(rows, { startSeconds: 10.5, pxPerSecond: 100 }, g); // 10.5 s .. 20.5 s
  assert.equal(window.count, 2 * 11); // ops 10..20 on each row
  let minX = Infinity;
  let maxX = -Infinity;
  for (const rects of window.rects) {
    for (let i = 0; i < rects.length; i += 4) {
      minX = Math.min(minX, rects[i]);
      maxX = Math.max(maxX, rects[i] + rects[i + 2]);
    }
  }
  assert.equal(minX, g.gutter);
  assert.ok(maxX <= g.width);
});

test('time-axis ticks are 1-2-5 steps about 80 px apart', () => {
  assert.equal(tickStep(20), 5);
  assert.equal(tickStep(100), 1);
  assert.equal(tickStep(1000), 0.1);
  assert.deepEqual(ticks({ startSeconds: 0, pxPerSecond: 20 }, 200), [0, 5, 10]);
});

test('memory bars scale to the larger of peak and HBM; the parts are proportional', () => {
  const scale = memoryScaleGiB(60, 80);
  assert.ok(scale > 80);
  const seg = memorySegments({ parametersGiB: 10, gradientsGiB: 5, optimizerGiB: 20, activationsGiB: 20, buffersGiB: -1 }, 100);
  assert.deepEqual(seg, [10, 5, 20, 20, 0]);
  assert.ok(memoryScaleGiB(120, 80) > 120);
});
