/**
 * Timeline and chart geometry: op → pixels under a zoom, hit-testing, colour buckets. Pure: no DOM, tested in Node.
 * Times are seconds from the start of the step; x is in CSS pixels from the left of the plot area (after the gutter).
 */
import type { OpKind, TimedOp } from '../simulator/schedules/types';

/** What part of the step the plot shows: the time at its left edge and the scale. */
export interface Viewport {
  startSeconds: number;
  pxPerSecond: number;
}

/** Fixed geometry of the timeline canvas, CSS pixels. */
export interface TimelineGeometry {
  /** Whole canvas width. */
  width: number;
  /** Rank labels on the left. */
  gutter: number;
  /** Time axis on top. */
  axis: number;
  rowHeight: number;
  rowGap: number;
}

/** Zooming in stops where one plot width shows this fraction of the step (16 × 120 DualPipe: a few ops). */
export const MAX_ZOOM = 2000;

export function plotWidth(g: TimelineGeometry): number {
  return Math.max(1, g.width - g.gutter);
}

export function canvasHeight(g: TimelineGeometry, ranks: number): number {
  return g.axis + ranks * (g.rowHeight + g.rowGap) + g.rowGap;
}

/** The whole step across the plot. */
export function fitViewport(makespanSeconds: number, width: number): Viewport {
  const span = makespanSeconds > 0 && Number.isFinite(makespanSeconds) ? makespanSeconds : 1;
  return { startSeconds: 0, pxPerSecond: Math.max(1, width) / span };
}

/** Keeps the scale between "whole step" and MAX_ZOOM× that, and the window inside the step. */
export function clampViewport(vp: Viewport, makespanSeconds: number, width: number): Viewport {
  const fit = fitViewport(makespanSeconds, width);
  const span = Math.max(1, width) / fit.pxPerSecond;
  let pxPerSecond = Number.isFinite(vp.pxPerSecond) ? vp.pxPerSecond : fit.pxPerSecond;
  pxPerSecond = Math.min(Math.max(pxPerSecond, fit.pxPerSecond), fit.pxPerSecond * MAX_ZOOM);
  const visible = Math.max(1, width) / pxPerSecond;
  const maxStart = Math.max(0, span - visible);
  const start = Number.isFinite(vp.startSeconds) ? vp.startSeconds : 0;
  return { startSeconds: Math.min(Math.max(start, 0), maxStart), pxPerSecond };
}

/** Zoom by `factor` keeping the time under `anchorX` (plot pixels) where it is. */
export function zoomAt(vp: Viewport, factor: number, anchorX: number, makespanSeconds: number, width: number): Viewport {
  const t = vp.startSeconds + anchorX / vp.pxPerSecond;
  const pxPerSecond = vp.pxPerSecond * factor;
  return clampViewport({ pxPerSecond, startSeconds: t - anchorX / pxPerSecond }, makespanSeconds, width);
}

/** Move the window by `dx` plot pixels (positive: later in the step). */
export function panBy(vp: Viewport, dx: number, makespanSeconds: number, width: number): Viewport {
  return clampViewport({ ...vp, startSeconds: vp.startSeconds + dx / vp.pxPerSecond }, makespanSeconds, width);
}

/** Zoom relative to "whole step" (1 = fit). */
export function zoomLevel(vp: Viewport, makespanSeconds: number, width: number): number {
  return vp.pxPerSecond / fitViewport(makespanSeconds, width).pxPerSecond;
}

export function timeToX(t: number, vp: Viewport): number {
  return (t - vp.startSeconds) * vp.pxPerSecond;
}

export function xToTime(x: number, vp: Viewport): number {
  return vp.startSeconds + x / vp.pxPerSecond;
}

/** An op's horizontal extent in plot pixels. */
export function opSpan(op: { start: number; end: number }, vp: Viewport): { x: number; w: number } {
  const x = timeToX(op.start, vp);
  return { x, w: (op.end - op.start) * vp.pxPerSecond };
}

/** The row (pipeline rank) at canvas y, or -1 (axis, gaps, below the last row). */
export function rowAt(y: number, g: TimelineGeometry, ranks: number): number {
  const inRows = y - g.axis - g.rowGap;
  if (inRows < 0) return -1;
  const pitch = g.rowHeight + g.rowGap;
  const row = Math.floor(inRows / pitch);
  if (row >= ranks || inRows - row * pitch > g.rowHeight) return -1;
  return row;
}

