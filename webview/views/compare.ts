/**
 * The same config under every other schedule: GPU-hours, bubble, peak memory, and a button to apply one.
 * Rows whose simulation is cached fill at once (switching schedules re-simulates nothing); the rest simulate one
 * per task after the update is painted, so typing never waits on them, and show their previous numbers, dimmed,
 * until then instead of flashing spinners. A newer config cancels the run.
 */
import { SCHEDULE_KINDS, type ResolvedConfig, type ScheduleKind } from '../../language/resolved';
import type { SimulationOutcome } from '../../simulator/result';
import { formatGiB, formatGpuHours, formatPercent, scheduleName } from '../format';
import { afterPaint } from '../paint';
import { clear, h, icon, section } from './dom';

export type Simulate = (config: ResolvedConfig, schedule: ScheduleKind) => SimulationOutcome;
/** A simulation already done, or undefined; must not simulate. */
export type Cached = (config: ResolvedConfig, schedule: ScheduleKind) => SimulationOutcome | undefined;

export class CompareView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private generation = 0;
  /** The outcome each row shows, kept to show dimmed while its new one is computed. */
  private shown = new Map<ScheduleKind, SimulationOutcome>();
  private cancelStart?: () => void;

  constructor(
    private readonly simulate: Simulate,
    private readonly cached: Cached,
    private readonly onApply: (schedule: ScheduleKind) => void,
  ) {
    const s = section('compare', 'Other schedules', 'git-compare');
    this.root = s.root;
    this.body = s.body;
  }

  /** Cancels a comparison in flight (a newer config or an error arrived); rows not simulated yet say so. */
  cancel(): void {
    this.generation++;
    this.cancelStart?.();
    this.cancelStart = undefined;
    for (const row of Array.from(this.body.querySelectorAll('tr.updating'))) {
      row.classList.remove('updating');
      row.classList.add('outdated');
      row.removeAttribute('aria-busy');
    }
    for (const cell of Array.from(this.body.querySelectorAll('td.pending'))) {
      cell.replaceChildren('not simulated (the config changed)');
      cell.classList.remove('pending');
      cell.classList.add('reason');
    }
  }

  render(config: ResolvedConfig, current: SimulationOutcome): void {
    const generation = ++this.generation;
    this.cancelStart?.();
    this.cancelStart = undefined;
    const previous = this.shown;
    this.shown = new Map();
    clear(this.body);
    const table = h('table', { class: 'compare' }, h('caption', { class: 'visually-hidden' }, 'The same config under each pipeline schedule'));
    table.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Schedule'),
          h('th', { scope: 'col', class: 'num' }, 'GPU-hours'),
          h('th', { scope: 'col', class: 'num' }, 'Bubble'),
          h('th', { scope: 'col', class: 'num' }, 'Peak memory'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
        ),
      ),
    );
    const tbody = h('tbody');
    table.append(tbody);
    this.body.append(table);

    const currentKind = config.parallelism.schedule;
    const order = [currentKind, ...SCHEDULE_KINDS.filter((k) => k !== currentKind)];
    const rows = new Map<ScheduleKind, HTMLTableRowElement>();
    for (const kind of order) {
      const row = h('tr', { 'aria-current': kind === currentKind ? 'true' : undefined }, h('th', { scope: 'row' }, scheduleName(kind)));
      rows.set(kind, row);
      tbody.append(row);
    }
    const baseline = current.ok ? current.result.gpuHours : undefined;

    /** `fresh` is false for a previous config's numbers, shown dimmed (no delta, no button) until replaced. */
    const fill = (kind: ScheduleKind, outcome: SimulationOutcome, fresh = true) => {
      const row = rows.get(kind);
      if (!row) return;
      row.replaceChildren(row.cells[0]);
      row.classList.toggle('updating', !fresh);
      if (fresh) row.removeAttribute('aria-busy');
      else row.setAttribute('aria-busy', 'true');
      if (fresh) this.shown.set(kind, outcome);
      if (!outcome.ok) {
        row.classList.add('invalid');
        row.append(h('td', { colspan: 3, class: 'reason' }, icon('circle-slash'), ` ${outcome.reason}`), h('td'));
        return;
      }
      row.classList.remove('invalid');
      const r = outcome.result;
      const delta = fresh && baseline && kind !== currentKind ? r.gpuHours / baseline - 1 : undefined;
      row.append(
        h(
          'td',
          { class: 'num' },
          formatGpuHours(r.gpuHours),
          delta !== undefined && Math.abs(delta) >= 0.0005
            ? h('span', { class: delta < 0 ? 'delta better' : 'delta worse' }, ` ${delta < 0 ? '−' : '+'}${formatPercent(Math.abs(delta))}`)
            : null,
        ),
        h('td', { class: 'num' }, formatPercent(r.bubbleFraction)),
        h('td', { class: `num${r.memory.fits ? '' : ' over'}` }, r.memory.fits ? null : icon('warning'), ` ${formatGiB(r.memory.peakGiB)}`),
      );
      if (kind === currentKind) {
        row.append(h('td', { class: 'current' }, icon('check'), ' current'));
      } else if (fresh) {
        const button = h('button', { type: 'button', class: 'apply', 'aria-label': `Use ${scheduleName(kind)} in the config` }, icon('arrow-swap'), ' Use');
        button.addEventListener('click', () => this.onApply(kind));
        row.append(h('td', {}, button));
      } else {
        row.append(h('td', { class: 'pending-note' }, icon('loading', 'codicon-modifier-spin')));
      }
    };

    fill(currentKind, current);
    const rest: ScheduleKind[] = [];
    for (const kind of order.slice(1)) {
      const hit = this.cached(config, kind);
      if (hit) {
        fill(kind, hit);
        continue;
      }
      rest.push(kind);
      const old = previous.get(kind);
      if (old) fill(kind, old, false);
      else rows.get(kind)?.append(h('td', { colspan: 4, class: 'pending' }, icon('loading', 'codicon-modifier-spin'), ' simulating…'));
    }
    if (rest.length === 0) return;

    const step = (i: number) => {
      if (generation !== this.generation || i >= rest.length) return;
      const kind = rest[i];
      let outcome: SimulationOutcome;
      try {
        outcome = this.simulate(config, kind);
      } catch (e) {
        outcome = { ok: false, code: 'preview/simulate-threw', reason: e instanceof Error ? e.message : String(e) };
      }
      fill(kind, outcome);
      setTimeout(() => step(i + 1), 0);
    };
    // After the update is on screen: the comparison must not hold back the paint the user is waiting for.
    this.cancelStart = afterPaint(() => {
      this.cancelStart = undefined;
      step(0);
    });
  }
}
