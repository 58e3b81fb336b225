/**
 * Memory per GPU by pipeline rank: stacked bars (parameters, gradients, optimizer, activations, buffers) against
 * the HBM line. Plain DOM, with a visually-hidden table holding the same numbers.
 */
import type { MemoryResult } from '../../simulator/result';
import { formatGiB } from '../format';
import { MEMORY_PARTS, memoryScaleGiB, memorySegments, type MemoryPart } from '../geometry';
import { h, icon, section, setText } from './dom';

const PART_NAMES: Record<MemoryPart, string> = {
  parametersGiB: 'Parameters',
  gradientsGiB: 'Gradients',
  optimizerGiB: 'Optimizer',
  activationsGiB: 'Activations',
  buffersGiB: 'Buffers',
};

/** CSS class per part; style.css maps each to a --vscode-charts-* colour. */
const PART_CLASS: Record<MemoryPart, string> = {
  parametersGiB: 'mem-params',
  gradientsGiB: 'mem-grads',
  optimizerGiB: 'mem-optim',
  activationsGiB: 'mem-acts',
  buffersGiB: 'mem-buffers',
};

/** The latest the screen-reader table is filled after an update (when the page does not call fillTable sooner). */
const TABLE_LATEST_MS = 1000;

/** One rank's bar and its row in the screen-reader table, kept between updates. */
interface RankRow {
  row: HTMLElement;
  label: HTMLElement;
  segments: HTMLElement[];
  hbm: HTMLElement;
  warning: HTMLElement;
  totalText: HTMLElement;
  cells: HTMLElement[];
}

/**
 * Elements are built once per rank count and then updated in place: rebuilding a few hundred nodes per keystroke
 * costs the page a full style and layout pass, in the same frame as the user's edit.
 */
export class MemoryView {
  readonly root: HTMLElement;
  private readonly status = h('p', { class: 'mem-status' });
  private readonly chart = h('div', { class: 'mem-chart', role: 'img' });
  private readonly rowsBody = h('tbody');
  private rows: RankRow[] = [];
  private pendingTable?: () => void;
  private tableTimer = 0;

  constructor() {
    const s = section('memory', 'Memory per GPU by pipeline rank', 'server');
    this.root = s.root;
    const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' });
    for (const p of MEMORY_PARTS) legend.append(h('li', {}, h('span', { class: `swatch ${PART_CLASS[p]}` }), PART_NAMES[p]));
    legend.append(h('li', {}, h('span', { class: 'swatch swatch-hbm' }), 'HBM'));

    // The same numbers for screen readers.
    const table = h('table', { class: 'visually-hidden' }, h('caption', {}, 'Memory per GPU by pipeline rank, GiB'));
    const head = h('tr', {}, h('th', { scope: 'col' }, 'Pipeline rank'));
    for (const p of MEMORY_PARTS) head.append(h('th', { scope: 'col' }, PART_NAMES[p]));
    head.append(h('th', { scope: 'col' }, 'Total'), h('th', { scope: 'col' }, 'Fits in HBM'));
    table.append(h('thead', {}, head), this.rowsBody);
    s.body.append(this.status, legend, this.chart, table);
  }

