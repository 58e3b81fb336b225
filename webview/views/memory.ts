/**
 * Memory per GPU by pipeline rank: stacked bars (parameters, gradients, optimizer, activations, buffers) against
 * the HBM line. Plain DOM (a few dozen elements), with a visually-hidden table holding the same numbers.
 */
import type { MemoryResult } from '../../simulator/result';
import { formatGiB } from '../format';
import { MEMORY_PARTS, memoryScaleGiB, memorySegments, type MemoryPart } from '../layout';
import { clear, h, icon, section } from './dom';

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

export class MemoryView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    const s = section('memory', 'Memory per GPU by pipeline rank', 'server');
    this.root = s.root;
    this.body = s.body;
  }

  render(memory: MemoryResult): void {
    clear(this.body);
    const stages = memory.perStage ?? [];
    const scale = memoryScaleGiB(memory.peakGiB, memory.hbmGiB);
    const hbmPercent = (memory.hbmGiB / scale) * 100;

    const status = memory.fits
      ? h('p', { class: 'mem-status ok' }, icon('pass'), ` Peak ${formatGiB(memory.peakGiB)} of ${formatGiB(memory.hbmGiB)} HBM — fits.`)
      : h('p', { class: 'mem-status over' }, icon('warning'), ` Peak ${formatGiB(memory.peakGiB)} exceeds ${formatGiB(memory.hbmGiB)} HBM.`);
    this.body.append(status);

    const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' });
    for (const p of MEMORY_PARTS) legend.append(h('li', {}, h('span', { class: `swatch ${PART_CLASS[p]}` }), PART_NAMES[p]));
    legend.append(h('li', {}, h('span', { class: 'swatch swatch-hbm' }), 'HBM'));
    this.body.append(legend);

    const summary = `Memory per GPU for ${stages.length} pipeline stages; HBM ${formatGiB(memory.hbmGiB)}; peak ${formatGiB(memory.peakGiB)} ${
      memory.fits ? 'fits' : 'does not fit'
    }. The table below lists every part.`;
    const chart = h('div', { class: 'mem-chart', role: 'img', 'aria-label': summary });
    for (const stage of stages) {
      const over = stage.totalGiB > memory.hbmGiB;
      const track = h('div', { class: 'mem-track' });
      memorySegments(stage, scale).forEach((width, i) => {
        if (width <= 0) return;
        const part = MEMORY_PARTS[i];
        const seg = h('span', { class: `mem-seg ${PART_CLASS[part]}`, title: `${PART_NAMES[part]}: ${formatGiB(stage[part])}` });
        seg.style.width = `${width}%`;
        track.append(seg);
      });
      const line = h('span', { class: 'mem-hbm' });
      line.style.left = `${Math.min(100, hbmPercent)}%`;
      track.append(line);
      chart.append(
        h(
          'div',
          { class: `mem-row${over ? ' over' : ''}` },
          h('span', { class: 'mem-label' }, `Rank ${stage.rank}`),
          track,
          h('span', { class: 'mem-total' }, over ? icon('warning') : null, ` ${formatGiB(stage.totalGiB)}`),
        ),
      );
    }
    this.body.append(chart);

    // The same numbers for screen readers.
    const table = h('table', { class: 'visually-hidden' }, h('caption', {}, 'Memory per GPU by pipeline rank, GiB'));
    const head = h('tr', {}, h('th', { scope: 'col' }, 'Pipeline rank'));
    for (const p of MEMORY_PARTS) head.append(h('th', { scope: 'col' }, PART_NAMES[p]));
    head.append(h('th', { scope: 'col' }, 'Total'), h('th', { scope: 'col' }, 'Fits in HBM'));
    table.append(h('thead', {}, head));
    const rows = h('tbody');
    for (const stage of stages) {
      const tr = h('tr', {}, h('th', { scope: 'row' }, `${stage.rank}`));
      for (const p of MEMORY_PARTS) tr.append(h('td', {}, formatGiB(stage[p])));
      tr.append(h('td', {}, formatGiB(stage.totalGiB)), h('td', {}, stage.totalGiB <= memory.hbmGiB ? 'yes' : 'no'));
      rows.append(tr);
    }
    table.append(rows);
    this.body.append(table);
  }
}
