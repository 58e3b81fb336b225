/** Shared test data for the preview tests: a resolved config shaped like DeepSeek-V3's, and synthetic timelines. */
import type { ResolvedConfig } from '../../simulator/config';
import type { TimedOp } from '../../simulator/schedules/types';
import type { Ctx2D } from '../../webview/timelineDraw';
import type { RasterTarget } from '../../webview/timelineRaster';
import { deepSeekV3 } from '../simulator/fixtures';

/** DeepSeek-V3 as the simulator tests resolve it: one fixture for the whole suite. */
export function sampleConfig(): ResolvedConfig {
  return deepSeekV3();
}

/** Back-to-back ops of `kinds`, one per micro-batch in turn, with a gap of `idle` between them. */
export function syntheticRow(count: number, duration = 1, idle = 0): TimedOp[] {
  const kinds = ['F', 'B', 'b', 'W', 'FB'] as const;
  const ops: TimedOp[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    ops.push({ kind, microBatch: i, direction: (i % 2) as 0 | 1, start: t, end: t + duration, ...(kind === 'FB' ? { backward: { microBatch: i + 1, direction: 1 } } : {}) });
    t += duration + idle;
  }
  return ops;
}

/** A 2D context that records what a draw asks of the canvas: fills with their style, texts, and images put. */
export class RecordingCtx implements Ctx2D {
  fillStyle: unknown = '';
  strokeStyle: unknown = '';
  globalAlpha = 1;
  lineWidth = 1;
  font = '';
  textAlign = '';
  textBaseline = '';
  fills: { style: unknown; alpha: number; x: number; y: number; w: number; h: number }[] = [];
  styleChanges = 0;
  texts: string[] = [];
  images: { x: number; y: number; image: RasterTarget }[] = [];
  private last: unknown;
  save(): void {}
  restore(): void {}
  setTransform(): void {}
  clearRect(): void {}
  fillRect(x: number, y: number, w: number, h: number): void {
    if (this.fillStyle !== this.last) {
      this.styleChanges++;
      this.last = this.fillStyle;
    }
    this.fills.push({ style: this.fillStyle, alpha: this.globalAlpha, x, y, w, h });
  }
  strokeRect(): void {}
  beginPath(): void {}
  rect(): void {}
  clip(): void {}
  moveTo(): void {}
  lineTo(): void {}
  stroke(): void {}
  fillText(text: string): void {
    this.texts.push(text);
  }
  createImageData(width: number, height: number): RasterTarget {
    return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }
  putImageData(image: never, x: number, y: number): void {
    this.images.push({ x, y, image: image as RasterTarget });
  }
}
