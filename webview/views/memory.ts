/**
 * Memory per GPU by pipeline rank: stacked bars (parameters, gradients, optimizer, activations, buffers) against
 * the HBM line. Plain DOM, with a visually-hidden table holding the same numbers.
 */
import type { MemoryResult } from '../../simulator/result';
import { formatGiB } from '../format';
import { MEMORY_PARTS, memoryScaleGiB, memorySegments, type MemoryPart } from '../layout';
import { h, icon, section } from './dom';

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

/** One rank's bar and its row in the screen-reader table, kept between updates. */
interface RankRow {
  row: HTMLElement;
  label: HTMLElement;
  segments: HTMLElement[];
  hbm: HTMLElement;
  total: HTMLElement;
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
    const hbmLeft = `${Math.min(100, (memory.hbmGiB / scale) * 100)}%`;

    this.status.className = `mem-status ${memory.fits ? 'ok' : 'over'}`;
    this.status.replaceChildren(
      ...(memory.fits
        ? [icon('pass'), ` Peak ${formatGiB(memory.peakGiB)} of ${formatGiB(memory.hbmGiB)} HBM — fits.`]
        : [icon('warning'), ` Peak ${formatGiB(memory.peakGiB)} exceeds ${formatGiB(memory.hbmGiB)} HBM.`]),
    );
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
        seg.hidden = width <= 0;
        seg.style.width = `${Math.max(0, width)}%`;
        seg.title = `${PART_NAMES[part]}: ${formatGiB(stage[part])}`;
      });
      r.hbm.style.left = hbmLeft;
      r.total.replaceChildren(...(over ? [icon('warning')] : []), ` ${formatGiB(stage.totalGiB)}`);
      const values = [`${stage.rank}`, ...MEMORY_PARTS.map((p) => formatGiB(stage[p])), formatGiB(stage.totalGiB), stage.totalGiB <= memory.hbmGiB ? 'yes' : 'no'];
      values.forEach((v, k) => setText(r.cells[k], v));
    });
  }
}

function rankRow(): RankRow {
  const segments = MEMORY_PARTS.map((p) => h('span', { class: `mem-seg ${PART_CLASS[p]}` }));
  const hbm = h('span', { class: 'mem-hbm' });
  const track = h('div', { class: 'mem-track' }, ...segments, hbm);
  const label = h('span', { class: 'mem-label' });
  const total = h('span', { class: 'mem-total' });
  const cells = [h('th', { scope: 'row' }), ...MEMORY_PARTS.map(() => h('td')), h('td'), h('td')];
  h('tr', {}, ...cells);
  return { row: h('div', { class: 'mem-row' }, label, track, total), label, segments, hbm, total, cells };
}

/** Sets an element's text only when it changed: an unchanged text node leaves layout alone. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
