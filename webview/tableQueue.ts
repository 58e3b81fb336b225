/**
 * The preview's comparison and ablation tables are redrawn after the update's paint (webview/main.ts says why); the
 * background rows' results that arrive before that redraw wait for it, so a result fills the rows of the config it
 * belongs to, not the previous config's rows that the redraw is about to replace.
 *
 * Each update opens its own queue before its rows start, so a result that arrives early (a cached row, a fast
 * worker) waits in this update's queue, never in the previous update's, whose redraw is dropped with it.
 *
 * No DOM: the deferral comes from the caller (afterPaintThen in the page) so that this is unit-tested in plain Node.
 */

/** Runs `work` later; returns a function that cancels it. */
export type Defer = (work: () => void) => () => void;

interface Queue {
  /** The tables' redraw, once the update asked for it. */
  work?: () => void;
  /** Results that came before the redraw, in arrival order. */
  results: (() => void)[];
  cancel: () => void;
}

export class TableQueue {
  private current?: Queue;

  constructor(private readonly defer: Defer) {}

  /** A new update: its results wait from now on; the previous update's redraw and its waiting results are dropped. */
  open(): void {
    this.current?.cancel();
    this.current = { results: [], cancel: () => undefined };
  }

  /** A row's result: after this update's redraw if that has not run yet, else now. */
  result(apply: () => void): void {
    if (this.current) this.current.results.push(apply);
    else apply();
  }

  /** The tables' redraw: deferred, then the results that came before it, in order (at once if no queue is open). */
  redraw(work: () => void): void {
    const queue = this.current;
    if (!queue) return work();
    queue.work = work;
    queue.cancel = this.defer(() => this.run(queue));
  }

  /** Runs the open queue now (the update failed, or the rows were cancelled): its redraw, if asked for, then its results. */
  flush(): void {
    if (this.current) this.run(this.current);
  }

  private run(queue: Queue): void {
    queue.cancel();
    if (this.current === queue) this.current = undefined;
    queue.work?.();
    for (const result of queue.results) result();
  }
}
