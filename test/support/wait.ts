/** Condition polling shared by the e2e (Playwright) and integration (extension host) suites: no fixed sleeps. */

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Thrown from a waitFor condition to stop waiting at once (e.g. the workbench shows an error dialog). */
export class Fatal extends Error {}

/** Polls `condition` every 25 ms until it returns a truthy value, or fails naming `what` and the last error seen. */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      if (error instanceof Fatal) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
