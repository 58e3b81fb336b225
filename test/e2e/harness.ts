/**
 * The end-to-end runner's core: cases in order, each with a timeout; a failing case saves a screenshot and names its
 * path. One PASS/FAIL line per case and a closing `N passed, N failed`. Waits are on conditions, never fixed sleeps.
 */
import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface E2eCase {
  name: string;
  fn: () => Promise<void>;
  timeoutMs: number;
}

export interface E2eResult {
  passed: number;
  failed: number;
  measurements: [string, string][];
}

export class E2eRun {
  private readonly cases: E2eCase[] = [];
  readonly measurements: [string, string][] = [];

  constructor(
    private readonly page: Page,
    readonly artifacts: string,
  ) {
    mkdirSync(artifacts, { recursive: true });
  }

  test(name: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
    this.cases.push({ name, fn, timeoutMs });
  }

  measure(name: string, ms: number): void {
    const text = `${Math.round(ms)} ms`;
    this.measurements.push([name, text]);
    console.log(`  measured: ${name} = ${text}`);
  }

  /** Saves a screenshot of the whole workbench under artifacts/, returns its path. */
  async screenshot(name: string): Promise<string> {
    const path = join(this.artifacts, `${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}.png`);
    await this.page.screenshot({ path }).catch((e: unknown) => console.log(`  (screenshot failed: ${String(e)})`));
    return path;
  }

  async run(): Promise<E2eResult> {
    let passed = 0;
    let failed = 0;
    let index = 0;
    for (const c of this.cases) {
      index++;
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.fn(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${c.timeoutMs} ms`)), c.timeoutMs);
          }),
        ]);
        passed++;
        console.log(`PASS ${c.name} (${Date.now() - t0} ms)`);
      } catch (error) {
        failed++;
        const shot = await this.screenshot(`FAILED-${String(index).padStart(2, '0')}-${c.name}`);
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.log(`FAIL ${c.name} (${Date.now() - t0} ms)\n    ${text.split('\n').slice(0, 8).join('\n    ')}\n    screenshot: ${shot}`);
        // Leave the workbench usable for the next case: close menus/widgets.
        await this.page.keyboard.press('Escape').catch(() => {});
      } finally {
        clearTimeout(timer);
      }
    }
    for (const [name, value] of this.measurements) console.log(`e2e measurement: ${name} = ${value}`);
    console.log(`${passed} passed, ${failed} failed`);
    return { passed, failed, measurements: this.measurements };
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Thrown from a waitFor condition to stop waiting at once (e.g. the workbench shows an error dialog). */
export class Fatal extends Error {}

/** Polls `condition` until truthy (25 ms interval), or fails naming `what`. */
export async function waitFor<T>(what: string, condition: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 20_000): Promise<T> {
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
