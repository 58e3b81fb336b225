/**
 * Work that would compete with the preview's next frame waits until the preview has painted.
 *
 * In the browser the editor's window and the preview's webview share one thread: a problems update (markers,
 * squiggles, the Problems view, tab and explorer badges) handled there before the preview's frame holds that frame
 * back. Measured with `npm run bench:preview-floor -- --against`: publishing the problems right after the
 * preview's post cost the preview's keystroke → painted about 30 ms at load 6 on a 2-core machine. So while the
 * preview is showing a version it was sent, work registered for that document (the problems) runs when the page
 * reports the version painted, or after `capMs` if it does not (a hidden or throttled webview paints nothing).
 * A newer registration for the same document replaces the older one: only the latest version's work runs.
 * The suggest widget is the same kind of work: its list lays out in that thread too. `settled` lets a completion
 * answer wait for the paint alike (an A/B with quick suggestions off put the widget at ≈ 10 ms of the preview's
 * page → painted and ≈ 45 ms of browser CPU per keystroke, at load 2).
 *
 * No `vscode` import: timers come from the caller so that this is unit-tested in plain Node.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest the problems wait for a paint: a few frames, well under what a person typing notices. */
export const AFTER_PREVIEW_PAINT_CAP_MS = 100;

interface Waiting {
  version: number;
  work?: () => void;
  /** Everyone awaiting `settled`, in order. */
  settled: (() => void)[];
  timer?: unknown;
}

export class AfterPreviewPaint {
  /** Per document URI: the version posted to the preview and not yet reported painted. */
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly timers: Timers = globalThis,
    private readonly capMs = AFTER_PREVIEW_PAINT_CAP_MS,
  ) {}

  /** The preview was sent `version` of the document. */
  posted(uri: string, version: number): void {
    const entry = this.waiting.get(uri);
    if (entry) entry.version = Math.max(entry.version, version);
    else this.waiting.set(uri, { version, settled: [] });
  }

  /** The preview reported `version` painted (or drawn without a paint): what waited on it runs now. */
  painted(uri: string, version: number): void {
    const entry = this.waiting.get(uri);
    if (entry && version >= entry.version) this.release(uri);
  }

  /** Runs `work` now, or once the preview has painted what it was sent for this document. */
  run(uri: string, work: () => void): void {
    const entry = this.waiting.get(uri);
    if (!entry) {
      work();
      return;
    }
    entry.work = work;
    entry.timer ??= this.timers.setTimeout(() => this.release(uri), this.capMs);
  }

  /** Resolves now, or once the preview has painted what it was sent for this document (at most `capMs` from now). */
  settled(uri: string): Promise<void> {
    const entry = this.waiting.get(uri);
    if (!entry) return Promise.resolve();
    return new Promise((resolve) => {
      entry.settled.push(resolve);
      entry.timer ??= this.timers.setTimeout(() => this.release(uri), this.capMs);
    });
  }

  /** The preview closed or stopped showing a document: nothing waits on it any more. */
  releaseAll(): void {
    for (const uri of [...this.waiting.keys()]) this.release(uri);
  }

  private release(uri: string): void {
    const entry = this.waiting.get(uri);
    if (!entry) return;
    this.waiting.delete(uri);
    if (entry.timer !== undefined) this.timers.clearTimeout(entry.timer);
    try {
      entry.work?.();
    } finally {
      for (const resolve of entry.settled) resolve();
    }
  }
}
