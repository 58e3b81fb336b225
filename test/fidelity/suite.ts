/**
 * The published-runs suite: every run in test/fidelity/*.train.yaml (each file cites its source and its assumptions)
 * with the figure its source published, simulated and compared in the source's own unit:
 * - megatron-hfu-tflops: Megatron SC21's hardware FLOPs, recompute counted (Narayanan et al. 2021, appendix:
 *   96·B·s·l·h²·(1 + s/6h + V/16lh));
 * - megatron-model-tflops: Megatron-LM's num_floating_point_operations (training.py), no recompute;
 * - model-tflops: the simulator's model FLOPs (6·N_active + causal attention), as Llama 3 reports;
 * - step-seconds, tokens-per-gpu-second, gpu-hours, gpu-hours-per-trillion: from the simulated step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../../language/check';
import type { ResolvedConfig } from '../../simulator/config';
import type { SimulationResult } from '../../simulator/result';
import { simulate } from '../../simulator/simulate';

export type Metric =
  | 'megatron-hfu-tflops'
  | 'megatron-model-tflops'
  | 'model-tflops'
  | 'step-seconds'
  | 'tokens-per-gpu-second'
  | 'gpu-hours'
  | 'gpu-hours-per-trillion';

export interface PublishedRun {
  file: string;
  metric: Metric;
  published: number;
  family: 'A100' | 'H100' | 'H800';
  moe: boolean;
}

export const PUBLISHED: readonly PublishedRun[] = [
  { file: "a100-megatron-sc21-1.7b", metric: "megatron-hfu-tflops", published: 137, family: "A100", moe: false },
  { file: "a100-megatron-sc21-3.6b", metric: "megatron-hfu-tflops", published: 138, family: "A100", moe: false },
  { file: "a100-megatron-sc21-7.5b", metric: "megatron-hfu-tflops", published: 142, family: "A100", moe: false },
  { file: "a100-megatron-sc21-39.1b", metric: "megatron-hfu-tflops", published: 138, family: "A100", moe: false },
  { file: "a100-megatron-sc21-76.1b", metric: "megatron-hfu-tflops", published: 140, family: "A100", moe: false },
  { file: "a100-megatron-sc21-310.1b", metric: "megatron-hfu-tflops", published: 155, family: "A100", moe: false },
  { file: "a100-megatron-sc21-174b-384", metric: "megatron-hfu-tflops", published: 153, family: "A100", moe: false },
  { file: "a100-megatron-sc21-174b-768", metric: "megatron-hfu-tflops", published: 149, family: "A100", moe: false },
  { file: "a100-megatron-sc21-174b-1536", metric: "megatron-hfu-tflops", published: 141, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-256", metric: "step-seconds", published: 40, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-512", metric: "step-seconds", published: 21.2, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-768", metric: "step-seconds", published: 15.2, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-1024", metric: "step-seconds", published: 11.9, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-3072", metric: "step-seconds", published: 29.02, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-6144", metric: "step-seconds", published: 14.78, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-8192", metric: "step-seconds", published: 12.24, family: "A100", moe: false },
  { file: "a100-megascale-megatron-175b-12288", metric: "step-seconds", published: 8.57, family: "A100", moe: false },
  { file: "h100-megatron-core-1.7b", metric: "megatron-model-tflops", published: 408.8, family: "H100", moe: false },
  { file: "h100-megatron-core-7.1b", metric: "megatron-model-tflops", published: 465.9, family: "H100", moe: false },
  { file: "h100-megatron-core-16b", metric: "megatron-model-tflops", published: 489.1, family: "H100", moe: false },
  { file: "h100-megatron-core-32b", metric: "megatron-model-tflops", published: 459.6, family: "H100", moe: false },
  { file: "h100-megatron-core-119b", metric: "megatron-model-tflops", published: 420.5, family: "H100", moe: false },
  { file: "h100-megatron-core-314b", metric: "megatron-model-tflops", published: 474.4, family: "H100", moe: false },
  { file: "h100-dgxc-gpt3-175b-128-bf16", metric: "step-seconds", published: 8.91, family: "H100", moe: false },
  { file: "h100-dgxc-gpt3-175b-128-fp8", metric: "step-seconds", published: 5.92, family: "H100", moe: false },
  { file: "h100-dgxc-gpt3-175b-2048-bf16", metric: "step-seconds", published: 9.02, family: "H100", moe: false },
  { file: "h100-dgxc-gpt3-175b-2048-fp8", metric: "step-seconds", published: 6.24, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-8b-8-bf16", metric: "step-seconds", published: 12.91, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-8b-8-fp8", metric: "step-seconds", published: 9.67, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-70b-64-bf16", metric: "step-seconds", published: 14.72, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-70b-64-fp8", metric: "step-seconds", published: 11.01, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-405b-576-bf16", metric: "step-seconds", published: 17.2, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-405b-576-fp8", metric: "step-seconds", published: 11.24, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-405b-2304-bf16", metric: "step-seconds", published: 17.62, family: "H100", moe: false },
  { file: "h100-dgxc-llama31-405b-2304-fp8", metric: "step-seconds", published: 12.35, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-15b-16-bf16", metric: "step-seconds", published: 2.83, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-15b-16-fp8", metric: "step-seconds", published: 2.08, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-340b-128-bf16", metric: "step-seconds", published: 4.61, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-340b-128-fp8", metric: "step-seconds", published: 3.16, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-340b-2048-bf16", metric: "step-seconds", published: 4.84, family: "H100", moe: false },
  { file: "h100-dgxc-nemotron4-340b-2048-fp8", metric: "step-seconds", published: 3.49, family: "H100", moe: false },
  { file: "h100-dgxc-grok1-314b-2048-bf16", metric: "step-seconds", published: 21.09, family: "H100", moe: true },
  { file: "h100-dgxc-grok1-314b-2048-fp8", metric: "step-seconds", published: 17.04, family: "H100", moe: true },
  { file: "h100-nemo2407-gpt3-175b-fp8", metric: "tokens-per-gpu-second", published: 726, family: "H100", moe: false },
  { file: "h100-nemo2407-llama2-70b-fp8", metric: "tokens-per-gpu-second", published: 1707, family: "H100", moe: false },
  { file: "h100-nemo2407-llama3-70b-fp8", metric: "tokens-per-gpu-second", published: 1533, family: "H100", moe: false },
  { file: "h100-nemo2407-nemotron4-340b-fp8", metric: "tokens-per-gpu-second", published: 322, family: "H100", moe: false },
  { file: "h100-bridge-deepseek-v3-1024-fp8", metric: "tokens-per-gpu-second", published: 1297, family: "H100", moe: true },
  { file: "h100-bridge-qwen3-235b-256-fp8", metric: "tokens-per-gpu-second", published: 1575, family: "H100", moe: true },
  { file: "h100-bridge-qwen3-30b-16-fp8", metric: "tokens-per-gpu-second", published: 10494, family: "H100", moe: true },
  { file: "h100-nemotron4-15b-768", metric: "step-seconds", published: 0.57, family: "H100", moe: false },
  { file: "h100-nemotron4-15b-2304", metric: "step-seconds", published: 0.64, family: "H100", moe: false },
  { file: "h100-llama3-405b-8192", metric: "model-tflops", published: 430, family: "H100", moe: false },
  { file: "h100-llama3-405b-16384", metric: "model-tflops", published: 400, family: "H100", moe: false },
  { file: "h100-llama3-405b-16384-cp16", metric: "model-tflops", published: 380, family: "H100", moe: false },
  { file: "h800-deepseek-v2", metric: "gpu-hours-per-trillion", published: 172800, family: "H800", moe: true },
  { file: "h800-deepseek-v3", metric: "gpu-hours", published: 2664000, family: "H800", moe: true },
];

export const FIDELITY_DIR = join(__dirname, '..', '..', '..', 'test', 'fidelity');

/** Megatron-LM's FLOPs per step (training.py num_floating_point_operations); `recompute` adds the re-run forward. */
export function megatronFlopsPerStep(config: ResolvedConfig, recompute: boolean): number {
  const m = config.model;
  const h = m.hiddenSize;
  const a = m.attention;
  const s = config.training.sequenceLength;
  const B = config.training.globalBatchSize;
  const gated = m.activation === 'swiglu' || m.activation === 'geglu' ? 1.5 : 1;
  const queryRatio = (a.heads * a.headDim) / h;
  const attention = (1 + a.kvHeads / a.heads + s / h) * queryRatio;
  const ffn = m.moe ? (m.moe.expertHiddenSize / h) * (m.moe.expertsPerToken + m.moe.sharedExperts) : m.ffnHiddenSize / h;
  const layers = 12 * B * s * m.layers * h * h * (attention + ffn * gated);
  const logits = 6 * B * s * h * m.vocabSize;
  return (recompute ? (4 / 3) * layers : layers) + logits;
}

