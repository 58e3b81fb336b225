/** Directions the cost model must get right, whatever its constants (issue 4, "what must be true" 4). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTpCommSmMargin, type ResolvedConfig, type TpCommSmMargin } from '../../simulator/config';
import { expertRouting } from '../../simulator/comm';
import { computeContext, gemmSeconds } from '../../simulator/compute';
import { costModules } from '../../simulator/costs';
import type { SimulationResult } from '../../simulator/result';
import { simulate } from '../../simulator/simulate';
import { deepSeekV3, llama3405B } from './fixtures';

function run(config: ResolvedConfig, schedule?: ResolvedConfig['parallelism']['schedule']): SimulationResult {
  const outcome = simulate(config, { schedule });
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.result;
}

const ep = (r: SimulationResult) => r.breakdown.comm.find((c) => c.kind === 'ep')!;

test('FP8 (DeepSeek-V3 recipe) is faster than BF16 on the same layout', () => {
  const fp8 = deepSeekV3();
  const bf16: ResolvedConfig = { ...fp8, precision: { ...fp8.precision, compute: 'bf16', fp8: undefined } };
  assert.ok(run(fp8).stepSeconds < run(bf16).stepSeconds);
});

test('node-limited routing M=4 moves fewer inter-node bytes than unlimited routing (EP over 8 nodes, top-8)', () => {
  const limited = deepSeekV3();
  const unlimited: ResolvedConfig = { ...limited, model: { ...limited.model, moe: { ...limited.model.moe!, maxNodesPerToken: undefined } } };
  assert.ok(expertRouting(limited).interNodeCopies < expertRouting(unlimited).interNodeCopies);
  assert.ok(ep(run(limited)).interNodeBytes < ep(run(unlimited)).interNodeBytes);
});

test('M=4 over 8 nodes: 3.6 target nodes per token, 3.15 of them remote (DeepSeek-V3 §3.2.2: at most 4)', () => {
  const r = expertRouting(deepSeekV3());
  assert.equal(r.spanNodes, 8);
  assert.ok(Math.abs(r.targetNodes - 4 * (1 - 0.75 ** 8)) < 1e-9);
  assert.ok(Math.abs(r.interNodeCopies - r.targetNodes * (7 / 8)) < 1e-9);
});

test('DualPipe exposes less EP all-to-all than 1F1B on the DeepSeek-V3 layout', () => {
  const config = deepSeekV3();
  const dual = ep(run(config, 'dualpipe'));
  const plain = ep(run(config, '1f1b'));
  assert.ok(dual.exposedSeconds < plain.exposedSeconds, `${dual.exposedSeconds} vs ${plain.exposedSeconds}`);
  assert.ok(dual.hiddenSeconds > 0);
  assert.equal(plain.hiddenSeconds, 0);
});

test('overlapExpertComm hides EP all-to-all under 1F1B', () => {
  const config = deepSeekV3();
  const overlapped: ResolvedConfig = { ...config, parallelism: { ...config.parallelism, overlapExpertComm: true } };
  assert.ok(ep(run(overlapped, '1f1b')).exposedSeconds < ep(run(config, '1f1b')).exposedSeconds);
});

test('combined 1F1B (overlapExpertComm under interleaved 1F1B) hides EP all-to-all beyond the shared experts', () => {
  const base = deepSeekV3();
  const interleaved: ResolvedConfig = { ...base, parallelism: { ...base.parallelism, schedule: 'interleaved-1f1b', virtualStages: 2, microBatches: 128 } };
  const noSharedExperts: ResolvedConfig = { ...interleaved, model: { ...interleaved.model, moe: { ...interleaved.model.moe!, sharedExperts: 0 } } };
  const on = (c: ResolvedConfig): ResolvedConfig => ({ ...c, parallelism: { ...c.parallelism, overlapExpertComm: true } });
  const combined = ep(run(on(noSharedExperts)));
  const plain = ep(run(noSharedExperts));
  // Without shared experts the old single-op overlap hid nothing; the merged pairs hide under each other's compute.
  assert.equal(plain.hiddenSeconds, 0);
  assert.ok(combined.hiddenSeconds > 0 && combined.exposedSeconds < plain.exposedSeconds, `${combined.exposedSeconds} vs ${plain.exposedSeconds}`);
  // Hidden plus exposed is all the EP traffic.
  assert.ok(Math.abs(combined.hiddenSeconds + combined.exposedSeconds - combined.totalSeconds) < 1e-9 * combined.totalSeconds);
});

test('more data parallelism at a fixed global batch means less time per step (Llama 3: DP 64 → 128)', () => {
  assert.ok(run(llama3405B(128)).stepSeconds < run(llama3405B(64)).stepSeconds);
});

test('more micro-batches shrink the 1F1B bubble fraction toward (p−1)/m', () => {
  const few = llama3405B(128);
  const many = llama3405B(64);
  assert.ok(run(many, '1f1b').bubbleFraction < run(few, '1f1b').bubbleFraction);
});

test('FP8 current scaling reads each quantised tensor once more than delayed scaling (its amax): same GEMMs, more HBM time', () => {
  const base = deepSeekV3();
  const scaled = (scaling: 'tensorwise' | 'delayed'): ResolvedConfig => ({ ...base, precision: { ...base.precision, fp8: { ...base.precision.fp8!, scaling } } });
  const current = costModules(scaled('tensorwise')).modules.moe!;
  const delayed = costModules(scaled('delayed')).modules.moe!;
  assert.deepEqual(current.gemm, delayed.gemm);
  assert.ok(current.memoryBound.F > delayed.memoryBound.F && current.memoryBound.b > delayed.memoryBound.b);
});

test('a TP overlap with an SM margin slows only its GEMM pass, by the SMs it takes (Transformer Engine set_sm_margin)', () => {
  const base = llama3405B();
  const none: TpCommSmMargin = { proj_fprop: 0, fc2_fprop: 0, qkv_dgrad: 0, qkv_wgrad: 0, fc1_dgrad: 0, fc1_wgrad: 0 };
  const withMargin = (tpCommOverlap: boolean, tpCommSmMargin: TpCommSmMargin): ResolvedConfig => ({ ...base, parallelism: { ...base.parallelism, tpCommOverlap, tpCommSmMargin } });
  const dense = (c: ResolvedConfig) => costModules(c).modules.dense;
  const free = dense(withMargin(true, none));
  const proj = dense(withMargin(true, { ...none, proj_fprop: 24 }));
  // Only the output projection's forward runs on fewer SMs: backward passes untouched.
  assert.equal(proj.gemm.b, free.gemm.b);
  assert.equal(proj.gemm.W, free.gemm.W);
  // The forward grows by exactly that GEMM's time on 108 instead of 132 SMs: tokens × (h/tp) × h for Llama 3 405B.
  const sms = base.cluster.gpu.sms;
  const [m, k, n] = [base.training.microBatchSize * base.training.sequenceLength, base.model.hiddenSize / base.parallelism.tensor, base.model.hiddenSize];
  const full = gemmSeconds(computeContext(base, 1), m, n, k, false);
  const reduced = gemmSeconds(computeContext(base, (sms - 24) / sms), m, n, k, false);
  assert.ok(Math.abs(proj.gemm.F - free.gemm.F - (reduced - full)) < 1e-12);
  // Compute-bound, so ≈ sms / (sms − 24) slower, up to wave quantisation.
  assert.ok(Math.abs(reduced / full / (sms / (sms - 24)) - 1) < 0.05, `${reduced / full}`);
  // Without tp_comm_overlap nothing reserves SMs; TE 2.x's defaults slow the backward's bulk-overlapped GEMMs too.
  assert.deepEqual(dense(withMargin(false, defaultTpCommSmMargin())).gemm, dense(withMargin(false, none)).gemm);
  const te2 = dense(withMargin(true, defaultTpCommSmMargin()));
  assert.ok(te2.gemm.b > free.gemm.b && te2.gemm.W > free.gemm.W && te2.gemm.F > free.gemm.F);
});

test('a shorter FP32 promotion interval costs time (fine-grained FP8 on Hopper)', () => {
  const base = deepSeekV3();
  const every32: ResolvedConfig = { ...base, precision: { ...base.precision, fp8: { ...base.precision.fp8!, accumulationInterval: 32 } } };
  assert.ok(run(every32).stepSeconds > run(base).stepSeconds);
});

test('GPU-hours = steps × step seconds × GPUs / 3600 / goodput, and cost = GPU-hours × price', () => {
  const r = run(deepSeekV3());
  assert.ok(Math.abs(r.gpuHours - (r.steps * r.stepSeconds * 2048) / 3600 / 0.9) < 1e-6 * r.gpuHours);
  assert.ok(Math.abs(r.costUsd! - 2 * r.gpuHours) < 1e-6 * r.costUsd!);
});

test('ZeRO-3 gathers parameters for every micro-batch forward and backward: 2 × micro-batches the DP gather traffic of ZeRO-1', () => {
  const zero1 = llama3405B();
  const zero3: ResolvedConfig = { ...zero1, parallelism: { ...zero1.parallelism, zeroStage: 3 } };
  const dp = (r: SimulationResult) => r.breakdown.comm.find((c) => c.kind === 'dp')!;
  const gradientBytes = (c: ResolvedConfig) => dp(run(c)).interNodeBytes + dp(run(c)).intraNodeBytes;
  // Same gradient reduce-scatter in both; only the parameter gathers multiply.
  assert.ok(gradientBytes(zero3) > gradientBytes(zero1) * 4, `${gradientBytes(zero3)} vs ${gradientBytes(zero1)}`);
  assert.ok(run(zero3).stepSeconds >= run(zero1).stepSeconds);
});
