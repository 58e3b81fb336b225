import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSchedule } from '../../simulator/schedules/index';
import { KIND_NAMES } from '../../simulator/schedules/program';
import type { OpKind, TimedOp } from '../../simulator/schedules/types';
import { executeSchedule, unitDurations } from '../../simulator/timeline';
import { bandHeight, blockSpan, bucketParts, canvasHeight, fitViewport, OP_KINDS, plotWidth, rowTop, timeToX, zoomAt, type TimelineGeometry, type Viewport } from '../../webview/geometry';
import { simulate } from '../../simulator/simulate';
import { lanesOfRows, lanesOfTimeline, type Lanes } from '../../webview/lanes';
import { RecordingCtx, sampleConfig } from './fixtures';
import { prng } from '../support/generate';
import { drawTimeline, shouldRasterise, type TimelinePalette } from '../../webview/timelineDraw';
import { ACC_STRIDE, accumulateLane, addSpan, rasterColors, rasterizeOps, rasterOrigin, type RasterTarget, type Rgba } from '../../webview/timelineRaster';

/** Exact overlap of [x0, x1) with column j of 0..columns: the brute-force reference. */
function overlap(x0: number, x1: number, j: number, columns: number): number {
  return Math.max(0, Math.min(x1, j + 1, columns) - Math.max(x0, j, 0));
}

const COLORS: Record<OpKind, Rgba> = { F: [55, 148, 255, 1], B: [137, 209, 133, 1], b: [204, 167, 0, 1], W: [179, 128, 255, 1], FB: [209, 134, 22, 1] };
const FG: Rgba = [204, 204, 204, 1];
const BG: Rgba = [30, 30, 30, 1];

/** Ops of random lengths (from a hundredth of a pixel to tens of pixels at `pxPerSecond`) and random idle gaps. */
function randomLanes(seed: number, ranks: number, count: number, direction = false): TimedOp[][] {
  const next = prng(seed);
  const rows: TimedOp[][] = [];
  for (let r = 0; r < ranks; r++) {
    const row: TimedOp[] = [];
    let t = next() * 3;
    for (let i = 0; i < count; i++) {
      const d = 10 ** (next() * 3.5 - 2);
      row.push({ kind: OP_KINDS[Math.floor(next() * 5)], microBatch: i, direction: direction && next() < 0.5 ? 1 : 0, start: t, end: t + d });
      t += d + (next() < 0.5 ? 0 : next() * 4);
    }
    rows.push(row);
  }
  return rows;
}

test('the simulator kind codes index OP_KINDS, so a bucket read from columns is the one bucketOf gives', () => {
  assert.deepEqual([...KIND_NAMES], [...OP_KINDS]);
});

test('a span adds its coverage to each column it touches, as an exact overlap computes it', () => {
  const next = prng(1);
  const columns = 37;
  for (let trial = 0; trial < 500; trial++) {
    const x0 = next() * 45 - 4;
    const x1 = x0 + (next() < 0.3 ? next() * 0.9 : next() * 20);
    const acc = new Float32Array(columns * ACC_STRIDE);
    addSpan(acc, columns, x0, x1, 0.25, 0.5, 0.75, 1, 2);
    for (let j = 0; j < columns; j++) {
      const c = overlap(x0, x1, j, columns);
      const got = acc.subarray(j * ACC_STRIDE, (j + 1) * ACC_STRIDE);
      for (const [k, weight] of [0.25, 0.5, 0.75, 1, 2].entries()) assert.ok(Math.abs(got[k] - c * weight) < 1e-5, `trial ${trial}, column ${j}: ${got[k]} ≠ ${c * weight}`);
    }
  }
});

