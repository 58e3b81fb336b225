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
