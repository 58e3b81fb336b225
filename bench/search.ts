/**
 * Layout search speed (issue 15 §3): the DeepSeek-V3 example's space (≥ 5,000 layouts before rules) searched to its
 * frontier in ≤ 2 s, and the Llama 3 405B example's. Wall clock and the process's CPU time (the machine is shared:
 * CPU time is what the search itself costs; it includes V8's GC and compiler threads, so it can exceed the wall
 * clock). The first search in a process is its own row: it pays for compiling the code, as `tcs search` and the
 * editor's search worker (a fresh thread per search) do. Run standalone: node out/bench/search.js [runs] — which
 * also times two searches through the extension's worker (dist/searchWorker.js, after npm run build).
 */
import { join } from 'node:path';
import { disposeSearchWorkers, searchInWorker } from '../extension/layoutSearchMessages';
import { findLayouts } from '../language/service';
import { loadExamples, repoRoot } from '../test/support/generate';
import { markdownTable, type Measurement, ms } from './harness';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

export function searchBenchmarks(runs = 3): { title: string; table: string; rows: Measurement[] } {
  const rows: Measurement[] = [];
  for (const example of loadExamples().filter((e) => /deepseek-v3|llama3-405b/.test(e.name))) {
    const wall: number[] = [];
    const cpu: number[] = [];
    let detail: Record<string, string | number> = {};
    for (let i = 0; i < runs + 1; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const found = findLayouts(example.text);
      wall.push(performance.now() - t0);
      cpu.push(cpuMs(process.cpuUsage(c0)));
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
    // The first run is the cold one; the median is over the rest.
    const [firstWall, ...warmWall] = wall;
    const [firstCpu, ...warmCpu] = cpu;
    rows.push({ name: `search ${example.name} to its frontier (wall)`, medianMs: median(warmWall), p95Ms: Math.max(...warmWall), iterations: runs, detail });
    rows.push({ name: `search ${example.name} to its frontier (CPU time)`, medianMs: median(warmCpu), p95Ms: Math.max(...warmCpu), iterations: runs, detail: { simulated: detail.simulated } });
    rows.push({ name: `search ${example.name}, the first in a process (CPU ms in detail)`, medianMs: firstWall, p95Ms: firstWall, iterations: 1, detail: { 'CPU ms': Math.round(firstCpu) } });
  }
  const table = markdownTable(
    ['case', 'median ms', 'max ms', 'runs', 'detail'],
    rows.map((r) => [r.name, ms(r.medianMs), ms(r.p95Ms), r.iterations, Object.entries(r.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')]),
  );
  return { title: 'Layout search', table, rows };
}

/** Two DeepSeek-V3 searches through the extension's worker, spawn (or reuse) to answer: a fresh worker's, then the
 * next one's, which the idle worker answers (layoutSearchMessages.ts keeps it). */
export async function workerSearchBenchmarks(): Promise<Measurement[]> {
  const example = loadExamples().find((e) => /deepseek-v3/.test(e.name));
  if (!example) throw new Error('no DeepSeek-V3 example');
  const out: Measurement[] = [];
  for (const which of ['a fresh worker', 'the next search, same worker']) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const outcome = await searchInWorker(join(repoRoot(), 'dist', 'searchWorker.js'), { text: example.text, fileName: example.path, options: {} }, () => undefined).done;
    const wall = performance.now() - t0;
    if (outcome.type !== 'done') throw new Error(`the worker answered ${outcome.type}`);
    out.push({ name: `search ${example.name} in the extension's worker, ${which} (wall)`, medianMs: wall, p95Ms: wall, iterations: 1, detail: { 'CPU ms': Math.round(cpuMs(process.cpuUsage(c0))), simulated: outcome.result.simulated } });
  }
  disposeSearchWorkers();
  return out;
}

if (require.main === module) {
  void (async () => {
    const worker = await workerSearchBenchmarks();
    const { rows } = searchBenchmarks(Number(process.argv[2] ?? 1));
    const all = [...worker, ...rows];
    console.log(markdownTable(['case', 'median ms', 'max ms', 'runs', 'detail'], all.map((r) => [r.name, ms(r.medianMs), ms(r.p95Ms), r.iterations, Object.entries(r.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')])));
  })();
}