export function rowTop(rank: number, g: TimelineGeometry): number {
  return g.axis + g.rowGap + rank * (g.rowHeight + g.rowGap);
}

/** Index in from..to of the first op (in start order, non-overlapping) whose end is after `t`; `to` if none. */
export function firstEndingAfter(end: Float64Array, from: number, to: number, t: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (end[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The op in from..to under time `t`, by binary search; within `toleranceSeconds` the nearest op counts too, so a
 * sub-pixel op at full zoom-out can still be hovered. -1 over idle time.
 */
export function hitTest(start: Float64Array, end: Float64Array, from: number, to: number, t: number, toleranceSeconds = 0): number {
  const i = firstEndingAfter(end, from, to, t);
  if (i < to && start[i] <= t) return i;
  if (toleranceSeconds <= 0) return -1;
  let best = -1;
  let bestGap = toleranceSeconds;
  if (i < to && start[i] - t <= bestGap) {
    best = i;
    bestGap = start[i] - t;
  }
  if (i > from && t - end[i - 1] < bestGap) best = i - 1;
  return best;
}

/** Ops sorted by start (the timeline's order); a copy only when the input is not already sorted. */
export function sortedByStart(ops: readonly TimedOp[]): readonly TimedOp[] {
  for (let i = 1; i < ops.length; i++) {
    if (ops[i].start < ops[i - 1].start) return [...ops].sort((a, b) => a.start - b.start);
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------------------------
// Colour: kind → theme chart colour, micro-batch → shade, direction → hatching. The canvas resolves the variables.

export const OP_KINDS: readonly OpKind[] = ['F', 'B', 'b', 'W', 'FB'];

/** Theme variables (VS Code's chart palette) per op kind. */
export const OP_COLOR_VARS: Record<OpKind, string> = {
  F: '--vscode-charts-blue',
  B: '--vscode-charts-green',
  b: '--vscode-charts-yellow',
  W: '--vscode-charts-purple',
  FB: '--vscode-charts-orange',
};

/** Opacity per shade: consecutive micro-batches differ, four apart repeat. */
export const SHADE_ALPHAS: readonly number[] = [1, 0.72, 0.86, 0.58];

export function shadeOf(microBatch: number): number {
  const m = Math.abs(Math.trunc(microBatch)) || 0;
  return m % SHADE_ALPHAS.length;
}

/** One fill: a kind, the second direction (hatched) or not, a shade. */
export const BUCKETS = OP_KINDS.length * 2 * SHADE_ALPHAS.length;

export function bucketOf(op: TimedOp): number {
  const kind = OP_KINDS.indexOf(op.kind);
  return bucketCode(kind < 0 ? 0 : kind, op.direction === 1 ? 1 : 0, op.microBatch);
}

/** The bucket from an index into OP_KINDS (the simulator's kind codes), a direction and a micro-batch. */
export function bucketCode(kind: number, direction: number, microBatch: number): number {
  const k = kind >= 0 && kind < OP_KINDS.length ? kind : 0;
  return (k * 2 + (direction === 1 ? 1 : 0)) * SHADE_ALPHAS.length + shadeOf(microBatch);
}

export function bucketParts(bucket: number): { kind: OpKind; hatched: boolean; alpha: number } {
  const shade = bucket % SHADE_ALPHAS.length;
  const rest = Math.floor(bucket / SHADE_ALPHAS.length);
  return { kind: OP_KINDS[Math.floor(rest / 2)], hatched: rest % 2 === 1, alpha: SHADE_ALPHAS[shade] };
}

/** Visible op rectangles grouped by fill, as flat [x, y, w, h, …] arrays in canvas CSS pixels. */
export interface RectBuckets {
  rects: number[][];
  count: number;
}

/** The ops of a timeline, ranks concatenated (webview/lanes.ts builds them): what the op layer reads. */
export interface LaneColumns {
  readonly ranks: number;
  readonly first: Int32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly bucket: Uint8Array;
}

/**
 * The second DualPipe direction's band across the middle of its blocks: its height as a fraction of the block's (at
 * least 1 px), and its opacity (in the background colour).
 */
export const BAND_FRACTION = 0.3;
export const BAND_ALPHA = 0.6;

export function bandHeight(blockHeight: number): number {
  return Math.max(1, blockHeight * BAND_FRACTION);
}

/** Below this width (CSS px) an op's block has no gap after it. */
export const GAP_MIN_PX = 4;
/** Narrower ops are drawn this wide, so that each stays visible. */
export const MIN_OP_PX = 0.5;

/**
 * An op's block in plot pixels, clipped to [0, width): [x, w], w ≤ 0 when nothing of it shows. A 1 px gap between
 * neighbours once blocks are wide enough to show it; thinner ops are widened to MIN_OP_PX.
 */
export function blockSpan(start: number, end: number, vp: Viewport, width: number, out: Float64Array): void {
  let x = (start - vp.startSeconds) * vp.pxPerSecond;
  let w = (end - start) * vp.pxPerSecond;
  if (x < 0) {
    w += x;
    x = 0;
  }
  if (x + w > width) w = width - x;
  if (w >= GAP_MIN_PX) w -= 1;
  else if (w < MIN_OP_PX) w = MIN_OP_PX;
  out[0] = x;
  out[1] = w;
}

/** The visible ops of rank r: [from, to) of the lane's indices whose ops overlap the window. */
export function visibleRange(lanes: LaneColumns, r: number, vp: Viewport, width: number): [number, number] {
  const t0 = vp.startSeconds;
  const t1 = xToTime(width, vp);
  const from = firstEndingAfter(lanes.end, lanes.first[r], lanes.first[r + 1], t0);
  // Then the first op starting at or after t1 (ops are sorted by start).
  let lo = from;
  let hi = lanes.first[r + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lanes.start[mid] < t1) lo = mid + 1;
    else hi = mid;
  }
  return [from, lo];
}

/** Ops visible in the window, all ranks. */
export function visibleOps(lanes: LaneColumns, vp: Viewport, width: number): number {
  let n = 0;
  for (let r = 0; r < lanes.ranks; r++) {
    const [from, to] = visibleRange(lanes, r, vp, width);
    n += to - from;
  }
  return n;
}

/**
 * Everything the op layer draws as rectangles, bucketed so the canvas changes fill at most BUCKETS times. Rows are
 * binary-searched for the visible window, so panning through a long step stays proportional to what is on screen.
 */
export function layoutOps(lanes: LaneColumns, vp: Viewport, g: TimelineGeometry): RectBuckets {
  const rects: number[][] = Array.from({ length: BUCKETS }, () => []);
  const width = plotWidth(g);
  const span = new Float64Array(2);
  let count = 0;
  for (let r = 0; r < lanes.ranks; r++) {
    const y = rowTop(r, g);
    const [from, to] = visibleRange(lanes, r, vp, width);
    for (let i = from; i < to; i++) {
      blockSpan(lanes.start[i], lanes.end[i], vp, width, span);
      rects[lanes.bucket[i]].push(g.gutter + span[0], y, span[1], g.rowHeight);
      count++;
    }
  }
  return { rects, count };
}

/** Nice tick step for a time axis: 1, 2 or 5 × 10^k seconds, about `targetPx` apart. */
export function tickStep(pxPerSecond: number, targetPx = 80): number {
  const raw = targetPx / pxPerSecond;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** Ticks inside the window. */
export function ticks(vp: Viewport, width: number, targetPx = 80): number[] {
  const step = tickStep(vp.pxPerSecond, targetPx);
  const out: number[] = [];
  const end = xToTime(width, vp);
  for (let t = Math.ceil(vp.startSeconds / step) * step; t <= end && out.length < 1000; t += step) out.push(t);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Memory bars.

export const MEMORY_PARTS = ['parametersGiB', 'gradientsGiB', 'optimizerGiB', 'activationsGiB', 'buffersGiB'] as const;
export type MemoryPart = (typeof MEMORY_PARTS)[number];

/** The scale of the memory chart: the larger of the peak and HBM, with headroom so the line is never at the edge. */
export function memoryScaleGiB(peakGiB: number, hbmGiB: number): number {
  const m = Math.max(peakGiB, hbmGiB, 1e-9);
  return Number.isFinite(m) ? m * 1.08 : 1;
}

/** Segment widths as percentages of the scale, in MEMORY_PARTS order; negative or non-finite parts count as 0. */
export function memorySegments(stage: Record<MemoryPart, number>, scaleGiB: number): number[] {
  return MEMORY_PARTS.map((p) => {
    const v = stage[p];
    return Number.isFinite(v) && v > 0 && scaleGiB > 0 ? (v / scaleGiB) * 100 : 0;
  });
}
