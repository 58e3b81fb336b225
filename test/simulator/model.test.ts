/** Parameter and FLOP counts against published model sizes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedModel } from '../../simulator/config';
import { boundaryLayerEquivalents, countParameters, gemmFlopsPerToken, layerShape, modelFlopsPerToken } from '../../simulator/model';
import { deepSeekV3, llama3405B } from './fixtures';

const near = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${what}: ${actual.toExponential(4)} vs ${expected.toExponential(4)}`);

test('DeepSeek-V3 has 671B parameters (±0.5%)', () => near(countParameters(deepSeekV3().model).total, 671e9, 0.005, 'total'));

test('DeepSeek-V3 activates 37B parameters per token (±2%)', () => near(countParameters(deepSeekV3().model).active, 37e9, 0.02, 'active'));

test('DeepSeek-V3 MTP module is 14B in the checkpoint (685B − 671B, ±5%)', () =>
  near(countParameters(deepSeekV3().model).mtpCheckpoint, 14e9, 0.05, 'MTP'));

test('Llama 3 405B has 405B parameters (±1%)', () => near(countParameters(llama3405B().model).total, 405e9, 0.01, 'total'));

test('Llama 3 405B: 6·N·15.6T tokens ≈ 3.8e25 FLOPs (±3%)', () => {
  const c = llama3405B();
  near(modelFlopsPerToken(c).dense * 15.6e12, 3.8e25, 0.03, 'training FLOPs');
});

test('a GPT layer costs 24h² + 2sh forward FLOPs per token (Zero Bubble Table 1, causal attention halves 4sh)', () => {
  const h = 4096;
  const s = 2048;
  const model: ResolvedModel = {
    layers: 1, hiddenSize: h, ffnHiddenSize: 4 * h, vocabSize: 1000, activation: 'gelu',
    attention: { type: 'mha', heads: 32, kvHeads: 32, headDim: 128 }, mtpDepth: 0, tiedEmbeddings: false,
  };
  const shape = layerShape(model, 'dense', s);
  const gemm = shape.gemms.reduce((a, g) => a + gemmFlopsPerToken(g), 0);
  assert.equal(gemm + shape.attentionCoreFlopsPerToken, 24 * h * h + 2 * s * h);
});

test('the last stage carries the head and MTP: several layer-equivalents for DeepSeek-V3 (BF16 head vs FP8 layers), under one for Llama 3', () => {
  const ds = boundaryLayerEquivalents(deepSeekV3());
  const llama = boundaryLayerEquivalents(llama3405B());
  assert.ok(ds.last > 2 && ds.last < 8, `DeepSeek last = ${ds.last}`);
  assert.ok(llama.last > 0.3 && llama.last < 1, `Llama last = ${llama.last}`);
  assert.equal(ds.first, 0);
});
