/**
 * The same config under every schedule: GPU-hours, bubble, peak memory, and a button to apply one.
 *
 * Rows stay in one order (the current schedule is marked, not moved), and each row's cells are updated in place,
 * so an edit changes text, not the table's shape. Rows whose simulation is cached fill at once (switching schedules
 * re-simulates nothing); the rest keep their previous numbers, dimmed, and are simulated in the background
 * (background.ts: in workers, else on the page after the paint), so typing never waits on them. A newer config
 * cancels the run.
 */
import { SCHEDULE_KINDS, type ResolvedConfig, type ScheduleKind } from '../../simulator/config';
import type { OutcomeSummary } from '../../simulator/result';
import type { Job } from '../background';
import { formatGiB, formatGpuHours, formatPercent, scheduleName } from '../format';
import { h, icon, section, setText } from './dom';

/** A simulation already done, or undefined; must not simulate. */
export type Cached = (config: ResolvedConfig, schedule: ScheduleKind) => OutcomeSummary | undefined;

/** What a row shows: numbers, the reason it cannot run, or nothing yet. */
type RowState = 'result' | 'invalid' | 'pending';

class CompareRow {
  readonly tr: HTMLTableRowElement;
  private state?: RowState;
  // 'result' cells
  private readonly hours = h('span');
  private readonly delta = h('span', { class: 'delta', hidden: true });
  private readonly bubble = h('td', { class: 'num' });
  private readonly memoryText = h('span');
  private readonly memoryWarning = icon('warning');
  private readonly memory = h('td', { class: 'num' }, this.memoryWarning, this.memoryText);
  private readonly action = h('td');
  private readonly button: HTMLButtonElement;
  private readonly current = h('span', { class: 'current' }, icon('check'), ' current');
  private readonly spinner = h('span', { class: 'pending-note' }, icon('loading', 'codicon-modifier-spin'));
  private readonly resultCells: HTMLElement[];
  // 'invalid' and 'pending' cells
  private readonly reason = h('td', { colspan: 3, class: 'reason' });
  private readonly note = h('td', { colspan: 4, class: 'pending' }, icon('loading', 'codicon-modifier-spin'), ' simulating…');

  constructor(readonly kind: ScheduleKind, onApply: (kind: ScheduleKind) => void) {
    this.button = h('button', { type: 'button', class: 'apply', 'aria-label': `Use ${scheduleName(kind)} in the config` }, icon('arrow-swap'), ' Use');
    this.button.addEventListener('click', () => onApply(kind));
    this.resultCells = [h('td', { class: 'num' }, this.hours, this.delta), this.bubble, this.memory, this.action];
    this.tr = h('tr', {}, h('th', { scope: 'row' }, scheduleName(kind)));
  }

  private shape(state: RowState): void {
    if (this.state === state) return;
    this.state = state;
    const head = this.tr.cells[0];
    if (state === 'result') this.tr.replaceChildren(head, ...this.resultCells);
    else if (state === 'invalid') this.tr.replaceChildren(head, this.reason, h('td'));
    else this.tr.replaceChildren(head, this.note);
    this.tr.classList.toggle('invalid', state === 'invalid');
  }

  /**
   * `fresh` false: a previous config's numbers, dimmed (no delta, no button) until replaced. `baseline` is the
   * current schedule's GPU-hours, for the delta.
   */
  show(outcome: OutcomeSummary, isCurrent: boolean, baseline: number | undefined, fresh: boolean): void {
    this.tr.classList.toggle('updating', !fresh);
    this.tr.classList.remove('outdated');
    if (fresh) this.tr.removeAttribute('aria-busy');
    else this.tr.setAttribute('aria-busy', 'true');
    if (isCurrent) this.tr.setAttribute('aria-current', 'true');
    else this.tr.removeAttribute('aria-current');
    if (!outcome.ok) {
      this.shape('invalid');
      this.reason.replaceChildren(icon('circle-slash'), ` ${outcome.reason}`);
      return;
    }
    this.shape('result');
    const r = outcome.result;
    setText(this.hours, formatGpuHours(r.gpuHours));
    const delta = fresh && baseline && !isCurrent ? r.gpuHours / baseline - 1 : undefined;
    const showDelta = delta !== undefined && Math.abs(delta) >= 0.0005;
    if (this.delta.hidden === showDelta) this.delta.hidden = !showDelta;
    if (showDelta) {
      setText(this.delta, ` ${delta < 0 ? '−' : '+'}${formatPercent(Math.abs(delta))}`);
      this.delta.className = delta < 0 ? 'delta better' : 'delta worse';
    }
    setText(this.bubble, formatPercent(r.bubbleFraction));
    this.memory.classList.toggle('over', !r.memory.fits);
    if (this.memoryWarning.hidden !== r.memory.fits) this.memoryWarning.hidden = r.memory.fits;
    // Flagged in words too, for screen readers and the tooltip: the row is priced, but it does not fit.
    const fit = r.memory.fits ? '' : 'does not fit in HBM';
    if (this.memory.title !== fit) this.memory.title = fit;
    if (this.memoryWarning.getAttribute('aria-label') !== (fit || null)) {
      if (fit) this.memoryWarning.setAttribute('aria-label', fit);
      else this.memoryWarning.removeAttribute('aria-label');
    }
    setText(this.memoryText, ` ${formatGiB(r.memory.peakGiB)}`);
    const action = isCurrent ? this.current : fresh ? this.button : this.spinner;
    if (this.action.firstChild !== action) this.action.replaceChildren(action);
  }