test("a lane's coverage per pixel column equals the brute-force sum over its blocks, at every zoom and pixel ratio", () => {
  const geometry: TimelineGeometry = { width: 232, gutter: 32, axis: 20, rowHeight: 8, rowGap: 1 };
  const colors = rasterColors(COLORS, FG, 0.09, BG);
  for (const [seed, dpr, zoom] of [
    [2, 1, 1],
    [3, 2, 1],
    [4, 1.5, 3],
    [5, 1.25, 40],
    [6, 1, 0.7],
  ] as const) {
    const rows = randomLanes(seed, 3, 400, true);
    const lanes = lanesOfRows(rows);
    const makespan = Math.max(...rows.map((r) => r[r.length - 1].end));
    const width = plotWidth(geometry);
    const fit = fitViewport(makespan, width);
    const vp: Viewport = zoom === 1 ? fit : { startSeconds: makespan * 0.2, pxPerSecond: fit.pxPerSecond * zoom };
    const origin = rasterOrigin(geometry, dpr);
    const columns = Math.round(geometry.width * dpr) - origin;
    const span = new Float64Array(2);
    for (let r = 0; r < lanes.ranks; r++) {
      const acc = new Float32Array(columns * ACC_STRIDE);
      accumulateLane(acc, columns, { lanes, makespanSeconds: makespan, viewport: vp, geometry, devicePixelRatio: dpr }, r, colors);
      // Reference: every op of the lane (not only the visible ones), every column.
      const alpha = new Float64Array(columns);
      const hatch = new Float64Array(columns);
      for (let i = lanes.first[r]; i < lanes.first[r + 1]; i++) {
        const x = timeToX(lanes.start[i], vp);
        if (x >= width || timeToX(lanes.end[i], vp) <= 0) continue;
        blockSpan(lanes.start[i], lanes.end[i], vp, width, span);
        const x0 = (geometry.gutter + span[0]) * dpr - origin;
        const x1 = x0 + span[1] * dpr;
        const { alpha: a, hatched } = bucketParts(lanes.bucket[i]);
        for (let j = 0; j < columns; j++) {
          alpha[j] += overlap(x0, x1, j, columns) * a;
          if (hatched) hatch[j] += overlap(x0, x1, j, columns);
        }
      }
      for (let j = 0; j < columns; j++) {
        assert.ok(Math.abs(acc[j * ACC_STRIDE + 3] - alpha[j]) < 1e-4, `seed ${seed} rank ${r} column ${j}: ${acc[j * ACC_STRIDE + 3]} ≠ ${alpha[j]}`);
        assert.ok(Math.abs(acc[j * ACC_STRIDE + 4] - hatch[j]) < 1e-4, `seed ${seed} rank ${r} column ${j} hatch`);
      }
    }
  }
});

/**
 * The rectangle path's pixels, computed the way the canvas does: each fill (track, then the blocks by bucket) laid
 * over what is there with its antialiased coverage (overlap area of the device pixel), source-over.
 */
function referenceImage(lanes: Lanes, makespan: number, vp: Viewport, g: TimelineGeometry, dpr: number, palette: ReturnType<typeof rasterColors>): { image: Float64Array; owners: Int32Array; W: number; H: number } {
  const W = Math.round(g.width * dpr);
  const H = Math.round(canvasHeight(g, lanes.ranks) * dpr);
  const image = new Float64Array(W * H * 4);
  // How many blocks touch each pixel (a pixel two blocks share is blended differently; see the test).
  const owners = new Int32Array(W * H);
  const fill = (x: number, y: number, w: number, h: number, color: ArrayLike<number>, count: boolean) => {
    const x0 = x * dpr;
    const x1 = (x + w) * dpr;
    const y0 = y * dpr;
    const y1 = (y + h) * dpr;
    for (let py = Math.max(0, Math.floor(y0)); py < Math.min(H, Math.ceil(y1)); py++) {
      const cy = Math.min(y1, py + 1) - Math.max(y0, py);
      for (let px = Math.max(Math.floor(g.gutter * dpr), Math.floor(x0)); px < Math.min(W, Math.ceil(x1)); px++) {
        const c = cy * (Math.min(x1, px + 1) - Math.max(x0, px));
        if (c <= 0) continue;
        const o = (py * W + px) * 4;
        const a = color[3] * c;
        for (let k = 0; k < 4; k++) image[o + k] = color[k] * c + image[o + k] * (1 - a);
        if (count) owners[py * W + px]++;
      }
    }
  };
  const width = plotWidth(g);
  const endX = Math.min(width, timeToX(makespan, vp));
  const x0 = Math.max(0, timeToX(0, vp));
  for (let r = 0; r < lanes.ranks; r++) if (endX > x0) fill(g.gutter + x0, rowTop(r, g), endX - x0, g.rowHeight, palette.track, false);
  const span = new Float64Array(2);
  for (let b = 0; b < palette.hatched.length; b++) {
    for (let r = 0; r < lanes.ranks; r++) {
      for (let i = lanes.first[r]; i < lanes.first[r + 1]; i++) {
        if (lanes.bucket[i] !== b || lanes.end[i] <= vp.startSeconds || timeToX(lanes.start[i], vp) >= width) continue;
        blockSpan(lanes.start[i], lanes.end[i], vp, width, span);
        fill(g.gutter + span[0], rowTop(r, g), span[1], g.rowHeight, palette.buckets.subarray(4 * b, 4 * b + 4), true);
      }
    }
    // The second direction: a band across the middle of each of this bucket's blocks, as timelineDraw.ts draws it.
    if (!palette.hatched[b]) continue;
    const band = bandHeight(g.rowHeight);
    for (let r = 0; r < lanes.ranks; r++) {
      for (let i = lanes.first[r]; i < lanes.first[r + 1]; i++) {
        if (lanes.bucket[i] !== b || lanes.end[i] <= vp.startSeconds || timeToX(lanes.start[i], vp) >= width) continue;
        blockSpan(lanes.start[i], lanes.end[i], vp, width, span);
        fill(g.gutter + span[0], rowTop(r, g) + (g.rowHeight - band) / 2, span[1], band, palette.band, false);
      }
    }
  }
  return { image, owners, W, H };
}