function world(config: ResolvedConfig): number {
  const p = config.parallelism;
  return p.tensor * p.pipeline * p.context * p.data;
}

/** The simulated figure in the published run's unit. */
export function simulatedFigure(run: PublishedRun, config: ResolvedConfig, r: SimulationResult): number {
  const gpus = world(config);
  switch (run.metric) {
    case 'megatron-hfu-tflops':
      return megatronFlopsPerStep(config, true) / (r.stepSeconds * gpus) / 1e12;
    case 'megatron-model-tflops':
      return megatronFlopsPerStep(config, false) / (r.stepSeconds * gpus) / 1e12;
    case 'model-tflops':
      return r.tflopsPerGpu;
    case 'step-seconds':
      return r.stepSeconds;
    case 'tokens-per-gpu-second':
      return r.tokensPerSecond / gpus;
    case 'gpu-hours':
      return r.gpuHours;
    case 'gpu-hours-per-trillion':
      return r.gpuHours / (config.training.tokens / 1e12);
  }
}

export interface RunOutcome {
  run: PublishedRun;
  simulated: number;
  /** simulated / published − 1, in the published unit; for times (seconds, GPU-hours) a positive error = too slow. */
  error: number;
  fits: boolean;
  gpus: number;
}

export function loadRun(file: string): ResolvedConfig {
  const checked = checkText(readFileSync(join(FIDELITY_DIR, `${file}.train.yaml`), 'utf8'));
  // Memory verdicts are reported in the table, not refused: a published run did fit on its cluster.
  const errors = checked.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'memory/exceeds-hbm');
  if (!checked.config || errors.length > 0) throw new Error(`${file}: ${errors.map((d) => `${d.code}: ${d.message}`).join('; ') || 'unresolved'}`);
  return checked.config;
}

