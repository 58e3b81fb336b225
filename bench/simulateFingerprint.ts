/**
 * What simulate() answers, as hashes over thousands of results (each result's whole JSON, every op's start and end
 * included), so a change meant only to make the simulator faster can show its numbers are bit-identical: run it
 * before and after and diff the two outputs. Per example, over its layouts × every schedule (pipeline, micro-batches,
 * virtual stages, overlap and blocking exchanges, recompute, ZeRO varied by a fixed PRNG): `full` hashes the results,
 * `numbers` the same results without their ops and mean op times, `numbers-only` what `{ timeline: false }` gives
 * (the same JSON without ops: its hash must equal `numbers`), and `rows` the preview's summaries of those. One `full`
 * hash per big shape of issue 15 over every schedule and its ablation, and its `numbers-only` hash.
 * Run standalone: node out/bench/simulateFingerprint.js (after npm run compile-tests).
 */
import { createHash } from 'node:crypto';
import { createLanguageService } from '../language/service';
import { ablationVariants } from '../simulator/ablate';
import { SCHEDULE_KINDS, type ResolvedConfig } from '../simulator/config';
import { type SimulationOutcome, summarizeOutcome } from '../simulator/result';
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
const digest = (h: ReturnType<typeof sha>) => h.digest('hex').slice(0, 16);

/** An outcome's JSON without the per-op parts `{ timeline: false }` leaves empty. */
function withoutOps(outcome: SimulationOutcome): string {
  if (!outcome.ok) return JSON.stringify(outcome);
  const { ops: _ops, opSeconds: _opSeconds, ...timeline } = outcome.result.timeline;
  return JSON.stringify({ ...outcome, result: { ...outcome.result, timeline } });
}

export function simulateFingerprints(perExample = 120): string[] {
  const lines: string[] = [];
  const random = prng(15);
  for (const example of loadExamples()) {
    const config = createLanguageService().check(example.text).config;
    if (!config) continue;
    const full = sha();
    const numbers = sha();
    const numbersOnly = sha();
    const rows = sha();
    let runs = 0;
    let failed = 0;
    for (const layout of [config, ...layouts(config, perExample, random)])
      for (const schedule of SCHEDULE_KINDS) {
        const outcome = simulate(layout, { schedule });
        const alone = simulate(layout, { schedule, timeline: false });
        runs++;
        if (!outcome.ok) failed++;
        full.update(JSON.stringify(outcome));
        numbers.update(withoutOps(outcome));
        numbersOnly.update(withoutOps(alone));
        rows.update(JSON.stringify(summarizeOutcome(alone)));
      }
    lines.push(`${example.name}: ${runs} runs (${failed} refused) full ${digest(full)} numbers ${digest(numbers)} numbers-only ${digest(numbersOnly)} rows ${digest(rows)}`);
  }
  for (const big of [gpt1T(), gpt530B()]) {
    const full = sha();
    const numbersOnly = sha();
    const variants = [big, ...ablationVariants(big).map((v) => v.config)];
    for (const config of variants)
      for (const schedule of SCHEDULE_KINDS) {
        full.update(JSON.stringify(simulate(config, { schedule })));
        numbersOnly.update(withoutOps(simulate(config, { schedule, timeline: false })));
      }
    lines.push(`${big.name}: ${variants.length} configs × ${SCHEDULE_KINDS.length} schedules full ${digest(full)} numbers-only ${digest(numbersOnly)}`);
  }
  return lines;
}

if (require.main === module) console.log(simulateFingerprints(Number(process.argv[2] ?? 120)).join('\n'));
