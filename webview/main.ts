/**
 * The preview page: receives resolved configs from the host, runs the simulator here (bundled for the browser),
 * and draws the headline, memory, timeline and schedule comparison. Never blank, never throws: an invalid config
 * keeps the last good preview, dimmed, under a banner; a failed view shows its error in place.
 */
import type { ResolvedConfig, ScheduleKind } from '../simulator/config';
import type { OutcomeSummary, SimulationOutcome, SimulationResult } from '../simulator/result';
import { simulate } from '../simulator/simulate';
import { doesNotFitText, formatDays, formatGpuHours, scheduleName } from './format';
import type { Viewport } from './geometry';
import { isHostMessage, isResolvedConfig, MAX_ERRORS, type HostMessage, type PreviewError, type WebviewMessage } from '../protocol/preview';
import { BackgroundSimulations } from './background';
import { afterPaint, afterPaintThen } from './paint';
import { TableQueue } from './tableQueue';
import { AblationView } from './views/ablation';
import { BannerView } from './views/banner';
import { CompareView } from './views/compare';
import { h, icon } from './views/dom';
import { HeadlineView } from './views/headline';
import { LayoutsView } from './views/layouts';
import { MemoryView } from './views/memory';
import { TimelineView } from './views/timeline';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;
/** The simulation worker's script, put in by the build (scripts/build.mjs); absent in Node tests. */
declare const SIMULATION_WORKER_SOURCE: string | undefined;

/** What survives hide/show and reload (webview state; the serializer hands it back after a reload). */
interface PersistedState {
  v: 1;
  uri?: string;
  version?: number;
  /** The last config that simulated. */
  config?: ResolvedConfig;
  errors: PreviewError[];
  stale: boolean;
  viewport?: Viewport;
}