  pending(): void {
    this.shape('pending');
    this.tr.setAttribute('aria-busy', 'true');
    this.tr.classList.remove('updating', 'outdated');
    if (this.note.className !== 'pending') {
      this.note.className = 'pending';
      this.note.replaceChildren(icon('loading', 'codicon-modifier-spin'), ' simulating…');
    }
  }

  /** A comparison was cancelled before this row was simulated. */
  outdated(): void {
    this.tr.removeAttribute('aria-busy');
    if (this.state === 'pending') {
      this.note.replaceChildren('not simulated (the config changed)');
      this.note.className = 'reason';
    } else if (this.tr.classList.contains('updating')) {
      this.tr.classList.replace('updating', 'outdated');
      if (this.action.firstChild === this.spinner) this.action.replaceChildren();
    }
  }
}

export class CompareView {
  readonly root: HTMLElement;
  private readonly rows: CompareRow[];
  /** The outcome each row shows, kept to show dimmed while its new one is computed. */
  private shown = new Map<ScheduleKind, OutcomeSummary>();
  /** What the rows in flight were asked for: the config, and the current schedule's GPU-hours for the deltas. */
  private asked?: { config: ResolvedConfig; baseline?: number };
  /** The rows of the asked config still waiting for their numbers. */
  private awaiting = new Set<ScheduleKind>();

  constructor(
    private readonly cached: Cached,
    onApply: (schedule: ScheduleKind) => void,
  ) {
    const s = section('compare', 'Every schedule, same config', 'git-compare');
    this.root = s.root;
    this.rows = SCHEDULE_KINDS.map((kind) => new CompareRow(kind, onApply));
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Schedule'),
      h('th', { scope: 'col', class: 'num' }, 'GPU-hours'),
      h('th', { scope: 'col', class: 'num' }, 'Bubble'),
      h('th', { scope: 'col', class: 'num' }, 'Peak memory'),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
    );
    s.body.append(
      h(
        'table',
        { class: 'compare' },
        h('caption', { class: 'visually-hidden' }, 'The same config under each pipeline schedule'),
        h('thead', {}, head),
        h('tbody', {}, ...this.rows.map((r) => r.tr)),
      ),
    );
  }

  /** Cancels a comparison in flight (a newer config or an error arrived); rows not simulated yet say so. */
  cancel(): void {
    this.asked = undefined;
    this.awaiting.clear();
    for (const row of this.rows) if (row.tr.getAttribute('aria-busy') === 'true') row.outdated();
  }

  /** The jobs for the rows nothing is known about yet (ids: `compare:<schedule>`); no DOM. */
  plan(config: ResolvedConfig): Job[] {
    return this.rows.filter((row) => row.kind !== config.parallelism.schedule && !this.cached(config, row.kind)).map((row) => ({ id: `compare:${row.kind}`, config, schedule: row.kind }));
  }

  /** Fills what is known at once; the other rows keep their last numbers, dimmed, until `receive` brings theirs. */
  render(config: ResolvedConfig, current: OutcomeSummary): void {
    const previous = this.shown;
    this.shown = new Map();
    const currentKind = config.parallelism.schedule;
    const baseline = current.ok ? current.result.gpuHours : undefined;
    this.asked = { config, baseline };
    this.awaiting.clear();
    for (const row of this.rows) {
      const outcome = row.kind === currentKind ? current : this.cached(config, row.kind);
      if (outcome) {
        this.fill(row, outcome, currentKind, baseline);
        continue;
      }
      this.awaiting.add(row.kind);
      const old = previous.get(row.kind);
      if (old) {
        // Kept for the next edit too: a burst of keystrokes keeps showing these numbers, not spinners.
        this.shown.set(row.kind, old);
        row.show(old, false, undefined, false);
      } else {
        row.pending();
      }
    }
  }

  /** Whether every row shows the numbers of the config last rendered (none still waiting, none cancelled). */
  get complete(): boolean {
    return this.asked !== undefined && this.awaiting.size === 0;
  }

  /** A job's result; false when the id is not one of this view's. */
  receive(id: string, outcome: OutcomeSummary): boolean {
    if (!id.startsWith('compare:')) return false;
    const row = this.rows.find((r) => `compare:${r.kind}` === id);
    if (row && this.asked) this.fill(row, outcome, this.asked.config.parallelism.schedule, this.asked.baseline);
    return true;
  }

  private fill(row: CompareRow, outcome: OutcomeSummary, currentKind: ScheduleKind, baseline: number | undefined): void {
    this.awaiting.delete(row.kind);
    this.shown.set(row.kind, outcome);
    row.show(outcome, row.kind === currentKind, baseline, true);
  }
}