export function runSuite(runs: readonly PublishedRun[] = PUBLISHED): RunOutcome[] {
  return runs.map((run) => {
    const config = loadRun(run.file);
    const outcome = simulate(config);
    if (!outcome.ok) throw new Error(`${run.file}: ${outcome.reason}`);
    const simulated = simulatedFigure(run, config, outcome.result);
    return { run, simulated, error: simulated / run.published - 1, fits: outcome.result.memory.fits, gpus: world(config) };
  });
}

export interface ErrorSummary {
  group: string;
  runs: number;
  medianAbs: number;
  maxAbs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? 0 : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Median and max |error| over all runs, per GPU family, and for dense vs MoE. */
export function summarise(outcomes: readonly RunOutcome[]): ErrorSummary[] {
  const groups: [string, (o: RunOutcome) => boolean][] = [
    ['all', () => true],
    ['A100', (o) => o.run.family === 'A100'],
    ['H100', (o) => o.run.family === 'H100'],
    ['H800', (o) => o.run.family === 'H800'],
    ['dense', (o) => !o.run.moe],
    ['MoE', (o) => o.run.moe],
  ];
  return groups.map(([group, pick]) => {
    const errs = outcomes.filter(pick).map((o) => Math.abs(o.error));
    return { group, runs: errs.length, medianAbs: median(errs), maxAbs: errs.length ? Math.max(...errs) : 0 };
  });
}
