/**
 * A tiny test runner for the extension host (no mocha): cases run in order, each with a timeout; one line per case
 * and a closing `N passed, N failed`. `run()` rejects when any case failed, which is what @vscode/test-electron and
 * the code-server workbench (codeAutomationExit) turn into the exit code.
 */
export interface Case {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs: number;
}

const cases: Case[] = [];

/**
 * Prints a line of the suite's output. The "[tcs] " prefix lets the code-server runner pick the suite's lines out of
 * the workbench log it receives through codeAutomationLog; under @vscode/test-electron they go to stdout as they are.
 */
export function log(text: string): void {
  for (const line of text.split('\n')) console.log(`[tcs] ${line}`);
}

export function test(name: string, fn: Case['fn'], timeoutMs = 30_000): void {
  cases.push({ name, fn, timeoutMs });
}

/** Measurements printed after the cases (name → milliseconds or a value). */
export const measurements: [string, string][] = [];
export function measure(name: string, value: number, unit = 'ms'): void {
  measurements.push([name, `${Math.round(value * 10) / 10} ${unit}`]);
  log(`  measured: ${name} = ${Math.round(value * 10) / 10} ${unit}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runAll(suite: string): Promise<void> {
  let passed = 0;
  let failed = 0;
  log(`${suite}: ${cases.length} cases`);
  for (const c of cases) {
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(c.fn), c.timeoutMs, c.name);
      passed++;
      log(`PASS ${c.name} (${Date.now() - t0} ms)`);
    } catch (error) {
      failed++;
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`FAIL ${c.name} (${Date.now() - t0} ms)\n    ${text.split('\n').slice(0, 6).join('\n    ')}`);
    }
  }
  for (const [name, value] of measurements) log(`${suite} measurement: ${name} = ${value}`);
  log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${cases.length} integration cases failed`);
}

export { assert, waitFor } from '../support/wait';
