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

/** Index of the first op (in start order, non-overlapping) whose end is after `t`; `ops.length` if none. */
export function firstEndingAfter(ops: readonly TimedOp[], t: number): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ops[mid].end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The op under time `t` on one rank, by binary search; within `toleranceSeconds` the nearest op counts too, so a
 * sub-pixel op at full zoom-out can still be hovered. -1 over idle time.
 */
export function hitTest(ops: readonly TimedOp[], t: number, toleranceSeconds = 0): number {
  const i = firstEndingAfter(ops, t);
  if (i < ops.length && ops[i].start <= t) return i;
  if (toleranceSeconds <= 0) return -1;
  let best = -1;
  let bestGap = toleranceSeconds;
  if (i < ops.length && ops[i].start - t <= bestGap) {
    best = i;
    bestGap = ops[i].start - t;
  }
  if (i > 0 && t - ops[i - 1].end < bestGap) best = i - 1;
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
  const dir = op.direction === 1 ? 1 : 0;
  return ((kind < 0 ? 0 : kind) * 2 + dir) * SHADE_ALPHAS.length + shadeOf(op.microBatch);
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

/**
 * Everything the op layer draws, bucketed so the canvas changes fill at most BUCKETS times. Rows are binary-searched
 * for the first visible op, so panning through a long step stays proportional to what is on screen.
 */
export function layoutOps(rows: readonly (readonly TimedOp[])[], vp: Viewport, g: TimelineGeometry): RectBuckets {
  const rects: number[][] = Array.from({ length: BUCKETS }, () => []);
  const width = plotWidth(g);
  const t0 = vp.startSeconds;
  const t1 = xToTime(width, vp);
  // A 1 px gap between neighbours once blocks are wide enough to show it.
  let count = 0;
  for (let r = 0; r < rows.length; r++) {
    const ops = rows[r];
    const y = rowTop(r, g);
    for (let i = firstEndingAfter(ops, t0); i < ops.length; i++) {
      const op = ops[i];
      if (op.start >= t1) break;
      let x = (op.start - t0) * vp.pxPerSecond;
      let w = (op.end - op.start) * vp.pxPerSecond;
      if (x < 0) {
        w += x;
        x = 0;
      }
      if (x + w > width) w = width - x;
      if (w >= 4) w -= 1;
      else if (w < 0.5) w = 0.5;
      const bucket = rects[bucketOf(op)];
      bucket.push(g.gutter + x, y, w, g.rowHeight);
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
