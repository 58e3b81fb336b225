/**
 * The three anchors (DeepSeek-V3 arXiv 2412.19437 Table 1; Llama 3 arXiv 2407.21783 Table 4), through the examples,
 * each within ±5%. The wider published-runs suite is test/fidelity.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../simulator/simulate';
import type { SimulationResult } from '../../simulator/result';
import { loadExample, withData } from './load';

const ANCHOR = 0.05;

function run(config: Parameters<typeof simulate>[0]): SimulationResult {
  const outcome = simulate(config);
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
  return outcome.result;
}

function within(actual: number, published: number, what: string, tolerance = ANCHOR) {
  const error = actual / published - 1;
  assert.ok(Math.abs(error) <= tolerance, `${what}: ${actual.toPrecision(4)} vs published ${published} (${(100 * error).toFixed(1)}%, allowed ±${tolerance * 100}%)`);
}

test('DeepSeek-V3 pre-training: 2.664M H800 GPU-hours for 14.8T tokens (±5%)', () => {
  const { config } = loadExample('deepseek-v3');
  within(run(config).gpuHours, 2.664e6, 'GPU-hours');
});

test('Llama 3 405B on 16,384 H100 (TP8 PP16 DP128): 400 TFLOP/s per GPU (±5%)', () => {
  const { config } = loadExample('llama3-405b');
  within(run(config).tflopsPerGpu, 400, 'TFLOP/s per GPU');
});

test('Llama 3 405B on 8,192 H100 (TP8 PP16 DP64): 430 TFLOP/s per GPU (±5%)', () => {
  const { config } = loadExample('llama3-405b');
  within(run(withData(config, 64)).tflopsPerGpu, 430, 'TFLOP/s per GPU');
});

test('Llama 3 405B: the 8,192-GPU row runs more TFLOP/s per GPU than the 16,384-GPU row (430 > 400)', () => {
  const { config } = loadExample('llama3-405b');
  assert.ok(run(withData(config, 64)).tflopsPerGpu > run(config).tflopsPerGpu);
});

test('the calibration examples resolve through the language service (not the fixtures)', () => {
  assert.equal(loadExample('deepseek-v3').source, 'yaml');
  assert.equal(loadExample('llama3-405b').source, 'yaml');
});
