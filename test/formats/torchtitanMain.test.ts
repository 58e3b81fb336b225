/** torchtitan main's dump (Trainer.Config.to_dict(), pytorch/torchtitan@b5bcd76): token-count batches, model_spec, a policy or null. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath } from '../../language/formats/source';
import { parseTorchtitan } from '../../language/formats/torchtitan';
import { parseFixture, textAt } from './helpers';

test('a torchtitan main dump reads batches from token counts and the model from model_spec', () => {
  const doc = parseFixture('torchtitan-main-dump.json');
  assert.equal(doc.format, 'torchtitan');
  const v = doc.value;
  assert.equal(getPath(v, 'model.layers'), 32, 'llama3 8B from model_spec');
  assert.equal(getPath(v, 'training.sequence_length'), 8192);
  assert.equal(getPath(v, 'training.micro_batch_size'), 2, '16,384 tokens per micro-batch ÷ 8,192');
  // num_tokens_per_train_step -1: micro-batch × num_pp_microbatches × DP = 2 × 4 × 16.
  assert.equal(getPath(v, 'training.global_batch_size'), 128);
  assert.equal(getPath(v, 'training.tokens'), 1000 * 128 * 8192);
  assert.equal(getPath(v, 'training.recompute'), 'none', 'activation_checkpoint null');
  assert.equal(textAt(doc, 'training.sequence_length', 'key'), '"max_context_length"');
});

test('the checkpointing policy is read from which Config the dump holds', () => {
  const text = parseFixture('torchtitan-main-dump.json').text;
  const read = (policy: string) => getPath(parseTorchtitan(text.replace('"activation_checkpoint": null', `"activation_checkpoint": ${policy}`)).value, 'training.recompute');
  assert.equal(read('{ "preserve_rng_state": true, "determinism_check": "default", "debug": false, "force_recompute_mm_shapes_by_fqns": ["moe.router.gate"] }'), 'selective');
  assert.equal(read('{ "preserve_rng_state": true, "determinism_check": "default", "debug": false }'), 'full');
});
