/**
 * Cost-model speed. Targets (issue 4): simulate of the DeepSeek-V3 example ≤ 10 ms median; 1,000 layouts of it
 * (PP, EP, schedule, micro-batch size, node limit varied over 2,048 GPUs) ≤ 2 s; its ablation (7 simulations, off
 * the keystroke path) ≤ 70 ms. Run standalone: node out/bench/simulate.js
 */
import type { ResolvedConfig, ScheduleKind } from '../simulator/config';
import { ablate } from '../simulator/ablate';
import { estimateMemory } from '../simulator/memory';
import { simulate } from '../simulator/simulate';
import { deepSeekV3 } from '../test/simulator/fixtures';
import { markdownTable, type Measurement, measure, ms } from './harness';

/** 1,000 DeepSeek-V3 layouts on its 2,048 GPUs; some are invalid on purpose (the model must refuse them fast). */
export function deepSeekLayouts(count = 1000): ResolvedConfig[] {
  const base = deepSeekV3();
  const pipelines = [8, 16, 32];
  const experts = [8, 16, 32, 64];
  const schedules: ScheduleKind[] = ['dualpipe', 'dualpipev', '1f1b', 'zb-h1', 'interleaved-1f1b'];
  const microBatchSizes = [1, 2, 4];
  const nodeLimits = [4, 2, undefined];
  const out: ResolvedConfig[] = [];
  for (let i = 0; out.length < count; i++) {
    const pipeline = pipelines[i % pipelines.length];
    const expert = experts[Math.floor(i / 3) % experts.length];
    const schedule = schedules[Math.floor(i / 12) % schedules.length];
    const microBatchSize = microBatchSizes[Math.floor(i / 60) % microBatchSizes.length];
    const maxNodesPerToken = nodeLimits[Math.floor(i / 180) % nodeLimits.length];
    const data = 2048 / pipeline;
    out.push({
      ...base,
      model: { ...base.model, moe: { ...base.model.moe!, maxNodesPerToken } },
      training: { ...base.training, microBatchSize },
      parallelism: { ...base.parallelism, pipeline, data, expert, schedule, virtualStages: schedule === 'interleaved-1f1b' ? 2 : 1, microBatches: Math.floor(base.training.globalBatchSize / (data * microBatchSize)) },
    });
  }
  return out;
}

export function simulateBenchmarks(): { title: string; table: string; rows: Measurement[] } {
  const ds = deepSeekV3();
  const layouts = deepSeekLayouts(1000);
  let refused = 0;
  const rows: Measurement[] = [
    measure('simulate DeepSeek-V3 (DualPipe P=16, N=120)', () => simulate(ds), { iterations: 50, maxSeconds: 5 }),
    measure('estimateMemory DeepSeek-V3 (per keystroke)', () => estimateMemory(ds), { iterations: 500, maxSeconds: 2 }),
    measure(
      'simulate 1,000 layouts of DeepSeek-V3',
      () => {
        refused = 0;
        for (const config of layouts) if (!simulate(config).ok) refused++;
      },
      { iterations: 3, warmup: 1, maxSeconds: 60 },
    ),
    // Off the keystroke path (the preview runs one variant per task after the paint); the CLI runs them all.
    measure('ablate DeepSeek-V3 (current + 6 variants)', () => ablate(ds), { iterations: 20, maxSeconds: 5 }),
  ];
  rows[2].detail = { refused };
  const table = markdownTable(
    ['case', 'median ms', 'p95 ms', 'runs', 'target'],
    rows.map((r, i) => [r.name + (r.detail ? ` (${r.detail.refused} refused)` : ''), ms(r.medianMs), ms(r.p95Ms), r.iterations, ['≤ 10 ms', '≤ 1 ms', '≤ 2,000 ms', '≤ 70 ms'][i]]),
  );
  return { title: 'Cost model (simulate)', table, rows };
}

if (require.main === module) {
  const { title, table } = simulateBenchmarks();
  process.stdout.write(`## ${title}\n\n${table}\n`);
}
