import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { check, codes, EXAMPLES_DIR, example } from './helpers';

for (const name of readdirSync(EXAMPLES_DIR).filter((f) => /\.train\.ya?ml$/.test(f))) {
  test(`example ${name} checks with zero errors and zero warnings`, () => {
    const r = check(example(name));
    const loud = r.diagnostics.filter((d) => d.severity !== 'info');
    assert.deepEqual(loud.map((d) => `${d.code}: ${d.message}`), []);
    assert.ok(r.config);
  });
}

test('DeepSeek-V3 resolves to the published layout', () => {
  const c = check(example('deepseek-v3.train.yaml')).config!;
  assert.equal(c.parallelism.data, 128);
  assert.equal(c.parallelism.microBatches, 120);
  assert.equal(c.cluster.gpu.id, 'h800');
  assert.equal(c.cluster.intraNodeGBps / c.cluster.interNodeGBps, 3.2);
  assert.equal(c.model.moe?.maxNodesPerToken, 4);
  assert.equal(c.precision.fp8?.weightBlock, 128);
});

test('hover text derives layers per stage, the data degree and the EP span', () => {
  const r = check(example('deepseek-v3.train.yaml'));
  assert.match(r.derived['parallelism.pipeline'], /^61 layers over 16 stages: \d–\d per stage$/);
  assert.match(r.derived['model.moe.max_nodes_per_token'], /spans 8 nodes/);
  const derived = check(example('deepseek-v3.train.yaml').replace('  data: 128\n', ''));
  assert.equal(derived.config?.parallelism.dataDerived, true);
  assert.match(derived.derived['parallelism.data'], /= 128$/);
});

test('config is present when resolve succeeded even with rule errors', () => {
  const r = check(example('deepseek-v3.train.yaml').replace('pipeline: 16', 'pipeline: 15'));
  assert.ok(codes(r, 'error').length > 0);
  assert.ok(r.config);
});
