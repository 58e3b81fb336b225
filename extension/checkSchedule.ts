/**
 * When a document is checked after it opens or changes (the policy; extension/analysis.ts does the checking).
 *
 * An edit of a small document is checked "at once": once the editor's change events of this message are dispatched
 * (one check for the batch), in a microtask when a view waits on the document, else one timer turn later. A large
 * document waits a few times its previous check's cost, capped, so a burst of keystrokes is checked once. A newer
 * request for the same document replaces the older one.
 *
 * No `vscode` import: timers and the microtask queue come from the caller so that this is unit-tested in plain Node.
 */

/**
 * Longest delay between a keystroke and the check. The delay adapts to the document: a check costs about a
 * millisecond on a real config, so it runs at once (keystroke → problems and preview in one frame), while a large
 * file waits a few times its own check time, capped here, so a burst of keystrokes is checked once.
 */
export const CHECK_DEBOUNCE_MS = 75;
/** Delay per millisecond the document's previous check took. */
export const DEBOUNCE_PER_CHECK_MS = 3;
/**
 * Edits of documents up to this size are checked at once (see CheckSchedule.edited): a real config is a few KB and
 * checks in about a millisecond, so a burst of keystrokes costs a millisecond each and nothing waits on a timer.
 */
export const CHECK_AT_ONCE_CHARS = 64 * 1024;

/**
 * How long to wait after an edit of a document of `length` characters whose previous check took `lastCheckMs`
 * (undefined: never checked): 0 (at once) for a small document, else a few times the last check's cost, at most `capMs`.
 */
export function editDelayMs(length: number, lastCheckMs: number | undefined, capMs = CHECK_DEBOUNCE_MS): number {
  if (length <= CHECK_AT_ONCE_CHARS) return 0;
  const estimate = lastCheckMs === undefined ? capMs : lastCheckMs * DEBOUNCE_PER_CHECK_MS;
  return Math.min(capMs, Math.round(estimate));
}

export interface CheckTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  queueMicrotask(callback: () => void): void;
}

export class CheckSchedule {
  /** Per document key: the timer of its debounced check. */
  private readonly debounced = new Map<string, unknown>();
  /** Per document key: the ticket of its queued ("at once") check; a check whose ticket was replaced or dropped does not run. */
  private readonly queued = new Map<string, object>();
  private disposed = false;

  /** `awaited(key)`: whether a view waits on the document's check (the preview showing it): then it goes first. */
  constructor(
    private readonly awaited: (key: string) => boolean,
    private readonly timers: CheckTimers = globalThis,
  ) {}

  /**
   * An edit: `check` runs after `delayMs`, or, when that is 0, once this message's change events are dispatched. A
   * queued check already covers `check` (it reads the document when it runs), so a second edit in the batch adds none.
   */
  edited(key: string, delayMs: number, check: () => void): void {
    if (delayMs > 0) return this.after(key, delayMs, check);
    if (this.disposed) return;
    this.clearDebounced(key);
    if (this.queued.has(key)) return;
    const ticket = {};
    this.queued.set(key, ticket);
    const run = () => {
      if (this.queued.get(key) !== ticket) return;
      this.queued.delete(key);
      // A later edit in the same turn (a paste past the small-document size) asked for a debounced check instead.
      if (this.debounced.has(key)) return;
      check();
    };
    // Everything this edit's other listeners sent (another extension's webview post, say) leaves in the extension
    // host's next socket write, which is a timer turn away: a check here, and the problems update it publishes, went
    // out in front of it. Measured with the reference webview beside this extension (`npm run bench:preview-floor`):
    // its post → page took ≈ 40 ms longer. So the check waits one timer turn, unless a view waits on the document:
    // then its post is what the user waits for, and it goes first.
    this.timers.queueMicrotask(() => (this.awaited(key) ? run() : this.timers.setTimeout(run, 0)));
  }

  /** `check` runs after `delayMs` (a timer, even at 0), replacing the document's pending debounced check. */
  after(key: string, delayMs: number, check: () => void): void {
    if (this.disposed) return;
    this.clearDebounced(key);
    this.debounced.set(
      key,
      this.timers.setTimeout(() => {
        this.debounced.delete(key);
        check();
      }, delayMs),
    );
  }

  /** The document closed or stopped being a config: neither its debounced nor its queued check runs. */
  cancel(key: string): void {
    this.clearDebounced(key);
    this.queued.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.debounced.values()) this.timers.clearTimeout(timer);
    this.debounced.clear();
    this.queued.clear();
  }

  private clearDebounced(key: string): void {
    const timer = this.debounced.get(key);
    if (timer !== undefined) this.timers.clearTimeout(timer);
    this.debounced.delete(key);
  }
}
