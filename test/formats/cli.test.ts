/** `tcs import` and `tcs export` end to end, through a fake file system. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../cli/main';
import { fakeIO } from '../support/fakeIO';
import { parseYamlDocument as parseDocument } from '../../language/formats/yaml';
import { example } from '../language/helpers';
import { fixture } from './helpers';


test('import: a launch script + config.json → YAML whose every value names its origin; a contradiction exits 1', () => {
  const f = fakeIO({ 'launch.sh': fixture('megatron-uneven-pp.sh'), 'config.json': fixture('hf-llama-kv4.json') });
  assert.equal(main(['import', 'launch.sh', 'config.json', '--gpu', 'h100-sxm', '-o', 'run.train.yaml'], f.io), 1);
  const yaml = f.written['run.train.yaml'];
  assert.match(yaml, /^ {4}kv_heads: 4 {2}# config\.json:8 num_key_value_heads$/m, 'the model config wins on the model shape');
  assert.match(yaml, /^ {2}tensor: 2 {2}# launch\.sh:20 --tensor-model-parallel-size$/m);
  assert.match(yaml, /^ {2}gpu: h100-sxm {2}# assumed: --gpu option$/m);
  // Query groups that contradict the model's config, and layers that do not, are both named on stderr.
  assert.match(f.err(), /^launch\.sh:12:\d+ error import\/conflict --num-query-groups = 8 contradicts config\.json:8 num_key_value_heads = 4/m);
  assert.match(f.err(), /^launch\.sh:8:\d+ error import\/conflict --num-layers = 30 contradicts/m);
  assert.match(f.err(), /^assumed cluster\.gpu = "h100-sxm" \(--gpu option\)$/m);
  const value = parseDocument(yaml).value as { model: { layers: number } };
  assert.equal(value.model.layers, 32);
  for (const line of yaml.split('\n').filter((l) => /^\s+\w+: \S/.test(l))) assert.match(line, /# /, `every value carries a comment: ${line}`);
});

test('import: values no input gives are assumed, listed on stderr, and a clean result exits 0', () => {
  const f = fakeIO({ 'run.toml': fixture('torchtitan-llama3-8b.toml') });
  assert.equal(main(['import', 'run.toml'], f.io), 0, f.err());
  assert.match(f.out(), /^ {2}layers: 32 {2}# run\.toml:10 \[model\] flavor \(torchtitan flavor llama3\/8B\)$/m);
  assert.doesNotMatch(f.err(), /^assumed/m, 'the # tcs: line gave the cluster');
  const g = fakeIO({ 'ds.json': fixture('deepspeed-mismatch.json'), 'config.json': fixture('hf-mixtral.json') });
  assert.equal(main(['import', 'ds.json', 'config.json'], g.io), 1);
  assert.match(g.err(), /^assumed cluster\.gpu = "h100-sxm" \(no input gives it\)$/m);
  assert.match(g.err(), /^assumed training\.sequence_length = /m);
  assert.match(g.err(), /deepspeed\/batch-mismatch/);
});

test('import: a global batch smaller than the data-parallel size is reported by the check on the result', () => {
  const f = fakeIO({ 'small.toml': fixture('torchtitan-gbs-below-dp.toml') });
  assert.equal(main(['import', 'small.toml'], f.io), 1);
  assert.match(f.err(), /error parallelism\/micro-batches .*\[small\.toml:9 \[training\] global_batch_size\]/);
});

test('import: a file in no known format exits 2 with one line naming the formats tried', () => {
  const f = fakeIO({ 'notes.txt': 'just some text\n' });
  assert.equal(main(['import', 'notes.txt'], f.io), 2);
  assert.equal(f.err().trim().split('\n').length, 1);
  assert.match(f.err(), /notes\.txt: not a format tcs import knows \(tried Hugging Face config\.json, DeepSpeed JSON, torchtitan TOML \/ JSON, NeMo \/ Megatron-Bridge YAML, Megatron-LM arguments\)/);
  assert.equal(main(['import'], fakeIO({}).io), 2);
  assert.equal(main(['import', 'a.sh', '--nodes', 'zero'], fakeIO({ 'a.sh': '' }).io), 2);
});

test('export: each target writes its file and prints its warnings; a config with errors is refused', () => {
  const f = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(main(['export', '--to', 'torchtitan', 'ds.train.yaml', '-o', 'ds.toml'], f.io), 0);
  assert.match(f.written['ds.toml'], /^\[parallelism\]$/m);
  assert.match(f.err(), /^warning parallelism\.zero_stage: torchtitan has no ZeRO-1/m);
  const g = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(main(['export', '--to', 'megatron', 'ds.train.yaml'], g.io), 0);
  assert.match(g.out(), /^#!\/bin\/bash/);
  const h = fakeIO({ 'bad.train.yaml': example('deepseek-v3.train.yaml').replace('  pipeline: 16', '  pipeline: 7') });
  assert.equal(main(['export', '--to', 'nemo', 'bad.train.yaml'], h.io), 1);
  assert.equal(main(['export', '--to', 'deepspeed', 'bad.train.yaml'], fakeIO({}).io), 2);
  // torchtitan main's JSON: written, its warnings on stderr, and read back by tcs import with nothing assumed.
  const j = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(main(['export', '--to', 'torchtitan-json', 'ds.train.yaml', '-o', 'ds.json'], j.io), 0);
  assert.equal(JSON.parse(j.written['ds.json']).model_spec.flavor, '671B');
  assert.match(j.err(), /^warning precision\.compute: torchtitan main applies FP8 through converters/m);
  const back = fakeIO({ 'ds.json': j.written['ds.json'] });
  main(['import', 'ds.json'], back.io);
  assert.match(back.out(), /^ {2}global_batch_size: 15360 {2}# ds\.json:\d+ training\.num_tokens_per_train_step/m);
  assert.doesNotMatch(back.err(), /^assumed/m);
  const help = fakeIO({});
  main(['export', '--help'], help.io);
  assert.match(help.out(), /torchtitan-python +a torchtitan main recipe: a Python function returning Trainer\.Config/);
  assert.match(help.out(), /torchtitan-json +the same config as JSON/);
  const py = fakeIO({ 'ds.train.yaml': example('deepseek-v3.train.yaml') });
  assert.equal(main(['export', '--to', 'torchtitan-python', 'ds.train.yaml'], py.io), 0);
  assert.match(py.out(), /^def deepseek_v3_pre_training\(\) -> Trainer\.Config:$/m);
});

test('check and simulate take a launch script or a TOML directly, diagnostics on its own lines', () => {
  const f = fakeIO({ 'launch.sh': fixture('megatron-uneven-pp.sh'), 'small.toml': fixture('torchtitan-gbs-below-dp.toml') });
  assert.equal(main(['check', 'launch.sh', 'small.toml'], f.io), 1);
  assert.match(f.out(), /^launch\.sh:20:\d+ error megatron\/layers-not-divisible /m);
  assert.match(f.out(), /^small\.toml:9:1 error parallelism\/micro-batches /m, 'the rule lands on global_batch_size in the TOML');
  assert.match(f.out(), /^launch\.sh:1:1 info formats\/assumed `cluster\.gpu` is not in this file: assumed 4 nodes of 8 × h100-sxm\. To give it, add a comment line `# tcs: cluster\.gpu=…`/m);
  const g = fakeIO({ 'run.toml': fixture('torchtitan-llama3-8b.toml') });
  assert.equal(main(['simulate', 'run.toml', '--json'], g.io), 0, g.err());
  assert.ok(JSON.parse(g.out()).gpuHours > 0);
  const h = fakeIO({ 'launch.sh': fixture('megatron-uneven-pp.sh') });
  assert.equal(main(['simulate', 'launch.sh'], h.io), 1);
  assert.match(h.err(), /not simulated: 1 error/);
});
