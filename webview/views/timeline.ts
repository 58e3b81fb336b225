/**
 * One step's pipeline timeline on a <canvas>: a row per rank, ops coloured by kind, shaded by micro-batch, the second
 * DualPipe direction crossed by a band, idle time as bare track. Hover for an op's details; wheel / + / − to zoom, drag / arrow
 * keys to pan, 0 to fit. No per-op DOM: drawing is batched by fill in timelineDraw.ts.
 */
import type { OpKind } from '../../simulator/schedules/types';
import type { TimelineResult } from '../../simulator/result';
import { describeOp, formatPercent, formatSeconds, OP_NAMES, scheduleName } from '../format';
import {
  canvasHeight,
  clampViewport,
  fitViewport,
  hitTest,
  OP_COLOR_VARS,
  OP_KINDS,
  panBy,
  plotWidth,
  rowAt,
  xToTime,
  zoomAt,
  zoomLevel,
  type TimelineGeometry,
  type Viewport,
} from '../geometry';
import { lanesOfRows, lanesOfTimeline, opCount, type Lanes } from '../lanes';
import { drawTimeline, type TimelinePalette } from '../timelineDraw';
import { rasterColors, type Rgba } from '../timelineRaster';
import { clear, h, icon, section } from './dom';

const KIND_CLASS: Record<OpKind, string> = { F: 'op-F', B: 'op-B', b: 'op-b', W: 'op-W', FB: 'op-FB' };

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export class TimelineView {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly tooltip: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly wrap: HTMLElement;
  /**
   * The wrap's width as the ResizeObserver last saw it. Reading clientWidth during an update would force a
   * synchronous layout of the whole page, half the page's update time, so the observer's reading is kept instead.
   */
  private wrapWidth = 0;
  private timeline?: TimelineResult;
  private lanes: Lanes = lanesOfRows([]);
  private viewport: Viewport = { startSeconds: 0, pxPerSecond: 1 };
  private hover?: [number, number];
  private palette?: TimelinePalette;
  private frame = 0;
  private drag?: { x: number; pointer: number; moved: boolean };

  /**
   * Whether the view is the automatic fit (nothing zoomed or panned since): a fitted timeline refits when the
   * panel resizes or the step's length changes, instead of keeping a scale meant for another width.
   */
  private fitted = true;

  /** `onViewport` persists zoom and pan (webview state) whenever they change; undefined means "fitted". */
  constructor(private readonly onViewport: (vp: Viewport | undefined) => void) {
    const s = section('timeline', 'Pipeline timeline of one step', 'graph-line');
    this.root = s.root;

    const zoomIn = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Zoom in (+)', title: 'Zoom in (+)' }, icon('zoom-in'));
    const zoomOut = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Zoom out (−)', title: 'Zoom out (−)' }, icon('zoom-out'));
    const fit = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Fit the whole step (0)', title: 'Fit the whole step (0)' }, icon('screen-normal'));
    this.zoomLabel = h('span', { class: 'zoom-label', 'aria-live': 'polite' }, '1×');
    zoomIn.addEventListener('click', () => this.zoomBy(2));
    zoomOut.addEventListener('click', () => this.zoomBy(0.5));
    fit.addEventListener('click', () => this.fit());

    const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' });
    for (const k of OP_KINDS) legend.append(h('li', {}, h('span', { class: `swatch ${KIND_CLASS[k]}` }), `${k === 'FB' ? 'F&B' : k} ${OP_NAMES[k].toLowerCase()}`));
    legend.append(h('li', {}, h('span', { class: 'swatch op-F hatched' }), 'second direction'));
    legend.append(h('li', {}, h('span', { class: 'swatch idle' }), 'idle'));

    const toolbar = h('div', { class: 'toolbar' }, zoomOut, this.zoomLabel, zoomIn, fit, legend);

    this.canvas = h('canvas', {
      tabindex: 0,
      role: 'img',
      class: 'timeline-canvas',
      'aria-roledescription': 'pipeline timeline',
      'aria-describedby': 'timeline-help timeline-summary',
    });
    this.ctx = this.canvas.getContext('2d', { alpha: true });
    this.tooltip = h('div', { class: 'tooltip', role: 'tooltip', id: 'timeline-tooltip', hidden: true });
    this.wrap = h('div', { class: 'timeline-wrap' }, this.canvas, this.tooltip);
    const help = h('p', { id: 'timeline-help', class: 'help' }, 'Ctrl/⌘ + wheel or + / − to zoom, drag, Shift + wheel or ← → to pan, 0 to fit. Hover a block for details.');
    this.summary = h('p', { id: 'timeline-summary', class: 'visually-hidden' });
    s.body.append(toolbar, this.wrap, help, this.summary);

    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('pointerleave', () => this.setHover(undefined));
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('blur', () => this.setHover(undefined));

    new ResizeObserver(() => {
      // Called after layout, so clientWidth is fresh here and costs nothing.
      this.wrapWidth = this.wrap.clientWidth;
      this.resize();
    }).observe(this.wrap);
    // Theme changes flip body classes (vscode-light / vscode-dark / vscode-high-contrast): re-read the colours.
    new MutationObserver(() => {
      this.palette = undefined;
      this.schedule();
    }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  }

  /** Shows a new timeline and returns how long the draw took, in milliseconds. */
  setTimeline(timeline: TimelineResult, restore?: Viewport): { renderMs: number; ops: number } {
    const keepView = this.timeline !== undefined && this.timeline.ranks === timeline.ranks && this.timeline.schedule === timeline.schedule;
    this.timeline = timeline;
    this.lanes = lanesOfTimeline(timeline);
    this.hover = undefined;
    const width = plotWidth(this.geometry());
    const keep = restore ?? (keepView && !this.fitted ? this.viewport : undefined);
    this.fitted = keep === undefined;
    this.viewport = clampViewport(keep ?? fitViewport(timeline.makespanSeconds, width), timeline.makespanSeconds, width);
    const t0 = performance.now();
    // Drawn before this update touches the DOM: the canvas resolves its font from the page's styles, and with
    // them clean that costs nothing; a DOM change first would force a style and layout pass inside this task.
    const stats = this.draw();
    const renderMs = performance.now() - t0;
    if (!this.tooltip.hidden) this.tooltip.hidden = true;
    this.describe();
    return { renderMs, ops: stats };
  }

  private geometry(): TimelineGeometry {
    const ranks = this.timeline?.ranks ?? this.lanes.ranks;
    const rowHeight = ranks > 48 ? 8 : ranks > 24 ? 12 : 20;
    return { width: Math.max(200, this.wrapWidth || 600), gutter: 32, axis: 20, rowHeight, rowGap: ranks > 48 ? 1 : 3 };
  }

  private readPalette(): TimelinePalette {
    const style = getComputedStyle(document.body);
    const fg = cssVar(style, '--vscode-foreground', 'CanvasText');
    const bg = cssVar(style, '--vscode-editor-background', 'Canvas');
    const ops = {} as Record<OpKind, string>;
    for (const k of OP_KINDS) ops[k] = cssVar(style, OP_COLOR_VARS[k], fg);
    const family = cssVar(style, '--vscode-editor-font-family', 'monospace');
    const rgba = {} as Record<OpKind, Rgba>;
    for (const k of OP_KINDS) rgba[k] = this.parseColor(ops[k]);
    return {
      ops,
      raster: rasterColors(rgba, this.parseColor(fg), this.trackAlpha(), this.parseColor(bg)),
      hatch: bg,
      foreground: fg,
      track: fg,
      trackAlpha: this.trackAlpha(),
      onBlock: bg,
      focus: cssVar(style, '--vscode-focusBorder', fg),
      font: `11px ${family}`,
    };
  }

  private trackAlpha(): number {
    return document.body.classList.contains('vscode-high-contrast') ? 0.2 : 0.09;
  }

  /** A CSS colour as the canvas resolves it (theme variables hold any CSS colour syntax), for the raster. */
  private parseColor(color: string): Rgba {
    const probe = document.createElement('canvas');
    probe.width = probe.height = 1;
    const c = probe.getContext('2d', { willReadFrequently: true });
    if (!c) return [0, 0, 0, 1];
    c.fillStyle = color;
    c.fillRect(0, 0, 1, 1);
    // getImageData gives straight (not premultiplied) RGBA bytes.
    const [r, g, b, a] = c.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  }

  private draw(): number {
    if (!this.ctx || !this.timeline) return 0;
    const g = this.geometry();
    const height = canvasHeight(g, this.lanes.ranks);
    const dpr = window.devicePixelRatio || 1;
    const pw = Math.round(g.width * dpr);
    const ph = Math.round(height * dpr);
    if (this.canvas.width !== pw || this.canvas.height !== ph) {
      this.canvas.width = pw;
      this.canvas.height = ph;
      this.canvas.style.width = `${g.width}px`;
      this.canvas.style.height = `${height}px`;
    }
    this.palette ??= this.readPalette();
    const stats = drawTimeline(
      this.ctx,
      { lanes: this.lanes, makespanSeconds: this.timeline.makespanSeconds, viewport: this.viewport, geometry: g, height, devicePixelRatio: dpr, hover: this.hover },
      this.palette,
    );
    const level = zoomLevel(this.viewport, this.timeline.makespanSeconds, plotWidth(g));
    this.zoomLabel.textContent = `${level < 10 ? level.toFixed(1).replace(/\.0$/, '') : Math.round(level)}×`;
    return stats.ops;
  }

  /** Coalesces redraws to one per frame. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      try {
        this.draw();
      } catch (e) {
        console.error('timeline draw failed', e);
      }
    });
  }

  private resize(): void {
    if (!this.timeline) return;
    const w = plotWidth(this.geometry());
    const t = this.timeline.makespanSeconds;
    this.viewport = this.fitted ? fitViewport(t, w) : clampViewport(this.viewport, t, w);
    this.schedule();
  }

  private setViewport(vp: Viewport, fitted = false): void {
    this.viewport = vp;
    this.fitted = fitted;
    this.onViewport(fitted ? undefined : vp);
    this.setHover(undefined);
    this.schedule();
  }

  private zoomBy(factor: number, anchorX?: number): void {
    if (!this.timeline) return;
    const w = plotWidth(this.geometry());
    this.setViewport(zoomAt(this.viewport, factor, anchorX ?? w / 2, this.timeline.makespanSeconds, w));
  }

  private pan(dx: number): void {
    if (!this.timeline) return;
    this.setViewport(panBy(this.viewport, dx, this.timeline.makespanSeconds, plotWidth(this.geometry())));
  }

  private fit(): void {
    if (!this.timeline) return;
    this.setViewport(fitViewport(this.timeline.makespanSeconds, plotWidth(this.geometry())), true);
  }

  private plotX(e: MouseEvent): number {
    const rect = this.canvas.getBoundingClientRect();
    return e.clientX - rect.left - this.geometry().gutter;
  }

  /** Ctrl/⌘ + wheel (and trackpad pinch) zooms at the cursor; Shift + wheel or a sideways swipe pans; a plain wheel scrolls the page. */
  private onWheel(e: WheelEvent): void {
    if (!this.timeline) return;
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      this.zoomBy(Math.exp(-e.deltaY * unit * 0.0025), this.plotX(e));
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      this.pan((e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX) * unit);
    }
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.drag = { x: e.clientX, pointer: e.pointerId, moved: false };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onPointerUp(e: PointerEvent): void {
    if (this.drag?.pointer === e.pointerId) {
      this.canvas.releasePointerCapture(e.pointerId);
      this.canvas.classList.remove('dragging');
      this.drag = undefined;
    }
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.drag && this.drag.pointer === e.pointerId) {
      const dx = e.clientX - this.drag.x;
      if (Math.abs(dx) > 0 || this.drag.moved) {
        this.drag.moved = true;
        this.drag.x = e.clientX;
        this.canvas.classList.add('dragging');
        this.pan(-dx);
      }
      return;
    }
    this.hoverAt(e);
  }

  private hoverAt(e: MouseEvent): void {
    if (!this.timeline) return;
    const rect = this.canvas.getBoundingClientRect();
    const g = this.geometry();
    const x = e.clientX - rect.left - g.gutter;
    const rank = x >= 0 ? rowAt(e.clientY - rect.top, g, this.lanes.ranks) : -1;
    if (rank < 0) return this.setHover(undefined);
    const { start, end, first } = this.lanes;
    const index = hitTest(start, end, first[rank], first[rank + 1], xToTime(x, this.viewport), 2 / this.viewport.pxPerSecond);
    if (index < 0) return this.setHover(undefined);
    this.setHover([rank, index], e.clientX - rect.left, e.clientY - rect.top);
  }

  private setHover(hover: [number, number] | undefined, x = 0, y = 0): void {
    const same = hover && this.hover && hover[0] === this.hover[0] && hover[1] === this.hover[1];
    if (!hover) {
      if (this.hover) {
        this.hover = undefined;
        this.tooltip.hidden = true;
        this.schedule();
      }
      return;
    }
    if (!same) {
      this.hover = hover;
      const op = this.lanes.op(hover[0], hover[1]);
      clear(this.tooltip);
      describeOp(op, hover[0]).forEach((line, i) => this.tooltip.append(h(i === 0 ? 'strong' : 'div', {}, line)));
      this.tooltip.hidden = false;
      this.schedule();
    }
    // Keep the tooltip inside the panel.
    const wrapWidth = this.wrap.clientWidth;
    const tipWidth = this.tooltip.offsetWidth || 220;
    this.tooltip.style.left = `${Math.max(0, Math.min(x + 12, wrapWidth - tipWidth - 4))}px`;
    this.tooltip.style.top = `${y + 16}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.timeline) return;
    const w = plotWidth(this.geometry());
    const handled = (() => {
      switch (e.key) {
        case '+':
        case '=':
          this.zoomBy(1.5);
          return true;
        case '-':
        case '_':
          this.zoomBy(1 / 1.5);
          return true;
        case '0':
          this.fit();
          return true;
        case 'ArrowLeft':
          this.pan(-(e.shiftKey ? w / 2 : w / 10));
          return true;
        case 'ArrowRight':
          this.pan(e.shiftKey ? w / 2 : w / 10);
          return true;
        case 'Home':
          this.setViewport(clampViewport({ ...this.viewport, startSeconds: 0 }, this.timeline!.makespanSeconds, w));
          return true;
        case 'End':
          this.setViewport(clampViewport({ ...this.viewport, startSeconds: Infinity }, this.timeline!.makespanSeconds, w));
          return true;
        case 'Escape':
          this.setHover(undefined);
          return true;
        default:
          return false;
      }
    })();
    if (handled) e.preventDefault();
  }

  /** The text alternative: what the chart shows, and each rank's idle time. */
  private describe(): void {
    const t = this.timeline;
    if (!t) return;
    const ops = opCount(this.lanes);
    const idle = t.idleSecondsPerRank ?? [];
    const meanIdle = idle.length ? idle.reduce((a, b) => a + b, 0) / idle.length : 0;
    const label = `${scheduleName(t.schedule)} pipeline timeline: ${t.ranks} ranks, ${t.microBatches} micro-batches, ${ops} ops, step ${formatSeconds(
      t.makespanSeconds,
    )}; mean idle per rank ${formatSeconds(meanIdle)} (${formatPercent(t.makespanSeconds > 0 ? meanIdle / t.makespanSeconds : 0)}).`;
    this.canvas.setAttribute('aria-label', label);
    this.summary.textContent = `Idle time per rank: ${idle.map((s, r) => `rank ${r} ${formatSeconds(s)}`).join(', ')}.`;
  }
}
