/**
 * What a file lacks, as `tcs check` / `tcs simulate` / `tcs search` say it and take it: the cluster from
 * `--gpu/--nodes/--gpus-per-node` (validated as `tcs import` validates them), the smallest cluster that holds the
 * file's degrees when nothing gives it, one message per fact, and a DeepSpeed JSON checked with the model's
 * config.json as one config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../cli/main';
import { fakeIO } from '../support/fakeIO';
import { fixture } from '../formats/helpers';

interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  path: string;
  range: { start: { line: number } };
  fixes?: { title: string; errorsLeft?: number }[];
}
interface JsonFile {
  file: string;
  with?: string[];
  diagnostics: JsonDiagnostic[];
}

function check(files: Record<string, string>, args: string[]): { code: number; files: JsonFile[]; err: string } {
  const f = fakeIO(files);
  const code = main(['check', '--json', ...args], f.io);
  return { code, files: code === 2 ? [] : (JSON.parse(f.out()) as { files: JsonFile[] }).files, err: f.err() };
}

const assumedInfos = (file: JsonFile) => file.diagnostics.filter((d) => d.code === 'formats/assumed');
const errors = (file: JsonFile) => file.diagnostics.filter((d) => d.severity === 'error');

test('check --gpu/--nodes/--gpus-per-node give a JSON file its cluster: nothing is assumed and the layout is checked on it', () => {
  const dump = fixture('torchtitan-main-dump.json'); // TP 2 × PP 2 × DP 16 = 64 GPUs, no cluster (JSON has no comments)
  const given = check({ 'dump.json': dump }, ['--gpu', 'h200', '--nodes', '8', '--gpus-per-node', '8', 'dump.json']);
  assert.equal(given.code, 0, JSON.stringify(given.files));
  assert.deepEqual(assumedInfos(given.files[0]), [], 'a supplied value is not assumed');
  // The options are values, not assumptions: a cluster too small for the file's stated layout is the file's error.
  const small = check({ 'dump.json': dump }, ['--nodes=2', 'dump.json']);
  assert.equal(small.code, 1);
  assert.match(errors(small.files[0])[0].message, /tensor 2 × pipeline 2 × context 1 × data 16 = 64 GPUs, but the cluster has 2 nodes × 8 = 16 GPUs/);
  // What is still missing is said with the option that gives it, and only that one.
  const info = assumedInfos(small.files[0]);
  assert.equal(info.length, 1);
  assert.match(info[0].message, /^`cluster\.gpu` and `cluster\.gpus_per_node` are not in this file: assumed 2 nodes of 8 × h100-sxm.* pass `--gpu NAME --gpus-per-node G` to `tcs check` or `tcs simulate`/);
});

test('the cluster options are validated as tcs import validates them, and listed in --help', () => {
  for (const command of ['check', 'simulate', 'import']) {
    for (const bad of [['--nodes', '0'], ['--gpus-per-node', '2.5'], ['--nodes', 'x'], ['--gpu', 'h900']]) {
      const f = fakeIO({ 'a.sh': fixture('megatron-tp8-pp8.sh') });
      assert.equal(main([command, ...bad, 'a.sh'], f.io), 2, `${command} ${bad.join(' ')}`);
      assert.match(f.err(), bad[0] === '--gpu' ? /--gpu must be one of a100-80gb, h100-sxm/ : new RegExp(`${bad[0]} must be a whole number ≥ 1, not ${bad[1].replace('.', '\\.')}`));
    }
    const help = fakeIO({});
    main([command, '--help'], help.io);
    for (const option of ['--gpu NAME', '--nodes N', '--gpus-per-node G']) assert.ok(help.out().includes(option), `${command} --help names ${option}`);
  }
  const search = fakeIO({});
  main(['search', '--help'], search.io);
  assert.match(search.out(), /--gpu NAME, --gpus-per-node G/);
});

test('an option the file does not need (it says the value itself) is named on stderr, and the file wins', () => {
  const r = check({ 'launch.sh': fixture('megatron-uneven-pp.sh') }, ['--nodes', '16', '--gpu', 'b200', 'launch.sh']); // torchrun --nnodes 4
  assert.match(r.err, /^launch\.sh: --nodes 16 not used: the file gives cluster\.nodes = 4$/m);
  assert.doesNotMatch(r.err, /--gpu/);
  assert.ok(!assumedInfos(r.files[0]).some((d) => d.path.startsWith('cluster')), 'the GPU came from --gpu');
  const f = fakeIO({ 'launch.sh': fixture('megatron-uneven-pp.sh') });
  main(['import', 'launch.sh', '--nodes', '16'], f.io);
  assert.match(f.out(), /^ {2}nodes: 4 {2}# launch\.sh:\d+ /m, 'import keeps the file\'s value too');
  assert.match(f.err(), /^--nodes 16 not used: an input gives cluster\.nodes$/m);
});

test('simulate takes the cluster options: a 64-GPU JSON dump is priced on the cluster given', () => {
  const f = fakeIO({ 'dump.json': fixture('torchtitan-main-dump.json') });
  assert.equal(main(['simulate', 'dump.json', '--json', '--gpu', 'b200', '--nodes', '8'], f.io), 0, f.err());
  assert.doesNotMatch(f.err(), /`cluster\.gpu`|`cluster\.nodes`|The cluster is/, 'nothing about the GPU or nodes is assumed');
  assert.match(f.err(), /`cluster\.gpus_per_node` is not in this file: assumed 8 nodes of 8 × b200: the smallest cluster that holds TP 2 × PP 2 × DP 16\./);
  assert.ok(JSON.parse(f.out()).gpuHours > 0);
});

test('a file sized for 64 GPUs with no cluster gets the smallest cluster that holds it, said so, and no error from the assumption', () => {
  const r = check({ 'launch.sh': fixture('megatron-tp8-pp8.sh') }, ['launch.sh']);
  assert.equal(r.code, 0, JSON.stringify(r.files[0].diagnostics));
  const [info] = assumedInfos(r.files[0]);
  assert.match(info.message, /^`cluster\.gpu` and `cluster\.nodes` are not in this file: assumed 8 nodes of 8 × h100-sxm: the smallest cluster that holds TP 8 × PP 8\. /);
  assert.equal(info.fixes?.[0].title, 'Write the assumed cluster: `# tcs: cluster.gpu=h100-sxm cluster.nodes=8`');
});

test('an error the file itself makes is still reported on an assumed cluster', () => {
  // 78 layers over PP 8: no cluster size changes that.
  const r = check({ 'launch.sh': fixture('megatron-tp8-pp8.sh').replace('--num-layers 80', '--num-layers 78') }, ['launch.sh']);
  assert.equal(r.code, 1);
  assert.deepEqual(errors(r.files[0]).map((d) => d.code), ['megatron/layers-not-divisible']);
});

test('the Megatron vocabulary taken from the tokenizer is one message, the assumed value with its reason', () => {
  const r = check({ 'launch.sh': fixture('megatron-uneven-pp.sh') }, ['launch.sh']);
  const vocab = r.files[0].diagnostics.filter((d) => d.path === 'model.vocab_size');
  assert.equal(vocab.length, 1, JSON.stringify(vocab));
  assert.match(vocab[0].message, /^`model\.vocab_size` is not in this file \(Megatron-LM takes the vocabulary size from the tokenizer\); 128000 is assumed\./);
});

test('a DeepSpeed JSON alone: the absent model is said once, and no memory error comes from the stand-in', () => {
  const r = check({ 'ds.json': fixture('deepspeed-auto.json') }, ['ds.json']);
  assert.equal(r.code, 0);
  const infos = assumedInfos(r.files[0]);
  assert.equal(infos.filter((d) => d.path.startsWith('model')).length, 1);
  assert.match(infos.find((d) => d.path === 'model')!.message, /^No model in this file: give the model's config\.json too, e\.g\. `tcs check ds_config\.json config\.json`/);
  assert.ok(!r.files[0].diagnostics.some((d) => d.code === 'memory/exceeds-hbm'));
  // A stand-in 8B model with micro-batch 4 on ZeRO-1 would not fit: that is no finding about this file.
  const mismatch = check({ 'ds.json': fixture('deepspeed-mismatch.json') }, ['ds.json']);
  assert.deepEqual(errors(mismatch.files[0]).map((d) => d.code).filter((c) => c.startsWith('memory/')), []);
  assert.ok(errors(mismatch.files[0]).some((d) => d.code === 'deepspeed/batch-mismatch'), 'the file\'s own error stays');
  const f = fakeIO({ 'ds.json': fixture('deepspeed-auto.json') });
  assert.equal(main(['simulate', 'ds.json'], f.io), 1);
  assert.match(f.err(), /ds\.json: not simulated: the file has no model/);
});

test('tcs check ds.json config.json checks one config: the model from config.json, each diagnostic in the file that gave the value', () => {
  const files = { 'ds.json': fixture('deepspeed-dp16.json'), 'config.json': fixture('hf-llama-kv4.json').replace('"num_key_value_heads": 4', '"num_key_value_heads": 5') };
  const r = check(files, ['ds.json', 'config.json']);
  assert.equal(r.code, 1);
  const [ds, hf] = r.files;
  assert.deepEqual([ds.file, ds.with, hf.file, hf.with], ['ds.json', ['config.json'], 'config.json', ['ds.json']]);
  assert.match(r.err, /^ds\.json \+ config\.json: checked as one config$/m);
  assert.ok(!ds.diagnostics.some((d) => d.path === 'model' || d.path.startsWith('model.')), 'the model is config.json\'s');
  const kv = hf.diagnostics.find((d) => d.code === 'model/kv-heads')!;
  assert.equal(kv.range.start.line + 1, 8, 'on num_key_value_heads in config.json');
  assert.ok(kv.fixes?.every((x) => x.errorsLeft === 0), 'its fixes are re-checked with ds.json beside it');
  // The cluster is the lead file's to say: DP 16 from train_batch_size ÷ (micro × accumulation).
  assert.match(assumedInfos(ds).find((d) => d.path === 'cluster')!.message, /assumed 2 nodes of 8 × h100-sxm: the smallest cluster that holds DP 16\./);
  assert.ok(!assumedInfos(hf).some((d) => d.path.startsWith('cluster')));
  const f = fakeIO({ 'ds.json': fixture('deepspeed-dp16.json'), 'config.json': fixture('hf-llama-kv4.json') });
  assert.equal(main(['simulate', 'ds.json', 'config.json', '--json'], f.io), 0, f.err());
  assert.equal(JSON.parse(f.out()).timeline.ranks, 1);
});

test('several whole configs are still checked one by one, and simulate refuses more than one', () => {
  const files = { 'a.sh': fixture('megatron-tp8-pp8.sh'), 'b.toml': fixture('torchtitan-tp4-pp4.toml') };
  const r = check(files, ['a.sh', 'b.toml']);
  assert.deepEqual(r.files.map((x) => [x.file, x.with]), [['a.sh', undefined], ['b.toml', undefined]]);
  const f = fakeIO(files);
  assert.equal(main(['simulate', 'a.sh', 'b.toml'], f.io), 2);
  assert.match(f.err(), /these files are 2 configs, not one/);
});
