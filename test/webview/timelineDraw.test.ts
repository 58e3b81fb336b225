import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSchedule } from '../../simulator/schedules/index';
import type { TimedOp } from '../../simulator/schedules/types';
import { executeSchedule, unitDurations } from '../../simulator/timeline';
import { BUCKETS, canvasHeight, fitViewport, plotWidth, zoomAt, type TimelineGeometry } from '../../webview/geometry';
import { lanesOfRows } from '../../webview/lanes';
import { drawTimeline, type TimelinePalette } from '../../webview/timelineDraw';
import { RecordingCtx as FakeCtx, syntheticRow } from './fixtures';

const palette: TimelinePalette = {
  ops: { F: 'var(--vscode-charts-blue)', B: 'green', b: 'yellow', W: 'purple', FB: 'orange' },
  hatch: 'hatch',
  foreground: 'fg',
  track: 'track',
  trackAlpha: 0.1,
  onBlock: 'bg',
  focus: 'focus',
  font: '11px monospace',
};

const geometry: TimelineGeometry = { width: 1232, gutter: 32, axis: 20, rowHeight: 20, rowGap: 3 };

/** DualPipe, 16 ranks × N micro-batches (both directions), unit costs F=1, b=1, W=1, B=2, F&B=3. */
function dualPipe16x120(microBatches = 120): TimedOp[][] {
  const schedule = generateSchedule({ kind: 'dualpipe', ranks: 16, microBatches });
  assert.ok(schedule.ok, !schedule.ok ? schedule.reason : '');
  const timeline = executeSchedule(schedule.value, unitDurations({ F: 1, B: 2, b: 1, W: 1, FB: 3 }));
  assert.ok(timeline.ok, !timeline.ok ? timeline.reason : '');
  return timeline.value.ranks;
}

function scene(rows: readonly (readonly TimedOp[])[], makespan: number, vp = fitViewport(makespan, plotWidth(geometry))) {
  return { lanes: lanesOfRows(rows), makespanSeconds: makespan, viewport: vp, geometry, height: canvasHeight(geometry, rows.length), devicePixelRatio: 2 };
}

test('every visible op is drawn once, with at most one fill change per bucket (plus the band of the second direction)', () => {
  const rows = [syntheticRow(50), syntheticRow(50, 1, 1)];
  const ctx = new FakeCtx();
  const stats = drawTimeline(ctx, scene(rows, 100), palette);
  assert.equal(stats.ops, 100);
  assert.ok(stats.fillChanges <= BUCKETS * 1.5, `${stats.fillChanges} fill changes`);
  // Tracks for idle time, then the ops.
  assert.equal(ctx.fills.filter((f) => f.style === 'track').length, 2);
  assert.equal(ctx.fills.filter((f) => f.style === 'orange').length, 20);
  // The second direction's blocks are filled, then crossed by a solid band inside the block (not a pattern fill).
  const dir1 = rows.flat().filter((o) => o.direction === 1).length;
  const bands = ctx.fills.filter((f) => f.style === 'hatch');
  assert.equal(bands.length, dir1);
  for (const band of bands) {
    const block = ctx.fills.find((f) => f.style !== 'hatch' && f.style !== 'track' && f.x === band.x && f.w === band.w && f.y <= band.y && band.y + band.h <= f.y + f.h);
    assert.ok(block, `band at ${band.x},${band.y} lies inside its block`);
    assert.ok(band.h < block.h, 'the band is thinner than its block');
  }
});

test('labels appear once blocks are wide enough, and only for visible blocks', () => {
  const rows = [syntheticRow(200)];
  const ctx = new FakeCtx();
  drawTimeline(ctx, scene(rows, 200), palette);
  assert.ok(!ctx.texts.some((t) => /^F\d/.test(t)), 'no block labels at 6 px per op');
  const zoomed = new FakeCtx();
  const vp = zoomAt(fitViewport(200, plotWidth(geometry)), 20, 0, 200, plotWidth(geometry));
  drawTimeline(zoomed, scene(rows, 200, vp), palette);
  const labels = zoomed.texts.filter((t) => /^(F|B|b|W)\d/.test(t));
  assert.ok(labels.length > 0 && labels.length <= 12, `${labels.length} labels`);
});

test('the 16 × 120 DualPipe step: every op drawn, idle per rank matches the executed timeline', () => {
  const rows = dualPipe16x120();
  const ops = rows.reduce((n, r) => n + r.length, 0);
  assert.ok(ops > 2000, `${ops} ops`);
  const makespan = Math.max(...rows.map((r) => r[r.length - 1].end));
  const ctx = new FakeCtx();
  const stats = drawTimeline(ctx, scene(rows, makespan), palette);
  assert.equal(stats.ops, ops);
  assert.ok(ctx.styleChanges <= 2 * BUCKETS + 10, `${ctx.styleChanges} fillStyle changes`);
});

/** Counts calls only, so the timing measures the draw's own script work. */
