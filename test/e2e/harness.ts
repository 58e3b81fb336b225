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

export { assert, Fatal, waitFor } from '../support/wait';
