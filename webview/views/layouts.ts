/**
 * "Better layouts": a button that asks the host to search (in its worker), progress with a cancel button for a
 * search past PROGRESS_AFTER_MS, then a scatter plot of GPU-hours against peak memory (the frontier drawn as a
 * line, the file's layout marked, the HBM limit as a vertical line), the best few in a table with "Use" on each,
 * and a screen-reader table of every plotted point as the plot's text alternative. Colours are the theme's.
 */
import type { LayoutChange, LayoutPoint, LayoutsMessage } from '../../protocol/preview';
import { formatGiB, formatGpuHours, formatInteger } from '../format';
import { h, icon, section, setText } from './dom';

/** Like the host's command: no progress for a search that answers within this. */
const PROGRESS_AFTER_MS = 300;
const SVG = 'http://www.w3.org/2000/svg';
const W = 560;
const H = 240;
const PAD = { left: 64, right: 16, top: 12, bottom: 36 };
/** Rows of the table of best layouts. */
const BEST_ROWS = 5;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** "tensor 8, sequence_parallel on, pipeline 4": each key's last part and its value (a boolean as on/off). */
export function changesText(changes: readonly LayoutChange[]): string {
  const value = (v: LayoutChange['value']) => (typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
  return changes.length === 0 ? 'the file as it is' : changes.map((c) => `${c.key.split('.').pop()} ${value(c.value)}`).join(', ');
}

export class LayoutsView {
  readonly root: HTMLElement;
  private readonly find: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;
  private readonly status = h('p', { class: 'layouts-status', role: 'status' });
  private readonly plot = h('div', { class: 'layouts-plot' });
  private readonly best = h('tbody');
  private readonly bestTable: HTMLTableElement;
  private readonly pointsBody = h('tbody');
  private startedAt = 0;
  private progressTimer = 0;

  constructor(
    private readonly onFind: () => void,
    private readonly onCancel: () => void,
    private readonly onUse: (changes: LayoutChange[]) => void,
  ) {
    const s = section('layouts', 'Better layouts', 'search');
    this.root = s.root;
    this.find = h('button', { type: 'button', class: 'apply' }, icon('search'), ' Find better layouts');
    this.find.addEventListener('click', () => this.start());
    this.cancel = h('button', { type: 'button', class: 'apply', hidden: true }, icon('close'), ' Cancel');
    this.cancel.addEventListener('click', () => this.onCancel());
    const head = h('tr', {}, ...['GPU-hours', 'Days', 'Peak memory', 'Changes'].map((t) => h('th', { scope: 'col', class: t === 'Changes' ? '' : 'num' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')));
    this.bestTable = h('table', { class: 'compare', hidden: true }, h('caption', { class: 'visually-hidden' }, 'The cheapest layouts found'), h('thead', {}, head), this.best);
    const alt = h(
      'table',
      { class: 'visually-hidden' },
      h('caption', {}, 'Every plotted layout: GPU-hours, peak memory, days and what it changes'),
      h('thead', {}, h('tr', {}, ...['Layout', 'GPU-hours', 'Peak memory', 'Days', 'Changes'].map((t) => h('th', { scope: 'col' }, t)))),
      this.pointsBody,
    );
    s.body.append(h('div', { class: 'layouts-actions' }, this.find, this.cancel), this.status, this.plot, this.bestTable, alt);
  }

  private start(): void {
    this.startedAt = Date.now();
    this.find.disabled = true;
    setText(this.status, '');
    clearTimeout(this.progressTimer);
    this.progressTimer = window.setTimeout(() => {
      this.cancel.hidden = false;
      if (!this.status.textContent) setText(this.status, 'Searching layouts…');
    }, PROGRESS_AFTER_MS);
    this.onFind();
  }

  /** The document changed: an old result no longer describes it. */
  reset(): void {
    this.plot.replaceChildren();
    this.bestTable.hidden = true;
    this.pointsBody.replaceChildren();
  }

  show(m: LayoutsMessage): void {
    if (m.state === 'running') {
      this.find.disabled = true;
      if (m.progress && Date.now() - this.startedAt >= PROGRESS_AFTER_MS) {
        this.cancel.hidden = false;
        setText(this.status, `Searching layouts… ${formatInteger(m.progress.examined)} of ${formatInteger(m.progress.total)} valid layouts examined`);
      }
      return;
    }
    clearTimeout(this.progressTimer);
    this.find.disabled = false;
    this.cancel.hidden = true;
    if (m.state === 'failed' || !m.result) {
      setText(this.status, m.message ?? 'The search failed.');
      return;
    }
    const r = m.result;
    setText(this.status, `${m.message ? `No layout admitted: ${m.message}. ` : ''}${r.summary}.`);
    this.drawPlot(r.frontier, r.top, r.current, r.hbmGiB);
    this.fillBest(r.top, r.current);
  }

  private fillBest(top: LayoutPoint[], current?: LayoutPoint): void {
    this.bestTable.hidden = top.length === 0;
    this.best.replaceChildren(
      ...top.slice(0, BEST_ROWS).map((p) => {
        const delta = current && current.gpuHours > 0 ? ` (${p.gpuHours <= current.gpuHours ? '−' : '+'}${(Math.abs(p.gpuHours / current.gpuHours - 1) * 100).toFixed(1)}%)` : '';
        const use = h('button', { type: 'button', class: 'apply', 'aria-label': `Use this layout: ${changesText(p.changes)}` }, icon('check'), ' Use');
        use.addEventListener('click', () => this.onUse(p.changes));
        return h(
          'tr',
          {},
          h('td', { class: 'num' }, `${formatGpuHours(p.gpuHours)}${delta}`),
          h('td', { class: 'num' }, p.days.toFixed(1)),
          h('td', { class: 'num' }, formatGiB(p.peakGiB)),
          h('td', {}, changesText(p.changes)),
          h('td', {}, p.changes.length > 0 ? use : ''),
        );
      }),
    );
  }

  private drawPlot(frontier: LayoutPoint[], top: LayoutPoint[], current: LayoutPoint | undefined, hbmGiB: number): void {
    const all = [...frontier, ...top, ...(current ? [current] : [])];
    if (all.length === 0) {
      this.plot.replaceChildren();
      return;
    }
    const maxMem = Math.max(hbmGiB, ...all.map((p) => p.peakGiB)) * 1.05;
    const hours = all.map((p) => p.gpuHours);
    const lo = Math.min(...hours) * 0.97;
    const hi = Math.max(...hours) * 1.03;
    const x = (gib: number) => PAD.left + (gib / maxMem) * (W - PAD.left - PAD.right);
    const y = (h: number) => PAD.top + (1 - (h - lo) / Math.max(1e-9, hi - lo)) * (H - PAD.top - PAD.bottom);
    const label = `Scatter plot: GPU-hours against peak memory per GPU for ${frontier.length} frontier layouts and the ${top.length} cheapest; HBM limit ${formatGiB(hbmGiB)}${current ? `; the file's layout at ${formatGpuHours(current.gpuHours)}, ${formatGiB(current.peakGiB)}` : ''}. The table below lists every point.`;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'layouts-svg', role: 'img', 'aria-label': label });
    root.append(svg('line', { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: 'axis' }));
    root.append(svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: 'axis' }));
    root.append(svg('text', { x: (PAD.left + W - PAD.right) / 2, y: H - 6, class: 'axis-label', 'text-anchor': 'middle' }, 'peak memory per GPU (GiB)'));
    root.append(svg('text', { x: 4, y: PAD.top + 8, class: 'axis-label' }, formatGpuHours(hi)));
    root.append(svg('text', { x: 4, y: H - PAD.bottom, class: 'axis-label' }, formatGpuHours(lo)));
    for (const g of [0, hbmGiB / 2]) root.append(svg('text', { x: x(g), y: H - PAD.bottom + 14, class: 'axis-label', 'text-anchor': 'middle' }, formatGiB(g)));
    root.append(svg('line', { x1: x(hbmGiB), y1: PAD.top, x2: x(hbmGiB), y2: H - PAD.bottom, class: 'hbm' }));
    root.append(svg('text', { x: x(hbmGiB) - 4, y: PAD.top + 10, class: 'axis-label', 'text-anchor': 'end' }, `HBM ${formatGiB(hbmGiB)}`));
    const byMemory = [...frontier].sort((a, b) => a.peakGiB - b.peakGiB);
    if (byMemory.length > 1) root.append(svg('polyline', { points: byMemory.map((p) => `${x(p.peakGiB).toFixed(1)},${y(p.gpuHours).toFixed(1)}`).join(' '), class: 'frontier' }));
    const rows: HTMLElement[] = [];
    const add = (p: LayoutPoint, kind: string, name: string) => {
      const shape = kind === 'current' ? svg('rect', { x: x(p.peakGiB) - 5, y: y(p.gpuHours) - 5, width: 10, height: 10, class: `pt ${kind}` }) : svg('circle', { cx: x(p.peakGiB), cy: y(p.gpuHours), r: kind === 'top' ? 3.5 : 4.5, class: `pt ${kind}${p.fits ? '' : ' over'}` });
      shape.append(svg('title', {}, `${name}: ${formatGpuHours(p.gpuHours)}, ${formatGiB(p.peakGiB)}, ${p.days.toFixed(1)} d — ${changesText(p.changes)}`));
      root.append(shape);
      rows.push(h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, formatGpuHours(p.gpuHours)), h('td', {}, formatGiB(p.peakGiB)), h('td', {}, p.days.toFixed(1)), h('td', {}, changesText(p.changes))));
    };
    top.forEach((p, i) => add(p, 'top', `Cheapest ${i + 1}`));
    frontier.forEach((p, i) => add(p, 'frontier-pt', `Frontier ${i + 1}`));
    if (current) add(current, 'current', 'The file');
    this.plot.replaceChildren(root, h('p', { class: 'legend-line', 'aria-hidden': 'true' }, '● frontier (line)  · cheapest  ■ the file  ┆ HBM'));
    this.pointsBody.replaceChildren(...rows);
  }
}
