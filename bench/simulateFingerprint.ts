/**
 * What simulate() answers, as hashes over thousands of results (each result's whole JSON, every op's start and end
 * included), so a change meant only to make the simulator faster can show its numbers are bit-identical: run it
 * before and after and diff the two outputs. One hash per example over its layouts × every schedule (pipeline,
 * micro-batches, virtual stages, overlap and blocking exchanges, recompute, ZeRO varied by a fixed PRNG), one for the
 * preview's summaries of the same runs, and one per big shape of issue 15 over every schedule and its ablation.
 * Run standalone: node out/bench/simulateFingerprint.js (after npm run compile-tests).
 */
import { createHash } from 'node:crypto';
import { createLanguageService } from '../language/service';
import { ablationVariants } from '../simulator/ablate';
import { SCHEDULE_KINDS, type ResolvedConfig } from '../simulator/config';
import { summarizeOutcome } from '../simulator/result';
import { simulate } from '../simulator/simulate';
import { loadExamples, prng } from '../test/support/generate';
import { gpt1T, gpt530B } from './simulate';

/** `count` layouts of `base`: the pipeline shape, overlap flags, recompute and ZeRO drawn from `random`. */
function layouts(base: ResolvedConfig, count: number, random: () => number): ResolvedConfig[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const out: ResolvedConfig[] = [];
  for (let i = 0; i < count; i++) {
    const pipeline = pick([1, 2, 3, 4, 6, 8, 16]);
    const microBatches = Math.max(1, pick([1, 2, 3]) * pipeline + pick([0, 0, 1, 3]));
    const p = base.parallelism;
    out.push({
      ...base,
      model: { ...base.model, layers: Math.max(base.model.layers, 2 * pipeline) + pick([0, 0, 1, 5]) },
      training: { ...base.training, microBatchSize: pick([1, 2]), recompute: pick(['none', 'selective', 'full'] as const) },
      parallelism: {
        ...p,
        pipeline,
        microBatches,
        virtualStages: pick([1, 2, 3]),
        zeroStage: pick([0, 1, 2, 3] as const),
        overlapP2pComm: random() < 0.7,
        overlapGradReduce: random() < 0.7,
        overlapParamGather: random() < 0.7,
        tpCommOverlap: random() < 0.5,
        overlapExpertComm: random() < 0.5,
      },
    });
  }
  return out;
}

const sha = () => createHash('sha256');

export function simulateFingerprints(perExample = 120): string[] {
  const lines: string[] = [];
  const random = prng(15);
  for (const example of loadExamples()) {
    const config = createLanguageService().check(example.text).config;
    if (!config) continue;
    const full = sha();
    const rows = sha();
    let runs = 0;
    let failed = 0;
    for (const layout of [config, ...layouts(config, perExample, random)])
      for (const schedule of SCHEDULE_KINDS) {
        const outcome = simulate(layout, { schedule });
        runs++;
        if (!outcome.ok) failed++;
        full.update(JSON.stringify(outcome));
        rows.update(JSON.stringify(summarizeOutcome(outcome)));
      }
    lines.push(`${example.name}: ${runs} runs (${failed} refused) full ${full.digest('hex').slice(0, 16)} rows ${rows.digest('hex').slice(0, 16)}`);
  }
  for (const big of [gpt1T(), gpt530B()]) {
    const full = sha();
    const variants = [big, ...ablationVariants(big).map((v) => v.config)];
    for (const config of variants) for (const schedule of SCHEDULE_KINDS) full.update(JSON.stringify(simulate(config, { schedule })));
    lines.push(`${big.name}: ${variants.length} configs × ${SCHEDULE_KINDS.length} schedules full ${full.digest('hex').slice(0, 16)}`);
  }
  return lines;
}

if (require.main === module) console.log(simulateFingerprints(Number(process.argv[2] ?? 120)).join('\n'));
