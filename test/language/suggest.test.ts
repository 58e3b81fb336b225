import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didYouMean } from '../../language/suggest';

const KEYS = ['tensor', 'pipeline', 'data', 'context', 'expert', 'expert_tensor', 'zero_stage', 'schedule', 'virtual_stages'];

test('a typo within a third of the word suggests the key', () => {
  assert.equal(didYouMean('pipline', KEYS), 'pipeline');
  assert.equal(didYouMean('tensr', KEYS), 'tensor');
  assert.equal(didYouMean('zero-stage', KEYS), 'zero_stage');
});

test("a neighbouring tool's name maps to this format's key", () => {
  assert.equal(didYouMean('tensor_model_parallel_size', KEYS), 'tensor');
  assert.equal(didYouMean('pp', KEYS), 'pipeline');
});

test('an unrelated word suggests nothing', () => {
  assert.equal(didYouMean('banana', KEYS), undefined);
  assert.equal(didYouMean('x', []), undefined);
});

test('a whole-segment prefix names the family and ranks above a one-letter edit into another', () => {
  const GPUS = ['a100-80gb', 'h100-sxm', 'h800', 'h200', 'b200'];
  assert.equal(didYouMean('h100', GPUS), 'h100-sxm');
  assert.equal(didYouMean('a100', GPUS), 'a100-80gb');
  assert.equal(didYouMean('H100 SXM', GPUS), 'h100-sxm');
  assert.equal(didYouMean('h300', GPUS), 'h800', 'no family: edit distance still decides');
  assert.equal(didYouMean('h100-pcie', GPUS), 'h100-sxm', 'the same product family');
  assert.equal(didYouMean('virtual', KEYS), 'virtual_stages');
  assert.equal(didYouMean('h1', GPUS), undefined, 'a prefix inside a segment is not a family');
  assert.equal(didYouMean('pipeline_schedule', KEYS), undefined, 'a key with a word appended is not that key');
});