test('where blocks are a pixel or wider, the raster gives the pixels the rectangles would', () => {
  const g: TimelineGeometry = { width: 332, gutter: 32, axis: 20, rowHeight: 12, rowGap: 3 };
  const palette = rasterColors(COLORS, FG, 0.09, BG);
  for (const dpr of [1, 2, 1.5]) {
    // Blocks of 1–12 px at this zoom, with and without idle gaps.
    const next = prng(7 + dpr);
    const rows: TimedOp[][] = [];
    for (let r = 0; r < 4; r++) {
      const row: TimedOp[] = [];
      let t = 0;
      for (let i = 0; i < 60; i++) {
        const d = 1 + next() * 11;
        row.push({ kind: OP_KINDS[i % 5], microBatch: i, direction: next() < 0.3 ? 1 : 0, start: t, end: t + d });
        t += d + (next() < 0.5 ? 0 : next() * 6);
      }
      rows.push(row);
    }
    const lanes = lanesOfRows(rows);
    const makespan = Math.max(...rows.map((r) => r[r.length - 1].end));
    const vp = { startSeconds: 13.3, pxPerSecond: 1 };
    const origin = rasterOrigin(g, dpr);
    const W = Math.round(g.width * dpr);
    const H = Math.round(canvasHeight(g, lanes.ranks) * dpr);
    const target: RasterTarget = { width: W - origin, height: H, data: new Uint8ClampedArray((W - origin) * H * 4) };
    rasterizeOps(target, { lanes, makespanSeconds: makespan, viewport: vp, geometry: g, devicePixelRatio: dpr }, palette);
    const ref = referenceImage(lanes, makespan, vp, g, dpr, palette);
    let compared = 0;
    for (let y = 0; y < H; y++) {
      for (let x = origin; x < W; x++) {
        // A pixel two blocks share: the canvas lets the track show through the seam (conflation), the raster does not.
        if (ref.owners[y * W + x] > 1) continue;
        const o = (y * W + x) * 4;
        const a = ref.image[o + 3];
        const t = (y * (W - origin) + (x - origin)) * 4;
        assert.ok(Math.abs(target.data[t + 3] - a * 255) <= 1, `dpr ${dpr} (${x}, ${y}): alpha ${target.data[t + 3]} ≠ ${a * 255}`);
        if (a > 0.05) for (let k = 0; k < 3; k++) assert.ok(Math.abs(target.data[t + k] - (ref.image[o + k] / a) * 255) <= 2, `dpr ${dpr} (${x}, ${y}) channel ${k}`);
        compared++;
      }
    }
    assert.ok(compared > 0.9 * (W - origin) * H, `${compared} pixels compared`);
  }
});

test('blocks far under a pixel pile up as the rectangles would: widened to 0.5 px, 20 per pixel cover it whole', () => {
  const g: TimelineGeometry = { width: 132, gutter: 32, axis: 20, rowHeight: 8, rowGap: 1 };
  const palette = rasterColors(COLORS, FG, 0, BG);
  // 2000 F ops of 0.025 px, one every 0.05 px.
  const row: TimedOp[] = [];
  for (let i = 0; i < 2000; i++) row.push({ kind: 'F', microBatch: 0, start: i * 0.1, end: i * 0.1 + 0.05 });
  const lanes = lanesOfRows([row]);
  const vp = { startSeconds: 0, pxPerSecond: 0.5 };
  const target: RasterTarget = { width: 100, height: 40, data: new Uint8ClampedArray(100 * 40 * 4) };
  rasterizeOps(target, { lanes, makespanSeconds: 200, viewport: vp, geometry: g, devicePixelRatio: 1 }, palette);
  const y = rowTop(0, g) + 2;
  for (let x = 0; x < 100; x++) {
    const t = (y * 100 + x) * 4;
    assert.equal(target.data[t + 3], 255, `column ${x}`);
    assert.deepEqual([...target.data.subarray(t, t + 3)], [55, 148, 255]);
  }
});

