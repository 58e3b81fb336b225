/**
 * Schedule engine speed: generate + execute. Targets (issue 3): DualPipe at the DeepSeek-V3 shape (P=16, N=120,
 * ~5,800 ops) ≤ 5 ms median; 10^6 ops ≤ 1 s; time linear in ops (the growth exponent column stays near 1).
 * Each row is the median of several rounds' medians after a warm-up; the fit row is the least-squares slope over
 * every DualPipe size, so one noisy size does not decide it.
 */
import { generateSchedule, scheduleColumns } from '../simulator/schedules/index';
import type { ScheduleRequest } from '../simulator/schedules/types';
import { executeSchedule, unitDurations } from '../simulator/timeline';
import { markdownTable, type Measurement, measure, ms } from './harness';

const costs = unitDurations({ F: 1, B: 2, W: 1, FB: 3 });

/** Generates and executes `req`; returns the op count. `readOps`: also read every TimedOp (built on first read). */
function generateAndExecute(req: ScheduleRequest, keepOps = true, readOps = false): number {
  const generated = generateSchedule(req);
  if (!generated.ok) throw new Error(generated.reason);
  const executed = executeSchedule(generated.value, costs, { keepOps });
  if (!executed.ok) throw new Error(executed.reason);
  if (readOps) return executed.value.ranks.reduce((sum, ops) => sum + ops.length, 0);
  // The op count from the columns, not `order`: reading `order` would build one object per op.
  const columns = scheduleColumns(generated.value);
  return columns ? columns.first[columns.first.length - 1] : generated.value.order.reduce((sum, ops) => sum + ops.length, 0);
}

/** Median of `rounds` medians, each of `iterations` timed runs after a warm-up: the JIT is warm and one noisy round does not decide. */
function robustMedian(name: string, fn: () => unknown, ops: number): Measurement {
  const small = ops < 100_000;
  const rounds: Measurement[] = [];
  for (let round = 0; round < (small ? 5 : 3); round++)
    rounds.push(measure(name, fn, { iterations: small ? 40 : 3, warmup: round === 0 ? (small ? 20 : 1) : small ? 5 : 0, maxSeconds: 20, detail: { ops } }));
  rounds.sort((x, y) => x.medianMs - y.medianMs);
  const mid = rounds[Math.floor(rounds.length / 2)];
  return { ...mid, p95Ms: Math.max(...rounds.map((r) => r.p95Ms)), iterations: rounds.reduce((n, r) => n + r.iterations, 0) };
}

/** Least-squares slope of log(time) over log(ops): the growth exponent k in time ∝ ops^k (1 = linear). */
function growthExponent(points: { ops: number; ms: number }[]): number {
  const xs = points.map((p) => Math.log(p.ops));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, x) => a + x, 0) / xs.length;
  const my = ys.reduce((a, y) => a + y, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

export function scheduleBenchmarks(): { title: string; table: string; rows: Measurement[] } {
  const sizes: ScheduleRequest[] = [
    { kind: 'dualpipe', ranks: 16, microBatches: 120 },
    // DualPipe P=16 has ~16·N ops: 2.4k → ~10^6 ops.
    ...[1_000, 4_000, 16_000, 62_000].map((n): ScheduleRequest => ({ kind: 'dualpipe', ranks: 16, microBatches: n })),
    { kind: '1f1b', ranks: 16, microBatches: 32_000 },
    { kind: 'zbv', ranks: 16, microBatches: 2_000 },
    // Issue 15's shapes, generated afresh every run (simulate reuses the generated schedule).
    { kind: '1f1b', ranks: 64, microBatches: 512 },
    { kind: 'interleaved-1f1b', ranks: 35, microBatches: 280, virtualStages: 3 },
  ];
  // The numbers-only path (makespan, idle, peak activations without TimedOp lists) at ~10^6 ops.
  const numbersOnly: ScheduleRequest = { kind: 'dualpipe', ranks: 16, microBatches: 62_000 };
  const rows: Measurement[] = [];
  const table: (string | number)[][] = [];
  const dualPipePoints: { ops: number; ms: number }[] = [];
  let previous: { ops: number; ms: number } | undefined;
  for (const req of sizes) {
    const ops = generateAndExecute(req);
    const m = robustMedian(`${req.kind} P=${req.ranks} N=${req.microBatches}${req.virtualStages ? ` v=${req.virtualStages}` : ''}`, () => generateAndExecute(req), ops);
    // Growth exponent between consecutive DualPipe sizes: log(time ratio) / log(ops ratio); 1 = linear.
    const exponent = previous && req.kind === 'dualpipe' ? Math.log(m.medianMs / previous.ms) / Math.log(ops / previous.ops) : undefined;
    if (req.kind === 'dualpipe') {
      previous = { ops, ms: m.medianMs };
      dualPipePoints.push(previous);
    }
    rows.push(m);
    table.push([m.name, ops, ms(m.medianMs), ms(m.p95Ms), exponent === undefined ? '—' : exponent.toFixed(2)]);
  }
  const fit = growthExponent(dualPipePoints);
  table.push([`dualpipe fit over ${dualPipePoints[0].ops}–${dualPipePoints[dualPipePoints.length - 1].ops} ops (least squares, log-log)`, '—', '—', '—', fit.toFixed(2)]);
  const big = generateAndExecute(numbersOnly, false);
  const m = robustMedian(`dualpipe P=16 N=62000, keepOps: false`, () => generateAndExecute(numbersOnly, false), big);
  rows.push(m);
  table.push([m.name, big, ms(m.medianMs), ms(m.p95Ms), '—']);
  // What a consumer that reads every op pays on top: the TimedOp lists are built on first read of `ranks`.
  const read = robustMedian(`dualpipe P=16 N=62000, reading every TimedOp`, () => generateAndExecute(numbersOnly, true, true), big);
  rows.push(read);
  table.push([read.name, big, ms(read.medianMs), ms(read.p95Ms), '—']);
  return {
    title: 'Pipeline schedules: generate + execute (unit costs)',
    table: markdownTable(['schedule', 'ops', 'median ms', 'p95 ms', 'growth exponent'], table),
    rows,
  };
}

if (require.main === module) {
  const { title, table } = scheduleBenchmarks();
  console.log(`## ${title}\n\n${table}`);
}
