/**
 * Level-of-detail drawing of the timeline's op layer. When a window shows more ops than it has pixels for (a
 * 64 × 512 step fitted to 900 px: 65,536 ops, most under a pixel), each lane's ops are rasterised into per-device-
 * pixel-column coverage in typed arrays and the plot is written with one putImageData: O(ops + pixels), instead of
 * one fillRect per op.
 *
 * The image is the one the canvas's own antialiased fills give: a column covered by the fraction c of a block of
 * opacity α takes c·α of the block's colour over the idle track (box-filter coverage, which is what Skia computes
 * for an axis-aligned rectangle); blocks keep the rectangle path's geometry (geometry.ts blockSpan: the 1 px gap,
 * the 0.5 px minimum). Where more than a full pixel of blocks piles into one column (the 0.5 px minimum at deep
 * zoom-out), their colours are averaged by coverage, as a stack of nearly opaque fills would show.
 * Pure: no DOM; the view hands in colours already parsed to RGBA.
 */
import type { OpKind } from '../simulator/schedules/types';
import { BAND_ALPHA, bandHeight, blockSpan, BUCKETS, bucketParts, type LaneColumns, plotWidth, rowTop, timeToX, type TimelineGeometry, type Viewport, visibleRange } from './geometry';

/** A colour as the canvas reads it back: r, g, b in 0–255, alpha in 0–1 (not premultiplied). */
export type Rgba = readonly [number, number, number, number];

/** Colours for the raster, premultiplied, in 0–1. */
export interface RasterColors {
  /** [r, g, b, a] per bucket at the bucket's opacity. */
  buckets: Float32Array;
  /** 1 where the bucket is DualPipe's second direction (hatched). */
  hatched: Uint8Array;
  /** The idle track at its opacity. */
  track: Float32Array;
  /** The band across the second direction's blocks (geometry.ts bandHeight), at BAND_ALPHA. */
  band: Float32Array;
}

export function rasterColors(ops: Readonly<Record<OpKind, Rgba>>, track: Rgba, trackAlpha: number, band: Rgba): RasterColors {
  const buckets = new Float32Array(BUCKETS * 4);
  const hatched = new Uint8Array(BUCKETS);
  for (let b = 0; b < BUCKETS; b++) {
    const { kind, hatched: h, alpha } = bucketParts(b);
    premultiply(ops[kind], alpha, buckets, 4 * b);
    hatched[b] = h ? 1 : 0;
  }
  const trackColor = new Float32Array(4);
  premultiply(track, trackAlpha, trackColor, 0);
  const bandColor = new Float32Array(4);
  premultiply(band, BAND_ALPHA, bandColor, 0);
  return { buckets, hatched, track: trackColor, band: bandColor };
}

function premultiply(c: Rgba, alpha: number, out: Float32Array, at: number): void {
  const a = Math.min(1, Math.max(0, c[3] * alpha));
  out[at] = (c[0] / 255) * a;
  out[at + 1] = (c[1] / 255) * a;
  out[at + 2] = (c[2] / 255) * a;
  out[at + 3] = a;
}

/** Per lane and column: premultiplied r, g, b, a of the blocks, and the coverage of hatched blocks. */
export const ACC_STRIDE = 5;

/**
 * Adds span [x0, x1) (in columns; clipped to 0..columns) to `acc`: each column it touches gets the colour
 * (r, g, b, a) and hatch h, times the fraction of the column the span covers.
 */
export function addSpan(acc: Float32Array, columns: number, x0: number, x1: number, r: number, g: number, b: number, a: number, h: number): void {
  if (x0 < 0) x0 = 0;
  if (x1 > columns) x1 = columns;
  if (!(x1 > x0)) return;
  const j0 = Math.floor(x0);
  const j1 = Math.ceil(x1) - 1;
  let j = j0;
  let o = j0 * ACC_STRIDE;
  for (; j <= j1; j++, o += ACC_STRIDE) {
    const c = j === j0 || j === j1 ? Math.min(x1, j + 1) - Math.max(x0, j) : 1;
    acc[o] += c * r;
    acc[o + 1] += c * g;
    acc[o + 2] += c * b;
    acc[o + 3] += c * a;
    acc[o + 4] += c * h;
  }
}

