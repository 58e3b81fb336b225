/**
 * What each technique buys: the open config with each efficiency choice undone (simulator/ablate.ts), GPU-hours,
 * days, peak memory and the ratio to the current config. The variants are simulated in the background after the
 * schedule comparison (background.ts), so typing never waits on them; a newer config cancels the run.
 */
import { ablationRow, type AblationRow, ablationVariants } from '../../simulator/ablate';
import type { ResolvedConfig } from '../../simulator/config';
import type { OutcomeSummary } from '../../simulator/result';
import type { Job } from '../background';
import { formatDays, formatGiB, formatGpuHours } from '../format';
import { h, section, setText } from './dom';

class Row {
  readonly tr: HTMLTableRowElement;
  private readonly hours = h('td', { class: 'num' });
  private readonly days = h('td', { class: 'num' });
  private readonly memory = h('td', { class: 'num' });
  private readonly ratio = h('td', { class: 'num' });

  constructor(readonly id: string, label: string) {
    this.tr = h('tr', { 'aria-busy': 'true' }, h('th', { scope: 'row' }, label), this.hours, this.days, this.memory, this.ratio);
  }

  show(row: AblationRow<OutcomeSummary>): void {
    this.tr.removeAttribute('aria-busy');
    this.tr.classList.remove('updating');
    if (!row.outcome.ok) {
      for (const cell of [this.hours, this.days, this.memory]) setText(cell, '—');
      setText(this.ratio, row.outcome.reason);
      return;
    }
    const r = row.outcome.result;
    setText(this.hours, formatGpuHours(r.gpuHours));
    setText(this.days, formatDays(r.wallClockDays));
    setText(this.memory, `${formatGiB(r.memory.peakGiB)}${r.memory.fits ? '' : ' (over HBM)'}`);
    this.memory.classList.toggle('over', !r.memory.fits);
    setText(this.ratio, row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`);
  }

  waiting(): void {
    this.tr.setAttribute('aria-busy', 'true');
    this.tr.classList.add('updating');
  }
}

export class AblationView {
  readonly root: HTMLElement;
  private readonly tbody = h('tbody');
  private readonly empty = h('p', { class: 'placeholder' }, 'This config makes none of the choices ablated here (FP8, DualPipe, node-limited routing, DeepEP-style dispatch, overlap).');
  private rows: Row[] = [];
  /** The variants in flight and the current config's outcome they are compared with. */
  private asked?: { variants: ReturnType<typeof ablationVariants>; current: OutcomeSummary };

  constructor() {
    const s = section('ablation', 'What each technique buys', 'beaker');
    this.root = s.root;
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Undone'),
      h('th', { scope: 'col', class: 'num' }, 'GPU-hours'),
      h('th', { scope: 'col', class: 'num' }, 'Days'),
      h('th', { scope: 'col', class: 'num' }, 'Peak memory'),
      h('th', { scope: 'col', class: 'num' }, 'vs current'),
    );
    s.body.append(h('table', { class: 'compare' }, h('caption', { class: 'visually-hidden' }, 'The config with each efficiency choice undone'), h('thead', {}, head), this.tbody), this.empty);
  }

  cancel(): void {
    this.asked = undefined;
  }

  /** The jobs that fill the rows (ids: `ablation:<i>`, in ablationVariants order); no DOM. */
  plan(config: ResolvedConfig): Job[] {
    // Phase 1: balanced over the workers after the comparison's rows, which the page shows first (jobs.ts assignLanes).
    return ablationVariants(config).map((v, i) => ({ id: `ablation:${i}`, config: v.config, phase: 1 }));
  }

  /** Lays out the rows (kept, dimmed, when the same choices are ablated) until `receive` fills them. */
  render(config: ResolvedConfig, current: OutcomeSummary): void {
    const variants = ablationVariants(config);
    // Same rows as before (same choices made): keep them, dimmed, until their new numbers arrive.
    if (variants.map((v) => v.id).join() !== this.rows.map((r) => r.id).join()) {
      this.rows = variants.map((v) => new Row(v.id, v.label));
      this.tbody.replaceChildren(...this.rows.map((r) => r.tr));
    } else for (const r of this.rows) r.waiting();
    this.empty.hidden = variants.length > 0;
    this.asked = { variants, current };
  }

  /** A job's result; false when the id is not one of this view's. */
  receive(id: string, outcome: OutcomeSummary): boolean {
    if (!id.startsWith('ablation:')) return false;
    const i = Number(id.slice('ablation:'.length));
    const variant = this.asked?.variants[i];
    if (variant && this.rows[i]) this.rows[i].show(ablationRow(variant, outcome, this.asked!.current));
    return true;
  }
}
