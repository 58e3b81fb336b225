/**
 * Draws one step's pipeline timeline on a 2D context. No DOM lookups: the view hands in the context, the resolved
 * theme colours and the geometry, so the same code runs against a counting fake in Node tests.
 *
 * The op layer has two levels of detail that draw the same picture. Zoomed in, each visible op is a fillRect,
 * batched by bucket (kind × direction × shade): at most 40 fill-style changes whatever the op count. Zoomed out
 * past about one op per RASTER_PIXELS_PER_OP pixels (a 64 × 512 step fitted: 65,536 ops, most under a pixel),
 * the lanes are rasterised into the pixels instead (timelineRaster.ts) and written with one putImageData.
 */
import type { OpKind, TimedOp } from '../simulator/schedules/types';
import { opLabel, formatSeconds } from './format';
import { BAND_ALPHA, bandHeight, BUCKETS, bucketParts, layoutOps, plotWidth, rowTop, ticks, timeToX, visibleOps, visibleRange, type TimelineGeometry, type Viewport } from './geometry';
import type { Lanes } from './lanes';
import { rasterizeOps, rasterOrigin, type RasterColors, type RasterTarget } from './timelineRaster';

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
  createImageData(width: number, height: number): RasterTarget;
  putImageData(image: never, dx: number, dy: number): void;
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
  /** The same colours parsed for the raster; without them every op is drawn as a rectangle. */
  raster?: RasterColors;
}

export interface TimelineScene {
  lanes: Lanes;
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
  /** The op layer was rasterised (one putImageData) rather than drawn as rectangles. */
  rasterised: boolean;
}

/** Block labels appear once a block is this wide. */
const LABEL_MIN_PX = 34;

/**
 * Rasterise once the window has fewer lane pixels than this many per visible op. A fillRect costs about as much as
 * rasterising 100 pixels (measured in Chromium's software canvas: ~1 µs per fillRect, ~10 ns per pixel), so below
 * this the rectangles are cheaper and above it the raster is.
 */
export const RASTER_PIXELS_PER_OP = 100;

/** Whether the op layer of `scene` is cheaper rasterised (see RASTER_PIXELS_PER_OP). */
export function shouldRasterise(scene: TimelineScene, visible: number): boolean {
  const g = scene.geometry;
  const dpr = scene.devicePixelRatio > 0 ? scene.devicePixelRatio : 1;
  const lanePixels = plotWidth(g) * dpr * scene.lanes.ranks * g.rowHeight * dpr;
  return visible * RASTER_PIXELS_PER_OP > lanePixels;
}

export function drawTimeline(ctx: Ctx2D, scene: TimelineScene, palette: TimelinePalette): DrawStats {
  const { lanes, viewport: vp, geometry: g } = scene;
  const dpr = scene.devicePixelRatio > 0 ? scene.devicePixelRatio : 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.width, scene.height);
  ctx.globalAlpha = 1;
  ctx.font = palette.font;

  const width = plotWidth(g);
  const endX = Math.min(width, timeToX(scene.makespanSeconds, vp));
  const visible = visibleOps(lanes, vp, width);
  let fillChanges = 0;
  let count: number;
  const rasterised = palette.raster !== undefined && shouldRasterise(scene, visible);
  if (rasterised) {
    // Tracks and ops in one image; putImageData ignores the transform, so it is placed in device pixels.
    const origin = rasterOrigin(g, dpr);
    const image = ctx.createImageData(Math.max(1, Math.round(g.width * dpr) - origin), Math.max(1, Math.round(scene.height * dpr)));
    count = rasterizeOps(image, { lanes, makespanSeconds: scene.makespanSeconds, viewport: vp, geometry: g, devicePixelRatio: dpr }, palette.raster as RasterColors);
    ctx.putImageData(image as never, origin, 0);
  } else {
    // Idle tracks: whatever of a row no op covers stays this colour.
    ctx.fillStyle = palette.track;
    ctx.globalAlpha = palette.trackAlpha;
    for (let r = 0; r < lanes.ranks; r++) {
      const x0 = Math.max(0, timeToX(0, vp));
      if (endX > x0) ctx.fillRect(g.gutter + x0, rowTop(r, g), endX - x0, g.rowHeight);
    }
    ctx.globalAlpha = 1;

    // Ops, one fill per bucket; the second direction gets a band across the middle of its blocks.
    const buckets = layoutOps(lanes, vp, g);
    count = buckets.count;
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
          const band = bandHeight(h);
          ctx.fillRect(rects[i], rects[i + 1] + (h - band) / 2, rects[i + 2], band);
        }
      }
    }
    ctx.globalAlpha = 1;
  }

  // Labels on blocks wide enough to hold them; only visible ops are visited, and only labelled ones become objects.
  ctx.save();
  ctx.beginPath();
  ctx.rect(g.gutter, 0, width, scene.height);
  ctx.clip();
  ctx.fillStyle = palette.onBlock;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const minSeconds = LABEL_MIN_PX / vp.pxPerSecond;
  for (let r = 0; r < lanes.ranks; r++) {
    const y = rowTop(r, g) + g.rowHeight / 2;
    const [from, to] = visibleRange(lanes, r, vp, width);
    for (let i = from; i < to; i++) {
      if (lanes.end[i] - lanes.start[i] < minSeconds) continue;
      const op: TimedOp = lanes.op(r, i);
      const w = (op.end - op.start) * vp.pxPerSecond;
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
  for (let r = 0; r < lanes.ranks; r++) ctx.fillText(`${r}`, g.gutter - 6, rowTop(r, g) + g.rowHeight / 2);

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
    const op = r >= 0 && r < lanes.ranks && i >= lanes.first[r] && i < lanes.first[r + 1] ? lanes.op(r, i) : undefined;
    if (op) {
      const x = Math.max(0, timeToX(op.start, vp));
      const right = Math.min(width, timeToX(op.end, vp));
      ctx.strokeStyle = palette.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(g.gutter + x - 1, rowTop(r, g) - 1, Math.max(2, right - x) + 2, g.rowHeight + 2);
    }
  }
  return { ops: count, fillChanges, rasterised };
}
