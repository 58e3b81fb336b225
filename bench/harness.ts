/** Benchmark helpers: time a function many times and report median and p95 in milliseconds. */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  medianMs: number;
  p95Ms: number;
  iterations: number;
  /** Extra columns, e.g. ops or lines. */
  detail?: Record<string, string | number>;
}

/** Runs `fn` a few times to warm the JIT, then `iterations` timed runs (capped by `maxSeconds`). */
export function measure(
  name: string,
  fn: () => unknown,
  options: { iterations?: number; warmup?: number; maxSeconds?: number; detail?: Record<string, string | number> } = {},
): Measurement {
  const iterations = options.iterations ?? 50;
  const warmup = options.warmup ?? Math.min(10, iterations);
  const deadline = performance.now() + (options.maxSeconds ?? 5) * 1000;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations && (samples.length < 3 || performance.now() < deadline); i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { name, medianMs: at(0.5), p95Ms: at(0.95), iterations: samples.length, detail: options.detail };
}

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function ms(value: number): string {
  return value < 0.1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
}
