/** Memory per GPU per pipeline rank. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedConfig } from '../../simulator/config';
import { activationBytesPerToken, estimateMemory, estimatePeakGiB } from '../../simulator/memory';
import { simulate } from '../../simulator/simulate';
import { deepSeekV3, llama3405B } from './fixtures';

test('DeepSeek-V3 as published fits in the H800\'s 80 GiB', () => {
  const m = estimateMemory(deepSeekV3());
  assert.ok(m.fits, `peak ${m.peakGiB.toFixed(1)} GiB`);
  assert.equal(m.hbmGiB, 80);
});

test('without timeline peaks, DualPipe holds P+1 chunks on every rank (DeepSeek-V3 Table 2)', () => {
  const m = estimateMemory(deepSeekV3());
  assert.deepEqual(new Set(m.perStage.map((s) => s.peakActivationChunks)), new Set([17]));
});

test('without timeline peaks, DualPipeV holds 2P+1 half-stage chunks per device (DualPipe README: PP+1 with PP = 2P)', () => {
  const c = deepSeekV3();
  const m = estimateMemory({ ...c, parallelism: { ...c.parallelism, schedule: 'dualpipev' } });
  assert.deepEqual(new Set(m.perStage.map((s) => s.peakActivationChunks)), new Set([2 * 16 + 1]));
});

test('a split backward frees activations in two parts: DualPipe\'s executed peak stays within P+1 chunks and above P', () => {
  const r = simulate(deepSeekV3());
  assert.ok(r.ok);
  for (const s of r.result.memory.perStage) assert.ok(s.peakActivationChunks <= 17 + 1e-9 && s.peakActivationChunks > 16, `rank ${s.rank}: ${s.peakActivationChunks}`);
});

test('without timeline peaks, 1F1B holds P−r chunks on rank r', () => {
  const c = llama3405B();
  const m = estimateMemory({ ...c, parallelism: { ...c.parallelism, schedule: '1f1b' } });
  assert.deepEqual(m.perStage.map((s) => s.peakActivationChunks), Array.from({ length: 16 }, (_, r) => 16 - r));
});

test('the simulator reports the activation peaks measured on the timeline (1F1B rank 0: P)', () => {
  const c = llama3405B();
  const r = simulate({ ...c, parallelism: { ...c.parallelism, schedule: '1f1b' } });
  assert.ok(r.ok);
  assert.equal(r.result.memory.perStage[0].peakActivationChunks, 16);
});

test('DualPipe holds two stages\' parameters per rank: twice 1F1B\'s (DeepSeek-V3 Table 2, 2×)', () => {
  const c = deepSeekV3();
  const dual = estimateMemory(c).perStage[3].parametersGiB;
  const single = estimateMemory({ ...c, parallelism: { ...c.parallelism, schedule: '1f1b' } }).perStage[3].parametersGiB;
  assert.ok(Math.abs(dual / single - 2) < 0.3, `${dual} vs ${single}`);
});

test('ZeRO-1 shards optimizer states over data parallelism; ZeRO-0 does not', () => {
  const c = llama3405B();
  const zero0: ResolvedConfig = { ...c, parallelism: { ...c.parallelism, zeroStage: 0 } };
  assert.ok(estimateMemory(zero0).perStage[1].optimizerGiB > 100 * estimateMemory(c).perStage[1].optimizerGiB);
});

test('full recomputation needs less activation memory than selective', () => {
  const c = llama3405B();
  const full: ResolvedConfig = { ...c, training: { ...c.training, recompute: 'full' } };
  assert.ok(estimateMemory(full).perStage[0].activationsGiB < estimateMemory(c).perStage[0].activationsGiB);
});

test('MoE activations: the MLP norm output is kept once in BF16 (router input), the shared experts add their own FP8 input copy once, not one per shared expert', () => {
  const base = deepSeekV3();
  const h = base.model.hiddenSize;
  const f = base.model.moe!.expertHiddenSize;
  const fp8Width = 1 + 4 / (base.precision.fp8?.activationTile ?? 128);
  const withShared = (config: ResolvedConfig, shared: number): ResolvedConfig => ({ ...config, model: { ...config.model, moe: { ...config.model.moe!, sharedExperts: shared } } });
  const noRecompute = (config: ResolvedConfig): ResolvedConfig => ({ ...config, training: { ...config.training, recompute: 'none' } });
  const fp8 = noRecompute(base);
  // FP8: each shared expert adds its hidden tensors (gate+up output, activation output), the input copy only once.
  const perShared = 3 * f * fp8Width;
  const one = activationBytesPerToken(withShared(fp8, 1), 'moe') - activationBytesPerToken(withShared(fp8, 0), 'moe');
  const two = activationBytesPerToken(withShared(fp8, 2), 'moe') - activationBytesPerToken(withShared(fp8, 0), 'moe');
  assert.ok(Math.abs(one - (h * fp8Width + perShared)) < 1e-6, `one shared expert: ${one}`);
  assert.ok(Math.abs(two - (h * fp8Width + 2 * perShared)) < 1e-6, `two shared experts: ${two}`);
  // BF16: the shared fc1 keeps the very tensor the router keeps, so only its hidden tensors are new.
  const bf16 = { ...fp8, precision: { ...fp8.precision, compute: 'bf16' as const, fp8: undefined } };
  const bf16One = activationBytesPerToken(withShared(bf16, 1), 'moe') - activationBytesPerToken(withShared(bf16, 0), 'moe');
  assert.ok(Math.abs(bf16One - 3 * f * 2) < 1e-6, `BF16 shared expert: ${bf16One}`);
  // A checkpointed MoE module (recompute_modules: moe) keeps only its BF16 input beyond the attention block.
  const moeRecomputed: ResolvedConfig = { ...fp8, training: { ...fp8.training, recompute: 'selective', recomputeModules: ['moe'] } };
  const attentionOnly: ResolvedConfig = { ...fp8, training: { ...fp8.training, recompute: 'selective', recomputeModules: ['moe', 'shared_experts'] } };
  assert.equal(activationBytesPerToken(moeRecomputed, 'moe'), activationBytesPerToken(attentionOnly, 'moe'));
  assert.ok(activationBytesPerToken(moeRecomputed, 'moe') < activationBytesPerToken(fp8, 'moe') - base.model.moe!.expertsPerToken * h);
});

test("the search's peak-only estimate is estimateMemory's peak, with published and with given chunk counts", () => {
  for (const base of [deepSeekV3(), llama3405B()])
    for (const zeroStage of [0, 1, 2, 3] as const)
      for (const recompute of ['none', 'selective', 'full'] as const) {
        const c: ResolvedConfig = { ...base, parallelism: { ...base.parallelism, zeroStage }, training: { ...base.training, recompute } };
        const chunks = Array.from({ length: c.parallelism.pipeline }, (_, r) => 1 + (r % 3));
        assert.equal(estimatePeakGiB(c), estimateMemory(c).peakGiB);
        assert.equal(estimatePeakGiB(c, chunks), estimateMemory(c, chunks).peakGiB);
        assert.notEqual(estimatePeakGiB(c, chunks), estimatePeakGiB(c));
      }
});
