/** Timing against the browser's paint, for the preview's "updated" report and for work that must not delay it. */

/** How long to wait for a frame before going on anyway (a hidden page paints nothing). */
const AFTER_PAINT_FALLBACK_MS = 500;

/**
 * Runs `done(true)` once the frame showing the current DOM has been painted: a task queued from requestAnimationFrame
 * runs after that frame. A webview that is not being painted (hidden, throttled) gets no frames, so a timer stands
 * in and calls `done(false)`. Returns a cancel function.
 */
export function afterPaint(done: (painted: boolean) => void): () => void {
  let settled = false;
  const finish = (painted: boolean) => {
    if (settled) return;
    settled = true;
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
    done(painted);
  };
  const frame = requestAnimationFrame(() => setTimeout(() => finish(true), 0));
  const fallback = window.setTimeout(() => finish(false), AFTER_PAINT_FALLBACK_MS);
  return () => {
    settled = true;
    cancelAnimationFrame(frame);
    clearTimeout(fallback);
  };
}

/**
 * Background work after a paint (the comparison, the ablation, the saved state): one task later than afterPaint, so
 * the update's "painted" report, queued by afterPaint from the same frame, runs first and is not held back by it.
 */
export function afterPaintThen(work: () => void): () => void {
  let timer = 0;
  const cancelPaint = afterPaint(() => (timer = window.setTimeout(work, 0)));
  return () => {
    cancelPaint();
    clearTimeout(timer);
  };
}