function dualPipeLanes(ranks: number, microBatches: number): { lanes: Lanes; makespan: number } {
  const schedule = generateSchedule({ kind: 'dualpipe', ranks, microBatches });
  assert.ok(schedule.ok);
  const timeline = executeSchedule(schedule.value, unitDurations({ F: 1, B: 2, b: 1, W: 1, FB: 3 }));
  assert.ok(timeline.ok);
  return { lanes: lanesOfRows(timeline.value.ranks), makespan: timeline.value.makespan };
}

const palette: TimelinePalette = {
  ops: { F: 'blue', B: 'green', b: 'yellow', W: 'purple', FB: 'orange' },
  hatch: 'hatch',
  foreground: 'fg',
  track: 'track',
  trackAlpha: 0.09,
  onBlock: 'bg',
  focus: 'focus',
  font: '11px monospace',
  raster: rasterColors(COLORS, FG, 0.09, BG),
};

test('zoomed out, a 64 × 512-sized step is one image, not a fillRect per op; zoomed in, rectangles again', () => {
  const { lanes, makespan } = dualPipeLanes(64, 512);
  const geometry: TimelineGeometry = { width: 900, gutter: 32, axis: 20, rowHeight: 8, rowGap: 1 };
  const height = canvasHeight(geometry, lanes.ranks);
  const fit = fitViewport(makespan, plotWidth(geometry));
  const scene = (viewport: Viewport) => ({ lanes, makespanSeconds: makespan, viewport, geometry, height, devicePixelRatio: 1 });
  const out = new RecordingCtx();
  const stats = drawTimeline(out, scene(fit), palette);
  assert.equal(stats.rasterised, true);
  assert.equal(stats.ops, lanes.first[lanes.ranks]);
  assert.equal(out.images.length, 1);
  assert.ok(out.fills.length < 10, `${out.fills.length} fillRects`);
  // Something was drawn on every lane.
  const image = out.images[0].image;
  for (let r = 0; r < lanes.ranks; r++) {
    const y = rowTop(r, geometry) + 4;
    let opaque = 0;
    // The palest shade is 0.58 opaque (148 of 255), over the track.
    for (let x = 0; x < image.width; x++) if (image.data[(y * image.width + x) * 4 + 3] >= 148) opaque++;
    assert.ok(opaque > image.width / 2, `rank ${r}: ${opaque} opaque pixels`);
  }
  const zoomed = zoomAt(fit, 1000, 400, makespan, plotWidth(geometry));
  const inCtx = new RecordingCtx();
  const inStats = drawTimeline(inCtx, scene(zoomed), palette);
  assert.equal(inStats.rasterised, false);
  assert.equal(inCtx.images.length, 0);
  assert.ok(inStats.ops > 0 && inStats.ops < 2000, `${inStats.ops} ops in view`);
  assert.ok(!shouldRasterise(scene(zoomed), inStats.ops));
});

test("the lanes read from the simulator's columns are the lanes its TimedOps give (buckets, times, ops)", () => {
  const outcome = simulate(sampleConfig());
  assert.ok(outcome.ok);
  const fromColumns = lanesOfTimeline(outcome.result.timeline);
  const fromOps = lanesOfRows(outcome.result.timeline.ops);
  assert.ok(fromColumns.first[fromColumns.ranks] > 1000);
  assert.deepEqual([...fromColumns.first], [...fromOps.first]);
  assert.deepEqual([...fromColumns.bucket], [...fromOps.bucket]);
  assert.deepEqual([...fromColumns.start], [...fromOps.start]);
  assert.deepEqual([...fromColumns.end], [...fromOps.end]);
  assert.ok(new Set(fromColumns.bucket).size > 10, 'both directions and several shades');
  const g = fromColumns.first[3] + 17;
  assert.deepEqual(JSON.parse(JSON.stringify(fromColumns.op(3, g))), JSON.parse(JSON.stringify(fromOps.op(3, g))));
});
