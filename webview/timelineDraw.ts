/**
 * Draws one step's pipeline timeline on a 2D context. No DOM lookups: the view hands in the context, the resolved
 * theme colours and the geometry, so the same code runs against a counting fake in Node tests.
 * Fills are batched by bucket (kind × direction × shade): at most 40 fill-style changes whatever the op count.
 */
import type { OpKind, TimedOp } from '../simulator/schedules/types';
import { opLabel, formatSeconds } from './format';
import { BUCKETS, bucketParts, firstEndingAfter, layoutOps, plotWidth, rowTop, ticks, timeToX, type TimelineGeometry, type Viewport } from './geometry';

/** The subset of CanvasRenderingContext2D used here. */
export interface Ctx2D {
  fillStyle: unknown;
  strokeStyle: unknown;
  globalAlpha: number;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  save(): void;
  restore(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  fillText(text: string, x: number, y: number): void;
}

/** Theme colours, already resolved from --vscode-* variables by the view. */
export interface TimelinePalette {
  ops: Record<OpKind, string>;
  /**
   * Colour of the band drawn across the second DualPipe direction's blocks. A solid band, not a hatch pattern: a
   * pattern fill is shaded per pixel in software and cost ~30 ms a frame on DualPipe timelines (Chromium trace,
   * CanvasRenderingContext2D::FinalizeFrame), a band costs one more solid rectangle per block.
   */
  hatch: string;
  foreground: string;
  /** Idle track behind the ops, drawn at trackAlpha. */
  track: string;
  trackAlpha: number;
  /** Text drawn on blocks. */
  onBlock: string;
  focus: string;
  font: string;
}

export interface TimelineScene {
  rows: readonly (readonly TimedOp[])[];
  makespanSeconds: number;
  viewport: Viewport;
  geometry: TimelineGeometry;
  height: number;
  devicePixelRatio: number;
  /** [rank, index] of the hovered op. */
  hover?: [number, number];
}

export interface DrawStats {
  ops: number;
  fillChanges: number;
}

/** The second direction's band: its height as a fraction of the block's, and its opacity. */
const BAND_FRACTION = 0.3;
const BAND_ALPHA = 0.6;

/** Block labels appear once a block is this wide. */
const LABEL_MIN_PX = 34;

export function drawTimeline(ctx: Ctx2D, scene: TimelineScene, palette: TimelinePalette): DrawStats {
  const { rows, viewport: vp, geometry: g } = scene;
  const dpr = scene.devicePixelRatio > 0 ? scene.devicePixelRatio : 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.width, scene.height);
  ctx.globalAlpha = 1;
  ctx.font = palette.font;

  const width = plotWidth(g);
  const endX = Math.min(width, timeToX(scene.makespanSeconds, vp));

  // Idle tracks: whatever of a row no op covers stays this colour.
  ctx.fillStyle = palette.track;
  ctx.globalAlpha = palette.trackAlpha;
  for (let r = 0; r < rows.length; r++) {
    const x0 = Math.max(0, timeToX(0, vp));
    if (endX > x0) ctx.fillRect(g.gutter + x0, rowTop(r, g), endX - x0, g.rowHeight);
  }

  ctx.globalAlpha = 1;

  // Ops, one fill per bucket; the second direction gets a band across the middle of its blocks.
  const buckets = layoutOps(rows, vp, g);
  let fillChanges = 0;
  for (let b = 0; b < BUCKETS; b++) {
    const rects = buckets.rects[b];
    if (rects.length === 0) continue;
    const { kind, hatched, alpha } = bucketParts(b);
    ctx.fillStyle = palette.ops[kind];
    ctx.globalAlpha = alpha;
    fillChanges++;
    for (let i = 0; i < rects.length; i += 4) ctx.fillRect(rects[i], rects[i + 1], rects[i + 2], rects[i + 3]);
    if (hatched) {
      ctx.fillStyle = palette.hatch;
      ctx.globalAlpha = BAND_ALPHA;
      fillChanges++;
      for (let i = 0; i < rects.length; i += 4) {
        const h = rects[i + 3];
        const band = Math.max(1, h * BAND_FRACTION);
        ctx.fillRect(rects[i], rects[i + 1] + (h - band) / 2, rects[i + 2], band);
      }
    }
  }
  ctx.globalAlpha = 1;

  // Labels on blocks wide enough to hold them; only visible ops are visited.
  ctx.save();
  ctx.beginPath();
  ctx.rect(g.gutter, 0, width, scene.height);
  ctx.clip();
  ctx.fillStyle = palette.onBlock;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const t1 = vp.startSeconds + width / vp.pxPerSecond;
  for (let r = 0; r < rows.length; r++) {
    const ops = rows[r];
    const y = rowTop(r, g) + g.rowHeight / 2;
    for (let i = firstEndingAfter(ops, vp.startSeconds); i < ops.length; i++) {
      const op = ops[i];
      if (op.start >= t1) break;
      const w = (op.end - op.start) * vp.pxPerSecond;
      if (w < LABEL_MIN_PX) continue;
      const label = opLabel(op);
      if (label.length * 6.5 > w - 4) continue;
      const x = Math.max(0, timeToX(op.start, vp));
      const right = Math.min(width, timeToX(op.end, vp));
      ctx.fillText(label, g.gutter + (x + right) / 2, y);
    }
  }
  ctx.restore();

  // Rank labels, time axis, end of the step.
  ctx.fillStyle = palette.foreground;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let r = 0; r < rows.length; r++) ctx.fillText(`${r}`, g.gutter - 6, rowTop(r, g) + g.rowHeight / 2);

  ctx.strokeStyle = palette.foreground;
  ctx.lineWidth = 1;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.globalAlpha = 0.6;
  ctx.beginPath();
  for (const t of ticks(vp, width)) {
    const x = Math.round(g.gutter + timeToX(t, vp)) + 0.5;
    ctx.moveTo(x, g.axis - 6);
    ctx.lineTo(x, g.axis);
    if (x < g.width - 40) ctx.fillText(formatSeconds(t), x + 3, 2);
  }
  ctx.moveTo(g.gutter, g.axis + 0.5);
  ctx.lineTo(g.width, g.axis + 0.5);
  if (endX >= 0 && endX <= width) {
    const x = Math.round(g.gutter + endX) + 0.5;
    ctx.moveTo(x, g.axis);
    ctx.lineTo(x, scene.height);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;

  if (scene.hover) {
    const [r, i] = scene.hover;
    const op = rows[r]?.[i];
    if (op) {
      const x = Math.max(0, timeToX(op.start, vp));
      const right = Math.min(width, timeToX(op.end, vp));
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(g.gutter + x - 1, rowTop(r, g) - 1, Math.max(2, right - x) + 2, g.rowHeight + 2);
    }
  }
  return { ops: buckets.count, fillChanges };
}
