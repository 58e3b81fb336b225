/**
 * The cluster a file lacks is the smallest that holds what the file fixes (formats/assumed.ts), in every format:
 * tensor × pipeline × context, the data degree it states or its batch fixes, the expert group carved from
 * data × context × tensor. Fixtures written for the tests, one per format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanguageService } from '../../language/service';
import { smallestCluster } from '../../language/formats/assumed';
import { fixture } from './helpers';

const language = createLanguageService();
const cluster = (name: string, text = fixture(name)) => {
  const result = language.check(text, { fileName: name });
  return { info: result.diagnostics.find((d) => d.code === 'formats/assumed' && d.path.startsWith('cluster')), config: result.config!, errors: result.diagnostics.filter((d) => d.severity === 'error') };
};

const CASES: { name: string; nodes: number; why: RegExp }[] = [
  { name: 'megatron-tp8-pp8.sh', nodes: 8, why: /the smallest cluster that holds TP 8 × PP 8\./ },
  { name: 'torchtitan-tp4-pp4.toml', nodes: 16, why: /the smallest cluster that holds TP 4 × PP 4 × DP 8\./ },
  { name: 'torchtitan-main-dump.json', nodes: 8, why: /the smallest cluster that holds TP 2 × PP 2 × DP 16\./ },
  { name: 'nemo-tp4-pp2-cp2.yaml', nodes: 2, why: /the smallest cluster that holds TP 4 × PP 2 × CP 2\./ },
  { name: 'deepspeed-dp16.json', nodes: 2, why: /the smallest cluster that holds DP 16\./ },
  // Megatron-Core carves EP 8 × ETP 2 from DP × CP × TP: DP 8 on TP 2 × PP 4.
  { name: 'megatron-recipe.yaml', nodes: 8, why: /the smallest cluster that holds TP 2 × PP 4 with EP 8 × ETP 2 carved from DP × CP × TP\./ },
  { name: 'hf-llama-kv4.json', nodes: 1, why: /assumed 1 node of 8 × h100-sxm: the file sets no parallel degree\./ },
];

for (const c of CASES) {
  test(`${c.name}: the assumed cluster is the smallest that holds the file's degrees, and no error comes from it`, () => {
    const { info, config, errors } = cluster(c.name);
    assert.ok(info, 'the assumption is said');
    assert.match(info.message, c.why);
    assert.equal(config.cluster.nodes, c.nodes);
    assert.deepEqual(errors.map((d) => d.code), []);
  });
}

test('a stated world under one node of 8 GPUs is one node of that many, not a world-size error', () => {
  const toml = fixture('torchtitan-tp4-pp4.toml').replace('data_parallel_shard_degree = 8', 'data_parallel_shard_degree = 1').replace('pipeline_parallel_degree = 4', 'pipeline_parallel_degree = 1').replace('global_batch_size = 64', 'global_batch_size = 8');
  const { info, config, errors } = cluster('run.toml', toml);
  assert.equal(config.cluster.nodes * config.cluster.gpusPerNode, 4);
  assert.match(info!.message, /assumed 1 node of 4 × h100-sxm: the smallest cluster that holds TP 4\./);
  // 70B on 4 GPUs does not fit: the file's layout, on any cluster; nothing about the world size.
  assert.deepEqual(errors.map((d) => d.code), ['memory/exceeds-hbm']);
});

test('a global batch the data degree must divide moves the cluster, and the info says so', () => {
  // TP 1, a batch of 4: 8 GPUs would give 4 / 8 sequences per rank.
  const c = smallestCluster({ parallelism: { tensor: 1 }, training: { global_batch_size: 4, micro_batch_size: 1 } });
  assert.deepEqual([c.nodes, c.gpusPerNode], [1, 4]);
  assert.match(c.why, /whole micro-batches of the global batch 4/);
  // The file's own GPUs per node are kept.
  assert.deepEqual(Object.values(smallestCluster({ parallelism: { tensor: 8, pipeline: 4 }, cluster: { gpus_per_node: 4 } })).slice(0, 2), [8, 4]);
});

test('errors the file itself makes survive the assumption (one per format)', () => {
  const broken: [string, string, string][] = [
    ['launch.sh', fixture('megatron-tp8-pp8.sh').replace('--num-layers 80', '--num-layers 78'), 'megatron/layers-not-divisible'],
    ['run.toml', fixture('torchtitan-tp4-pp4.toml').replace('global_batch_size = 64', 'global_batch_size = 4'), 'parallelism/micro-batches'],
    ['nemo.yaml', fixture('nemo-tp4-pp2-cp2.yaml').replace('num_attention_heads: 40', 'num_attention_heads: 42'), 'parallelism/heads-tensor'],
    ['ds.json', fixture('deepspeed-mismatch.json'), 'deepspeed/batch-mismatch'],
    ['config.json', fixture('hf-llama-kv4.json').replace('"num_key_value_heads": 4', '"num_key_value_heads": 5'), 'model/kv-heads'],
  ];
  for (const [name, text, code] of broken) assert.ok(cluster(name, text).errors.some((d) => d.code === code), `${name}: ${code}`);
});

test('a config.json alone says once that it has no layout, and no memory error comes from the unsplit model', () => {
  for (const name of ['hf-deepseek-v3.json', 'hf-mixtral.json']) {
    const result = language.check(fixture(name), { fileName: name });
    const layout = result.diagnostics.filter((d) => d.code === 'formats/assumed' && d.path === 'parallelism');
    assert.equal(layout.length, 1, `${name}: one no-layout info`);
    assert.match(layout[0].message, /No parallel layout in this file/);
    assert.ok(!result.diagnostics.some((d) => d.code === 'memory/exceeds-hbm'), `${name}: no memory error from the unsplit model`);
  }
  // A file with a layout is checked for memory as before, and gets no such info.
  const megatron = language.check(fixture('megatron-tp8-pp8.sh'), { fileName: 'megatron-tp8-pp8.sh' });
  assert.ok(!megatron.diagnostics.some((d) => d.code === 'formats/assumed' && d.path === 'parallelism'));
});