  render(memory: MemoryResult): void {
    const stages = memory.perStage ?? [];
    const scale = memoryScaleGiB(memory.peakGiB, memory.hbmGiB);
    const hbmLeft = `${Math.min(100, (memory.hbmGiB / scale) * 100).toFixed(3)}%`;

    const statusText = memory.fits
      ? ` Peak ${formatGiB(memory.peakGiB)} of ${formatGiB(memory.hbmGiB)} HBM — fits.`
      : ` Peak ${formatGiB(memory.peakGiB)} exceeds ${formatGiB(memory.hbmGiB)} HBM.`;
    if (this.status.textContent !== statusText) {
      this.status.className = `mem-status ${memory.fits ? 'ok' : 'over'}`;
      this.status.replaceChildren(icon(memory.fits ? 'pass' : 'warning'), statusText);
    }
    this.chart.setAttribute(
      'aria-label',
      `Memory per GPU for ${stages.length} pipeline stages; HBM ${formatGiB(memory.hbmGiB)}; peak ${formatGiB(memory.peakGiB)} ${
        memory.fits ? 'fits' : 'does not fit'
      }. The table below lists every part.`,
    );

    if (this.rows.length !== stages.length) {
      this.rows = stages.map(() => rankRow());
      this.chart.replaceChildren(...this.rows.map((r) => r.row));
      this.rowsBody.replaceChildren(...this.rows.map((r) => r.cells[0].parentElement!));
    }
    stages.forEach((stage, i) => {
      const r = this.rows[i];
      const over = stage.totalGiB > memory.hbmGiB;
      r.row.classList.toggle('over', over);
      setText(r.label, `Rank ${stage.rank}`);
      memorySegments(stage, scale).forEach((width, k) => {
        const seg = r.segments[k];
        const part = MEMORY_PARTS[k];
        if (seg.hidden !== width <= 0) seg.hidden = width <= 0;
        if (width > 0) setStyle(seg, 'width', `${width.toFixed(3)}%`);
        const title = `${PART_NAMES[part]}: ${formatGiB(stage[part])}`;
        if (seg.title !== title) seg.title = title;
      });
      setStyle(r.hbm, 'left', hbmLeft);
      if (r.warning.hidden === over) r.warning.hidden = !over;
      setText(r.totalText, ` ${formatGiB(stage.totalGiB)}`);
    });

    // The screen-reader table changes nothing on screen, so it is filled last: a table is laid out as a whole, and
    // doing it in the update's frame would add its layout to the keystroke's latency, and right after it would take
    // the cores from the comparison's workers (64 ranks: ≈ 240 cells relaid). The page calls fillTable once the
    // background rows are in; a timer fills it at the latest TABLE_LATEST_MS after this render.
    clearTimeout(this.tableTimer);
    const rows = this.rows;
    this.pendingTable = () => {
      this.pendingTable = undefined;
      clearTimeout(this.tableTimer);
      stages.forEach((stage, i) => {
        const values = [`${stage.rank}`, ...MEMORY_PARTS.map((p) => formatGiB(stage[p])), formatGiB(stage.totalGiB), stage.totalGiB <= memory.hbmGiB ? 'yes' : 'no'];
        values.forEach((v, k) => setText(rows[i].cells[k], v));
      });
    };
    this.tableTimer = window.setTimeout(() => this.fillTable(), TABLE_LATEST_MS);
  }

  /** Fills the screen-reader table with the numbers last rendered, if it does not show them yet. */
  fillTable(): void {
    this.pendingTable?.();
  }
}

function rankRow(): RankRow {
  const segments = MEMORY_PARTS.map((p) => h('span', { class: `mem-seg ${PART_CLASS[p]}` }));
  const hbm = h('span', { class: 'mem-hbm' });
  const track = h('div', { class: 'mem-track' }, ...segments, hbm);
  const label = h('span', { class: 'mem-label' });
  const warning = icon('warning');
  warning.hidden = true;
  const totalText = h('span');
  const total = h('span', { class: 'mem-total' }, warning, totalText);
  const cells = [h('th', { scope: 'row' }), ...MEMORY_PARTS.map(() => h('td')), h('td'), h('td')];
  h('tr', {}, ...cells);
  return { row: h('div', { class: 'mem-row' }, label, track, total), label, segments, hbm, warning, totalText, cells };
}

/** The inline values this view last wrote (the CSSOM reads back a normalised form: "50.000%" as "50%"). */
const written = new WeakMap<HTMLElement, Partial<Record<'width' | 'left', string>>>();

/** Sets one inline style property only when it changed (each write is a style invalidation). */
function setStyle(el: HTMLElement, property: 'width' | 'left', value: string): void {
  const last = written.get(el) ?? {};
  if (last[property] === value) return;
  el.style[property] = value;
  written.set(el, { ...last, [property]: value });
}