function readState(raw: unknown): PersistedState {
  const empty: PersistedState = { v: 1, errors: [], stale: false };
  if (typeof raw !== 'object' || raw === null) return empty;
  const s = raw as Partial<PersistedState>;
  if (s.v !== 1) return empty;
  const vp = s.viewport;
  return {
    v: 1,
    uri: typeof s.uri === 'string' ? s.uri : undefined,
    version: typeof s.version === 'number' ? s.version : undefined,
    config: isResolvedConfig(s.config) ? s.config : undefined,
    errors: Array.isArray(s.errors) ? s.errors.filter((e) => typeof e?.message === 'string' && typeof e?.line === 'number').slice(0, 50) : [],
    stale: s.stale === true,
    viewport: vp && Number.isFinite(vp.startSeconds) && Number.isFinite(vp.pxPerSecond) && vp.pxPerSecond > 0 ? vp : undefined,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Outcomes by (config without its schedule, schedule), most recent last. An edit that does not change the resolved
 * config (a comment, whitespace) costs nothing, and applying a schedule from the comparison reuses its simulation.
 */
const outcomes = new Map<string, SimulationOutcome>();
const CACHED_OUTCOMES = 48;

/** The config without its schedule, serialised once per config object: every comparison row asks for it. */
const configKeys = new WeakMap<ResolvedConfig, string | null>();

function outcomeKey(config: ResolvedConfig, kind: ScheduleKind): string | undefined {
  let base = configKeys.get(config);
  if (base === undefined) {
    try {
      base = JSON.stringify({ ...config, parallelism: { ...config.parallelism, schedule: null } });
    } catch {
      base = null;
    }
    configKeys.set(config, base);
  }
  return base === null ? undefined : `${kind}|${base}`;
}

/** The cached outcome of `config` under `schedule`, if it was simulated recently; never simulates. */
function cachedSimulation(config: ResolvedConfig, schedule?: ScheduleKind): SimulationOutcome | undefined {
  const key = outcomeKey(config, schedule ?? config.parallelism.schedule);
  const hit = key !== undefined ? outcomes.get(key) : undefined;
  if (hit && key !== undefined) {
    outcomes.delete(key);
    outcomes.set(key, hit);
  }
  return hit;
}

/** Numbers of rows the background simulated (no timeline), by the same keys: for the comparison's rows. */
const summaries = new Map<string, OutcomeSummary>();

function rememberSummary(config: ResolvedConfig, schedule: ScheduleKind, outcome: OutcomeSummary): void {
  const key = outcomeKey(config, schedule);
  if (key === undefined) return;
  summaries.delete(key);
  summaries.set(key, outcome);
  if (summaries.size > CACHED_OUTCOMES) summaries.delete(summaries.keys().next().value as string);
}

/** What is known of `config` under `schedule` without simulating: a full outcome, else a background row's numbers. */
function knownSummary(config: ResolvedConfig, schedule: ScheduleKind): OutcomeSummary | undefined {
  const full = cachedSimulation(config, schedule);
  if (full) return full;
  const key = outcomeKey(config, schedule);
  return key !== undefined ? summaries.get(key) : undefined;
}

function runSimulation(config: ResolvedConfig, schedule?: ScheduleKind): SimulationOutcome {
  const kind = schedule ?? config.parallelism.schedule;
  const hit = cachedSimulation(config, kind);
  if (hit) return hit;
  let outcome: SimulationOutcome;
  try {
    outcome = simulate(config, { schedule: kind });
  } catch (e) {
    outcome = { ok: false, code: 'preview/simulate-threw', reason: `The simulator failed: ${message(e)}` };
  }
  const key = outcomeKey(config, kind);
  if (key !== undefined) {
    outcomes.set(key, outcome);
    if (outcomes.size > CACHED_OUTCOMES) outcomes.delete(outcomes.keys().next().value as string);
  }
  return outcome;
}

class Preview {
  private state: PersistedState;
  private readonly banner: BannerView;
  private readonly headline = new HeadlineView();
  private readonly memory = new MemoryView();
  private readonly timeline: TimelineView;
  private readonly compare: CompareView;
  private readonly ablation = new AblationView();
  private readonly layouts: LayoutsView;
  /** Two workers: on two cores, the comparison's schedules run beside each other once the page has painted. */
  private readonly background = new BackgroundSimulations(typeof SIMULATION_WORKER_SOURCE === 'string' ? SIMULATION_WORKER_SOURCE : undefined, 2);
  private readonly content: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly title: HTMLElement;
  private good?: { config: ResolvedConfig; result: SimulationResult };
  private viewportTimer = 0;
  /** This update's tables: their redraw, waiting for the paint (deferTables), and the rows' results that came first. */
  private readonly tables = new TableQueue(afterPaintThen);
  /** The latest host message: its send time, and when it arrived (wall clock, and performance.now() for updateMs). */
  private arrival: { sentAt: number; editedAt?: number; receivedAt: number; perfAt: number } = { sentAt: 0, receivedAt: 0, perfAt: 0 };
  /** A pending after-paint report; a newer update supersedes it, so only the latest version is reported. */
  private paintWait?: () => void;
  private cancelSave?: () => void;
  private savedUri?: string;

  constructor(
    private readonly vscode: VsCodeApi,
    app: HTMLElement,
  ) {
    this.state = readState(vscode.getState());
    this.banner = new BannerView((line) => this.post({ type: 'reveal', line }));
    this.timeline = new TimelineView((vp) => this.rememberViewport(vp));
    this.compare = new CompareView(knownSummary, (schedule) => this.post({ type: 'applySchedule', schedule }));
    this.layouts = new LayoutsView(
      () => this.post({ type: 'findLayouts' }),
      () => this.post({ type: 'cancelLayouts' }),
      (changes) => this.post({ type: 'applyLayout', changes }),
    );
    this.title = h('h1', { class: 'title' }, icon('preview'), ' Training config preview');
    this.placeholder = h('p', { class: 'placeholder' }, icon('info'), ' Open a *.train.yaml file to see its GPU-hours, memory and pipeline timeline.');
    this.content = h('div', { class: 'content', hidden: true }, this.headline.root, this.memory.root, this.timeline.root, this.compare.root, this.ablation.root, this.layouts.root);
    app.replaceChildren(this.title, this.banner.root, this.placeholder, this.content);

    window.addEventListener('message', (e: MessageEvent<unknown>) => this.onMessage(e.data));
    // Hidden or closed before a deferred save ran: save now, or the restored panel would show an older state.
    window.addEventListener('pagehide', () => this.saveNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.saveNow();
    });
    // Restore what was shown before the panel was hidden or the window reloaded, then ask for the current text.
    // What came back from the saved state, for the end-to-end suite: nothing, a config, or a config and a zoom.
    document.body.dataset.restored = this.state.config ? (this.state.viewport ? 'config+viewport' : 'config') : 'none';
    if (this.state.config) {
      this.show(this.state.config, this.state.uri ?? '', this.state.version ?? 0, this.state.viewport, false);
      if (this.state.stale) this.markInvalid(this.state.errors, false);
    }
    this.post({ type: 'ready' });
  }

  private post(m: WebviewMessage): void {
    try {
      this.vscode.postMessage(m);
    } catch (e) {
      console.error('postMessage failed', e);
    }
  }

  /**
   * Saves the state once the current update is painted: setState is a message to the editor's window, which in
   * a browser workbench runs on the same thread that paints this page.
   */
  private save(): void {
    // Another document: saved at once, since a reload restores the panel for the document its state names.
    if (this.state.uri !== this.savedUri) return this.saveNow();
    this.cancelSave?.();
    this.cancelSave = afterPaintThen(() => this.saveNow());
  }

  /** Saves at once, dropping a deferred save (the page is going away, or the user changed the view). */
  private saveNow(): void {
    this.cancelSave?.();
    this.cancelSave = undefined;
    clearTimeout(this.viewportTimer);
    try {
      this.vscode.setState(this.state);
      this.savedUri = this.state.uri;
    } catch (e) {
      console.error('setState failed', e);
    }
  }

  /** Zoom and pan come from the user, not from typing: saved on a short debounce, not deferred to a paint. */
  private rememberViewport(vp: Viewport | undefined): void {
    this.state.viewport = vp;
    clearTimeout(this.viewportTimer);
    this.viewportTimer = window.setTimeout(() => this.saveNow(), 250);
  }

  private onMessage(data: unknown): void {
    const receivedAt = Date.now();
    const perfAt = performance.now();
    if (!isHostMessage(data)) {
      console.warn('preview: ignored a malformed message');
      return;
    }
    if (data.type === 'layouts') {
      // A search's progress or result: not an edit, so no paint report.
      if (data.uri === this.state.uri) this.guard(this.layouts.root, () => this.layouts.show(data));
      return;
    }
    this.arrival = { sentAt: data.sentAt, editedAt: data.editedAt, receivedAt, perfAt };
    try {
      this.handle(data);
    } catch (e) {
      this.banner.show(`The preview failed: ${message(e)}`, []);
    }
  }

  private handle(m: Exclude<HostMessage, { type: 'layouts' }>): void {
    if (m.type === 'update') {
      // The timeline keeps its zoom while the schedule and rank count stay the same.
      this.show(m.config, m.uri, m.version, undefined, true, m.errors);
    } else {
      // Another document with errors keeps the previous preview, dimmed, under its banner.
      this.state.uri = m.uri;
      this.state.version = m.version;
      this.markInvalid(m.errors, true);
    }
  }

  /** The comparison's and the ablation's rows for `config`, started in the background (results come to `received`). */
  private startRows(config: ResolvedConfig): void {
    let jobs: ReturnType<CompareView['plan']> = [];
    try {
      jobs = [...this.compare.plan(config), ...this.ablation.plan(config)];
    } catch (e) {
      console.error(e);
    }
    this.background.run(jobs, (id, outcome, inWorker) => {
      // The rows a result fills must be this config's: a result that comes before the tables' redraw (a worker that
      // started beside this update) waits for it, after the paint, so the tables' layout stays out of the update's frame.
      this.tables.result(() => this.received(config, id, outcome, inWorker));
    });
  }

  /** A background row's result, for the tables showing `config`. */
  private received(config: ResolvedConfig, id: string, outcome: OutcomeSummary, inWorker: boolean): void {
    // Where the rows were simulated, for the end-to-end suite (a webview's CSP decides whether workers start).
    document.body.dataset.rowsSimulatedIn = inWorker ? 'worker' : 'page';
    if (this.compare.receive(id, outcome)) {
      const schedule = id.slice('compare:'.length) as ScheduleKind;
      rememberSummary(config, schedule, outcome);
      this.stampCompared();
    } else this.ablation.receive(id, outcome);
    this.fillTablesAfterRows();
  }

  /** The memory view's screen-reader table, the page's last work for an update: once no background row is running. */
  private fillTablesAfterRows(): void {
    if (!this.background.busy) this.guard(this.memory.root, () => this.memory.fillTable());
  }

  /**
   * Once every comparison row shows the current update's numbers: its version on the page, for the benchmark's
   * "comparison rows included" (a row that is not busy may still show the previous config's numbers, before the
   * deferred table redraw).
   */
  private stampCompared(): void {
    if (this.compare.complete) document.body.dataset.comparedVersion = String(this.state.version ?? 0);
  }

  /**
   * The comparison's and the ablation's tables are redrawn after the update's paint: a table is laid out as a
   * whole, and in the keystroke's frame their layout added ≈ 6 ms to the paint of the DeepSeek-V3 preview (headless
   * Chromium, `content-visibility` off; it had skipped them off-screen but also dropped them from the
   * accessibility tree). Their rows wait for the background simulations anyway.
   */
  private deferTables(work: () => void): void {
    this.tables.redraw(work);
  }

  private cancelRows(): void {
    // The tables show the last good config's rows, then mark what never arrived.
    this.tables.flush();
    this.background.cancel();
    this.compare.cancel();
    this.ablation.cancel();
    this.fillTablesAfterRows();
  }

  /** Simulates and draws; on failure keeps the last good preview, dimmed. */
  private show(config: ResolvedConfig, uri: string, version: number, viewport: Viewport | undefined, post: boolean, errors: PreviewError[] = []): void {
    // The background rows first: in workers they run beside this simulation and draw. Their results that come early
    // wait for this update's table redraw (webview/tableQueue.ts).
    this.tables.open();
    this.startRows(config);
    const outcome = runSimulation(config);
    if (uri !== this.state.uri) this.layouts.reset();
    this.state.uri = uri;
    this.state.version = version;
    if (!outcome.ok) {
      this.cancelRows();
      this.state.errors = errors;
      this.markStale(true);
      this.banner.show(`This config cannot be simulated: ${outcome.reason}`, errors);
      this.state.stale = true;
      this.save();
      this.postRendered(0, 0);
      return;
    }
    const result = outcome.result;
    this.good = { config, result };
    // The canvas first, while the page's styles are clean: drawing text on a canvas resolves its font from the
    // page's styles, which after the other views' changes would force a full style pass inside this task.
    let renderMs = 0;
    let ops = 0;
    this.guard(this.timeline.root, () => {
      ({ renderMs, ops } = this.timeline.setTimeline(result.timeline, viewport));
    });
    this.placeholder.hidden = true;
    this.content.hidden = false;
    this.markStale(false);
    const overflow = doesNotFitText(result.memory);
    // Over HBM: the numbers are what the layout would cost; the memory view marks the ranks over the line.
    if (overflow) this.banner.show(`This layout ${overflow.replace(/^does not fit/, 'does not fit in HBM')}. The numbers below are what it would cost if it did.`, errors, 'warning');
    else if (errors.length > 0) this.banner.show('The config has errors; the numbers may be off.', errors, 'warning');
    else this.banner.hide();

    this.guard(this.headline.root, () => this.headline.render(config, result));
    this.guard(this.memory.root, () => this.memory.render(result.memory));
    this.deferTables(() => {
      this.guard(this.compare.root, () => this.compare.render(config, outcome));
      this.stampCompared();
      this.guard(this.ablation.root, () => this.ablation.render(config, outcome));
      // Every row came from a cache (or the batch is done): nothing to wait for.
      this.fillTablesAfterRows();
    });
    this.title.replaceChildren(icon('preview'), ` ${config.name || 'Training config'} · ${scheduleName(config.parallelism.schedule)}`);
    document.title = `Preview: ${config.name}`;

    this.state.config = config;
    this.state.errors = errors;
    this.state.stale = false;
    this.save();
    if (post) this.postRendered(renderMs, ops);
  }

  /** Reports what was drawn once the browser has painted it: the host's (and the tests') "preview updated". */
  private postRendered(renderMs: number, ops: number): void {
    const r = this.good?.result;
    const { sentAt, receivedAt, perfAt } = this.arrival;
    const report = {
      type: 'rendered' as const,
      uri: this.state.uri ?? '',
      version: this.state.version ?? 0,
      schedule: this.good?.config.parallelism.schedule ?? this.state.config?.parallelism.schedule ?? 'gpipe',
      gpuHours: r && Number.isFinite(r.gpuHours) && r.gpuHours >= 0 ? r.gpuHours : 0,
      wallClockDays: r && Number.isFinite(r.wallClockDays) && r.wallClockDays >= 0 ? r.wallClockDays : 0,
      renderMs: Number.isFinite(renderMs) && renderMs >= 0 ? renderMs : 0,
      updateMs: Math.max(0, performance.now() - perfAt),
      sentAt,
      receivedAt,
      ops,
      stale: this.state.stale,
    };
    this.paintWait?.();
    const editedAt = this.arrival.editedAt;
    this.paintWait = afterPaint((painted) => {
      this.paintWait = undefined;
      const paintedAt = Date.now();
      if (painted) {
        // The update's path on the shared wall clock, for the end-to-end suite (which sees the page, not the host).
        const stamps = document.body.dataset;
        stamps.editedAt = editedAt === undefined ? '' : String(editedAt);
        stamps.sentAt = String(sentAt);
        stamps.receivedAt = String(receivedAt);
        stamps.paintedVersion = String(report.version);
        stamps.paintedAt = String(paintedAt);
      }
      this.post({ ...report, paintedAt, painted });
    });
  }

  private markInvalid(errors: PreviewError[], post: boolean): void {
    this.cancelRows();
    this.state.errors = errors;
    this.state.stale = true;
    // The host sends at most MAX_ERRORS; a full list means there were more.
    const count = errors.length === 1 ? '1 error' : errors.length >= MAX_ERRORS ? `${MAX_ERRORS}+ errors` : `${errors.length} errors`;
    if (this.good) {
      this.markStale(true);
      this.banner.show(
        `The config has ${count}; showing the last valid preview (${formatGpuHours(this.good.result.gpuHours)} · ${formatDays(this.good.result.wallClockDays)}).`,
        errors,
      );
    } else {
      this.banner.show(`The config has ${count}; fix them to see the preview.`, errors);
    }
    this.save();
    if (post) this.postRendered(0, 0);
  }

  private markStale(stale: boolean): void {
    if (this.content.classList.contains('stale') === stale) return;
    this.content.classList.toggle('stale', stale);
    // Dimmed content stays readable but out of the way of assistive tech's "current" reading.
    this.content.setAttribute('aria-disabled', stale ? 'true' : 'false');
  }

  /** A failing view shows its error in place; the others still render. */
  private guard(root: HTMLElement, render: () => void): void {
    root.querySelector(':scope > .view-error')?.remove();
    try {
      render();
    } catch (e) {
      console.error(e);
      root.append(h('p', { class: 'view-error', role: 'status' }, icon('error'), ` This view failed: ${message(e)}`));
    }
  }
}

function start(): void {
  const app = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
  try {
    new Preview(acquireVsCodeApi(), app);
  } catch (e) {
    app.replaceChildren(h('p', { class: 'view-error', role: 'alert' }, icon('error'), ` The preview failed to start: ${message(e)}`));
  }
}

start();
