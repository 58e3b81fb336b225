/**
 * Layout search speed (issue 15 §3): the DeepSeek-V3 example's space (≥ 5,000 layouts before rules) searched to its
 * frontier in ≤ 2 s, and the Llama 3 405B example's. Wall clock and the process's CPU time (the machine is shared:
 * CPU time is what the search itself costs). Run standalone: node out/bench/search.js
 */
import { findLayouts } from '../language/service';
import { loadExamples } from '../test/support/generate';
import { markdownTable, type Measurement, ms } from './harness';

export function searchBenchmarks(runs = 3): { title: string; table: string; rows: Measurement[] } {
  const rows: Measurement[] = [];
  for (const example of loadExamples().filter((e) => /deepseek-v3|llama3-405b/.test(e.name))) {
    const wall: number[] = [];
    const cpu: number[] = [];
    let detail: Record<string, string | number> = {};
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const found = findLayouts(example.text);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      if (!found.ok) throw new Error(`${example.name} does not check`);
      const r = found.result;
      detail = {
        candidates: r.candidates,
        rejected: r.rejected,
        'over memory': r.overMemory,
        pruned: r.pruned,
        simulated: r.simulated,
        frontier: r.frontier.length,
        complete: r.incomplete ? `no: ${r.incomplete}` : 'yes',
      };
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    rows.push({ name: `search ${example.name} to its frontier (wall)`, medianMs: median(wall), p95Ms: Math.max(...wall), iterations: runs, detail });
    rows.push({ name: `search ${example.name} to its frontier (CPU time)`, medianMs: median(cpu), p95Ms: Math.max(...cpu), iterations: runs, detail: { simulated: detail.simulated } });
  }
  const table = markdownTable(
    ['case', 'median ms', 'max ms', 'runs', 'detail'],
    rows.map((r) => [r.name, ms(r.medianMs), ms(r.p95Ms), r.iterations, Object.entries(r.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')]),
  );
  return { title: 'Layout search', table, rows };
}

if (require.main === module) console.log(searchBenchmarks(Number(process.argv[2] ?? 1)).table);
