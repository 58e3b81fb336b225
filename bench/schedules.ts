/**
 * Schedule engine speed: generate + execute. Targets (issue 3): DualPipe at the DeepSeek-V3 shape (P=16, N=120,
 * ~5,800 ops) ≤ 5 ms median; 10^6 ops ≤ 1 s; time linear in ops (the growth exponent column stays near 1).
 */
import { generateSchedule } from '../simulator/schedules/index';
import type { ScheduleRequest } from '../simulator/schedules/types';
import { executeSchedule, unitDurations } from '../simulator/timeline';
import { markdownTable, type Measurement, measure, ms } from './harness';

const costs = unitDurations({ F: 1, B: 2, W: 1, FB: 3 });

function generateAndExecute(req: ScheduleRequest, keepOps = true): number {
  const generated = generateSchedule(req);
  if (!generated.ok) throw new Error(generated.reason);
  const executed = executeSchedule(generated.value, costs, { keepOps });
  if (!executed.ok) throw new Error(executed.reason);
  return generated.value.order.reduce((sum, ops) => sum + ops.length, 0);
}

export function scheduleBenchmarks(): { title: string; table: string; rows: Measurement[] } {
  const sizes: ScheduleRequest[] = [
    { kind: 'dualpipe', ranks: 16, microBatches: 120 },
    // DualPipe P=16 has ~16·N ops: 62k → ~10^6 ops.
    ...[1_000, 4_000, 16_000, 62_000].map((n): ScheduleRequest => ({ kind: 'dualpipe', ranks: 16, microBatches: n })),
    { kind: '1f1b', ranks: 16, microBatches: 32_000 },
    { kind: 'zbv', ranks: 16, microBatches: 2_000 },
  ];
  // The numbers-only path (makespan, idle, peak activations without TimedOp lists) at ~10^6 ops.
  const numbersOnly: ScheduleRequest = { kind: 'dualpipe', ranks: 16, microBatches: 62_000 };
  const rows: Measurement[] = [];
  const table: (string | number)[][] = [];
  let previous: { ops: number; ms: number } | undefined;
  for (const req of sizes) {
    const ops = generateAndExecute(req);
    const m = measure(`${req.kind} P=${req.ranks} N=${req.microBatches}`, () => generateAndExecute(req), {
      iterations: ops > 100_000 ? 3 : 30,
      warmup: ops > 100_000 ? 1 : 5,
      detail: { ops },
    });
    // Growth exponent between consecutive DualPipe sizes: log(time ratio) / log(ops ratio); 1 = linear.
    const exponent = previous && req.kind === 'dualpipe' ? Math.log(m.medianMs / previous.ms) / Math.log(ops / previous.ops) : undefined;
    if (req.kind === 'dualpipe') previous = { ops, ms: m.medianMs };
    rows.push(m);
    table.push([m.name, ops, ms(m.medianMs), ms(m.p95Ms), exponent === undefined ? '—' : exponent.toFixed(2)]);
  }
  const m = measure(`dualpipe P=16 N=62000, keepOps: false`, () => generateAndExecute(numbersOnly, false), { iterations: 3, warmup: 1 });
  rows.push(m);
  table.push([m.name, generateAndExecute(numbersOnly, false), ms(m.medianMs), ms(m.p95Ms), '—']);
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
