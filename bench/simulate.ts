/**
 * Cost-model speed. Targets (issue 4): simulate of the DeepSeek-V3 example ≤ 10 ms median; 1,000 layouts of it
 * (PP, EP, schedule, micro-batch size, node limit varied over 2,048 GPUs) ≤ 2 s; its ablation (7 simulations, off
 * the keystroke path) ≤ 70 ms. Issue 15: simulate of a 64 × 512 1F1B and a 35 × 280 interleaved schedule ≤ 10 ms
 * each. Run standalone: node out/bench/simulate.js
 */
import type { ResolvedConfig, ScheduleKind } from '../simulator/config';
import { ablate } from '../simulator/ablate';
import { estimateMemory } from '../simulator/memory';
import { simulate } from '../simulator/simulate';
import { deepSeekV3, llama3405B } from '../test/simulator/fixtures';
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

/**
 * A GPT of Narayanan et al. (SC'21, arXiv 2104.04473, Table 1) on A100-class numbers from the Llama 3 fixture:
 * TP 8, pipeline P, data D, batch = D × micro-batches (micro-batch size 1, sequence 2,048, vocabulary 51,200).
 */
function megatronGpt(layers: number, hidden: number, heads: number, P: number, data: number, batch: number, schedule: ScheduleKind, virtualStages: number): ResolvedConfig {
  const base = llama3405B();
  return {
    ...base,
    name: `GPT ${layers} layers × ${hidden}`,
    model: { ...base.model, layers, hiddenSize: hidden, ffnHiddenSize: 4 * hidden, vocabSize: 51200, activation: 'gelu', attention: { type: 'mha', heads, kvHeads: heads, headDim: hidden / heads } },
    training: { ...base.training, sequenceLength: 2048, globalBatchSize: batch, microBatchSize: 1 },
    parallelism: { ...base.parallelism, tensor: 8, pipeline: P, data, schedule, virtualStages, microBatches: batch / data },
    cluster: { ...base.cluster, nodes: P * data },
  };
}

/** The 1T model, 1F1B over 64 ranks × 512 micro-batches (65,536 ops). */
export const gpt1T = () => megatronGpt(128, 25600, 160, 64, 6, 3072, '1f1b', 1);
/** The 530B model, interleaved over 35 ranks × 280 micro-batches with 3 chunks per rank (58,800 ops). */
export const gpt530B = () => megatronGpt(105, 20480, 128, 35, 9, 2520, 'interleaved-1f1b', 3);

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
  // Issue 15's shapes; the schedule (and its wiring) is cached after the first run, as on every keystroke.
  const big = [gpt1T(), gpt530B()];
  for (const config of big) {
    const p = config.parallelism;
    const v = p.virtualStages > 1 ? `, v=${p.virtualStages}` : '';
    const outcome = simulate(config);
    if (!outcome.ok) throw new Error(`${config.name}: ${outcome.reason}`);
    const m = measure(`simulate ${config.name} (${p.schedule} P=${p.pipeline}, N=${p.microBatches}${v})`, () => simulate(config), { iterations: 40, maxSeconds: 10 });
    m.detail = { ops: outcome.result.timeline.ops.reduce((n, ops) => n + ops.length, 0) };
    rows.push(m);
  }
  const targets = ['≤ 10 ms', '≤ 1 ms', '≤ 2,000 ms', '≤ 70 ms', '≤ 10 ms', '≤ 10 ms'];
  const table = markdownTable(
    ['case', 'median ms', 'p95 ms', 'runs', 'target'],
    rows.map((r, i) => [r.name + (r.detail?.refused !== undefined ? ` (${r.detail.refused} refused)` : r.detail?.ops ? ` (${r.detail.ops} ops)` : ''), ms(r.medianMs), ms(r.p95Ms), r.iterations, targets[i]]),
  );
  return { title: 'Cost model (simulate)', table, rows };
}

if (require.main === module) {
  const { title, table } = simulateBenchmarks();
  process.stdout.write(`## ${title}\n\n${table}\n`);
}