/** What the raster wrote into; an ImageData in the browser. */
export interface RasterTarget {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface RasterScene {
  lanes: LaneColumns;
  makespanSeconds: number;
  viewport: Viewport;
  geometry: TimelineGeometry;
  devicePixelRatio: number;
}

/** The device column the raster's column 0 lands on (the plot's left edge, rounded down). */
export function rasterOrigin(g: TimelineGeometry, dpr: number): number {
  return Math.floor(g.gutter * dpr);
}

/**
 * Accumulates rank r's visible blocks into `acc` (columns × ACC_STRIDE, zeroed by the caller), in the raster's
 * columns. Returns the ops visited.
 */
export function accumulateLane(acc: Float32Array, columns: number, scene: RasterScene, r: number, colors: RasterColors): number {
  const { lanes, viewport: vp, geometry: g } = scene;
  const dpr = scene.devicePixelRatio;
  const origin = rasterOrigin(g, dpr);
  const width = plotWidth(g);
  const span = new Float64Array(2);
  const [from, to] = visibleRange(lanes, r, vp, width);
  const { buckets, hatched } = colors;
  for (let i = from; i < to; i++) {
    blockSpan(lanes.start[i], lanes.end[i], vp, width, span);
    if (!(span[1] > 0)) continue;
    const b = lanes.bucket[i];
    const x0 = (g.gutter + span[0]) * dpr - origin;
    addSpan(acc, columns, x0, x0 + span[1] * dpr, buckets[4 * b], buckets[4 * b + 1], buckets[4 * b + 2], buckets[4 * b + 3], hatched[b]);
  }
  return to - from;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A premultiplied colour (0–1) as one RGBA pixel of ImageData (straight alpha, bytes), read as a 32-bit word. */
function pack(r: number, g: number, b: number, a: number): number {
  if (!(a > 0)) return 0;
  const k = 255 / a;
  const R = Math.min(255, Math.round(r * k));
  const G = Math.min(255, Math.round(g * k));
  const B = Math.min(255, Math.round(b * k));
  const A = Math.min(255, Math.round(a * 255));
  return LITTLE_ENDIAN ? ((A << 24) | (B << 16) | (G << 8) | R) >>> 0 : ((R << 24) | (G << 16) | (B << 8) | A) >>> 0;
}

/**
 * One pixel: the column's blocks (acc at o, premultiplied) over the track (coverage `tc`), each laid on with the
 * pixel's vertical coverage v as a fill would be (track first, then the blocks over it), then the band over the
 * second direction's share of the column, with the pixel's vertical coverage of the band `vb`.
 */
function over(acc: Float32Array, o: number, track: Float32Array, tc: number, v: number, band: Float32Array, vb: number): number {
  const a = acc[o + 3] * v;
  const under = tc * v * (1 - a);
  let R = acc[o] * v + track[0] * under;
  let G = acc[o + 1] * v + track[1] * under;
  let B = acc[o + 2] * v + track[2] * under;
  let A = a + track[3] * under;
  const h = Math.min(1, acc[o + 4]) * vb;
  if (h > 0) {
    const keep = 1 - band[3] * h;
    R = R * keep + band[0] * h;
    G = G * keep + band[1] * h;
    B = B * keep + band[2] * h;
    A = A * keep + band[3] * h;
  }
  return pack(R, G, B, A);
}

/**
 * Rasterises every lane's idle track and blocks into `target` (device pixels; column 0 = rasterOrigin, row 0 = the
 * canvas's top), which must start transparent. Returns the ops visited.
 */
export function rasterizeOps(target: RasterTarget, scene: RasterScene, colors: RasterColors): number {
  const { lanes, viewport: vp, geometry: g } = scene;
  const dpr = scene.devicePixelRatio;
  const columns = target.width;
  const origin = rasterOrigin(g, dpr);
  const width = plotWidth(g);
  const pixels = new Uint32Array(target.data.buffer, target.data.byteOffset, target.width * target.height);
  const acc = new Float32Array(columns * ACC_STRIDE);
  const row = new Uint32Array(columns);
  // The idle track: the same span on every lane, from the step's start to its end (clipped to the window).
  const trackCover = new Float32Array(columns * ACC_STRIDE);
  const trackFrom = Math.max(0, timeToX(0, vp));
  const trackTo = Math.min(width, timeToX(scene.makespanSeconds, vp));
  if (trackTo > trackFrom) addSpan(trackCover, columns, (g.gutter + trackFrom) * dpr - origin, (g.gutter + trackTo) * dpr - origin, 0, 0, 0, 1, 0);
  const track = colors.track;
  const band = colors.band;
  let visited = 0;
  for (let r = 0; r < lanes.ranks; r++) {
    acc.fill(0);
    visited += accumulateLane(acc, columns, scene, r, colors);
    // Composite each column: blocks (averaged where they pile past full coverage) over the track.
    let hatchedColumns = false;
    for (let j = 0, o = 0; j < columns; j++, o += ACC_STRIDE) {
      const a = acc[o + 3];
      if (a > 1) {
        const k = 1 / a;
        acc[o] *= k;
        acc[o + 1] *= k;
        acc[o + 2] *= k;
        acc[o + 3] = 1;
        acc[o + 4] *= k;
      }
      if (acc[o + 4] > 0) hatchedColumns = true;
      row[j] = over(acc, o, track, trackCover[o + 3], 1, band, 0);
    }
    // The lane's device rows; the top and bottom ones partly covered when the edges fall inside a pixel.
    const top = rowTop(r, g) * dpr;
    const bottom = (rowTop(r, g) + g.rowHeight) * dpr;
    const bandTop = (rowTop(r, g) + (g.rowHeight - bandHeight(g.rowHeight)) / 2) * dpr;
    const bandBottom = bandTop + bandHeight(g.rowHeight) * dpr;
    const y0 = Math.max(0, Math.floor(top));
    const y1 = Math.min(target.height, Math.ceil(bottom));
    for (let y = y0; y < y1; y++) {
      const v = Math.min(1, Math.min(bottom, y + 1) - Math.max(top, y));
      const vb = Math.max(0, Math.min(bandBottom, y + 1) - Math.max(bandTop, y));
      const line = y * columns;
      if (v >= 1 && (!hatchedColumns || vb <= 0)) {
        pixels.set(row, line);
        continue;
      }
      for (let j = 0, o = 0; j < columns; j++, o += ACC_STRIDE) {
        pixels[line + j] = v >= 1 && !(acc[o + 4] > 0 && vb > 0) ? row[j] : over(acc, o, track, trackCover[o + 3], v, band, vb);
      }
    }
  }
  return visited;
}
