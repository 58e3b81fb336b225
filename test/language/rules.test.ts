/** Each cross-field rule: a config that breaks it (with the numbers in the message) and one that passes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerSplit } from '../../simulator/stages';
import { applyFix, check, codes, DEEPSEEK, LLAMA, only, setLine } from './helpers';

const ds = (edits: [string, string][]) => edits.reduce((t, [k, v]) => setLine(t, k, v), DEEPSEEK());
const ll = (edits: [string, string][]) => edits.reduce((t, [k, v]) => setLine(t, k, v), LLAMA());

interface Case {
  code: string;
  failing: string;
  passing: string;
  message: RegExp;
  /** 0-based line the diagnostic sits on, when it matters. */
  line?: number;
  /** Applying the first fix removes the diagnostic. */
  fixes?: boolean;
}

const CASES: Record<string, Case> = {
  'world size: tensor × pipeline × context × data must equal the GPUs': {
    code: 'parallelism/world-size', failing: ds([['data', '64']]), passing: DEEPSEEK(), message: /= 1,024 GPUs, but the cluster has 256 nodes × 8 = 2,048 GPUs/, line: 40, fixes: true },
  'a derived data degree must be a whole number': {
    code: 'parallelism/data-not-integral', failing: DEEPSEEK().replace('  data: 128\n', '').replace('pipeline: 16', 'pipeline: 12'), passing: DEEPSEEK().replace('  data: 128\n', ''), message: /2,048 GPUs \/ \(tensor 1 × pipeline 12 × context 1\) = 170.67/ },
  'heads must divide by tensor': {
    code: 'parallelism/heads-tensor', failing: LLAMA().replace('heads: 128', 'heads: 100'), passing: LLAMA(), message: /100 attention heads cannot be split evenly over tensor 8/ },
  'kv_heads must divide by tensor': {
    code: 'parallelism/kv-heads-tensor', failing: LLAMA().replace('kv_heads: 8', 'kv_heads: 4'), passing: LLAMA(), message: /4 key\/value heads cannot be split evenly over tensor 8/ },
  'tensor parallelism crossing a node warns': {
    code: 'parallelism/tensor-crosses-node', failing: ll([['tensor', '16'], ['data', '64']]), passing: LLAMA(), message: /tensor 16 spans 2 nodes/ },
  'a stage without layers is an error': {
    code: 'parallelism/empty-stage', failing: ds([['layers', '12']]).replace('dense_layers: 3', 'dense_layers: 1'), passing: DEEPSEEK(), message: /12 layers cannot fill 16 pipeline stages: 4 stages would hold no layer/ },
  'DualPipeV splits layers over 2 × pipeline stages': {
    code: 'parallelism/empty-stage', failing: ds([['layers', '30'], ['schedule', 'dualpipev']]), passing: ds([['layers', '32'], ['schedule', 'dualpipev']]), message: /30 layers cannot fill 32 stages \(DualPipeV: 2 × pipeline 16\): 2 stages would hold no layer/ },
  'an uneven split is reported with its imbalance': {
    code: 'parallelism/uneven-stages', failing: DEEPSEEK(), passing: ds([['layers', '64']]), message: /61 layers over 16 pipeline stages is uneven: .*% of each step/ },
  'micro-batches must be a whole number': {
    code: 'parallelism/micro-batches', failing: ds([['global_batch_size', '15000']]), passing: DEEPSEEK(), message: /15,000 \/ \(data 128 × micro_batch_size 1\) = 117.19, not a whole number/, fixes: true },
  'interleaved 1F1B needs micro-batches a multiple of pipeline': {
    code: 'schedule/interleaved-micro-batches', failing: ll([['global_batch_size', '2560']]), passing: LLAMA(), message: /20 is not a multiple of 16/, fixes: true },
  'DualPipe needs an even micro-batch count': {
    code: 'schedule/dualpipe-odd-micro-batches', failing: ds([['global_batch_size', '15232']]), passing: DEEPSEEK(), message: /even, got 119/, fixes: true },
  'DualPipe needs at least 2 × pipeline micro-batches': {
    code: 'schedule/too-few-micro-batches', failing: ds([['global_batch_size', '3840']]), passing: DEEPSEEK(), message: /at least 2 × 16 ranks = 32 micro-batches, got 30/, fixes: true },
  'DualPipe needs an even pipeline': {
    code: 'schedule/dualpipe-odd-ranks', failing: ds([['pipeline', '15'], ['layers', '60']]).replace('  data: 128\n', '').replace('nodes: 256', 'nodes: 240'), passing: DEEPSEEK(), message: /even number of pipeline ranks, got 15/ },
  '1F1B with fewer micro-batches than stages warns that bubbles dominate': {
    code: 'schedule/bubbles-dominate', failing: ds([['schedule', '1f1b'], ['global_batch_size', '1024']]), passing: ds([['schedule', '1f1b']]), message: /8 micro-batches over 16 pipeline ranks: bubbles take about 65%/ },
  'expert parallelism must divide the routed experts': {
    code: 'parallelism/expert-experts', failing: ds([['expert', '48']]), passing: DEEPSEEK(), message: /256 routed experts cannot be spread evenly over expert 48/ },
  'expert × expert_tensor must divide data × context × tensor': {
    code: 'parallelism/expert-ranks', failing: ds([['expert', '256']]), passing: DEEPSEEK(), message: /data 128 × context 1 × tensor 1 = 128/ },
  'context parallelism needs sequence_length divisible by 2 × context': {
    code: 'parallelism/context-sequence', failing: ll([['context', '2'], ['data', '64'], ['sequence_length', '8190']]), passing: ll([['context', '2'], ['data', '64']]), message: /8,190 must be divisible by 2 × context = 4/ },
  'FP8 needs a GPU with FP8 tensor cores': {
    code: 'fp8/gpu-unsupported', failing: ds([['gpu', 'a100-80gb']]), passing: DEEPSEEK(), message: /A100 SXM 80GB has no FP8 tensor cores/, fixes: true },
  'MXFP8 needs Blackwell': {
    code: 'fp8/mxfp8-unsupported', failing: ds([['scaling', 'mxfp8']]), passing: ds([['scaling', 'mxfp8'], ['gpu', 'b200'], ['activation_tile', '32'], ['weight_block', '32']]), message: /Blackwell/, fixes: true },
  'sizes per tensor shard must be multiples of the FP8 tile and block': {
    code: 'fp8/tile-divisibility', failing: ds([['expert_hidden_size', '2000']]), passing: DEEPSEEK(), message: /expert_hidden_size 2,000 is not a multiple of activation_tile 128 and weight_block 128/ },
  'tile sizes contradict tensorwise scaling': {
    code: 'fp8/scaling-contradiction', failing: ds([['scaling', 'tensorwise']]).replace(/\n\s+weight_block: 128.*\n/, '\n'), passing: DEEPSEEK(), message: /activation_tile only applies to blockwise scaling/ },
  'an output head in FP8 gets the published reason': {
    code: 'fp8/high-precision', failing: ds([['high_precision', '[router, norm, attention]']]), passing: DEEPSEEK(), message: /embedding and output head run in FP8.*sensitive to low precision/, fixes: true },
  'max_nodes_per_token above the EP span can never bind': {
    code: 'routing/limit-above-span', failing: ds([['max_nodes_per_token', '8'], ['expert', '32']]), passing: DEEPSEEK(), message: /max_nodes_per_token 8 can never bind: the expert-parallel group spans only expert 32 \/ 8 GPUs per node = 4 nodes/, fixes: true },
  'max_nodes_per_token above experts_per_token is an error': {
    code: 'routing/limit-above-top-k', failing: ds([['max_nodes_per_token', '8'], ['experts_per_token', '6']]), passing: DEEPSEEK(), message: /max_nodes_per_token 8 is more than experts_per_token 6/ },
  'a routing limit inside one node has no effect': {
    code: 'routing/limit-in-one-node', failing: ds([['expert', '8']]), passing: DEEPSEEK(), message: /sits in one node/ },
  'routed experts must spread evenly over the nodes of the EP group': {
    code: 'routing/uneven-nodes', failing: ds([['routed_experts', '255'], ['expert', '16']]), passing: DEEPSEEK(), message: /255 routed experts cannot spread evenly over the 2 nodes/ },
  'more experts per node than the NVLink/IB ratio warns': {
    code: 'routing/nvlink-bottleneck', failing: ds([['max_nodes_per_token', '2']]), passing: DEEPSEEK(), message: /8 experts on 2 nodes: 4 per node, above the NVLink\/IB ratio 160\/50 = 3.2/, fixes: true },
  'GQA kv_heads must divide heads': {
    code: 'model/kv-heads', failing: LLAMA().replace('kv_heads: 8', 'kv_heads: 48'), passing: LLAMA(), message: /128 query heads cannot be grouped over 48/ },
};

for (const [name, c] of Object.entries(CASES)) {
  test(name, () => {
    const bad = check(c.failing);
    const d = bad.diagnostics.find((x) => x.code === c.code);
    assert.ok(d, `expected ${c.code}, got ${JSON.stringify(codes(bad))}`);
    assert.match(d.message, c.message);
    assert.ok(d.range.start.line > 0 || d.range.start.character > 0 || d.path === '', 'not the document start');
    if (c.line !== undefined) assert.equal(d.range.start.line, c.line);
    if (c.fixes) {
      assert.ok(d.fixes && d.fixes.length > 0, 'has a fix');
      assert.ok(!codes(check(applyFix(bad, d))).includes(c.code), `fix ${d.fixes[0].title} removes ${c.code}`);
    }
    assert.ok(!codes(check(c.passing)).includes(c.code), `passing case has no ${c.code}`);
  });
}

test('the memory rule reports a layout that cannot fit in HBM on `parallelism`, with the breakdown', () => {
  const d = only(check(ds([['gpu', 'a100-80gb'], ['compute', 'bf16'], ['expert', '8'], ['pipeline', '2']]).replace('  data: 128\n', '').replace(/\n\s+fp8:[\s\S]*?high_precision.*\n/, '\n').replace('max_nodes_per_token: 4', 'max_nodes_per_token: 1')), 'memory/exceeds-hbm');
  assert.equal(d.path, 'parallelism');
  assert.match(d.message, /parameters .* GiB, gradients .* optimizer .* activations/);
});

test('an uneven split reports the layers and the loss of the split the simulator runs, for every schedule', () => {
  for (const schedule of ['dualpipe', 'dualpipev', 'zbv', '1f1b', 'interleaved-1f1b']) {
    const r = check(ds([['pipeline', '7'], ['schedule', schedule], ['virtual_stages', schedule === 'interleaved-1f1b' ? '2' : '1']]));
    const d = only(r, 'parallelism/uneven-stages');
    const layout = layerSplit(r.config!);
    const [, lo, hi, loss] = /: (\d+)–(\d+) per stage.* about (\d+)% of each step/.exec(d.message) ?? [];
    assert.deepEqual([Number(lo), Number(hi)], [Math.min(...layout.layersPerStage), Math.max(...layout.layersPerStage)], d.message);
    // The share of the step lost: the slowest rank's excess over the mean, over the slowest rank's load.
    const max = Math.max(...layout.rankLoad);
    const mean = layout.rankLoad.reduce((a, b) => a + b, 0) / layout.rankLoad.length;
    assert.equal(Number(loss), Math.round(((max - mean) / max) * 100), d.message);
    // 61 layers fill 7 ranks to within a few layers whatever the schedule: a stage counted twice cost 77%.
    assert.ok(Number(loss) < 10, d.message);
    assert.equal(d.severity, 'info', d.message);
  }
});

test('the loss is the share of the step lost, not the excess over an even spread', () => {
  // 1F1B over 16 ranks: 15 × 4 layers, and 1 layer + head + MTP (≈ 7.05 layer-equivalents) on the last rank, so the
  // step is ≈ 1.68× an even spread's and ≈ 41% of it is lost (not 68%).
  const d = only(check(ds([['schedule', '1f1b']])), 'parallelism/uneven-stages');
  const [, loss] = / about (\d+)% of each step/.exec(d.message) ?? [];
  assert.ok(Number(loss) >= 38 && Number(loss) <= 44, d.message);
});

test('an uneven split offers pipeline sizes that divide the layers', () => {
  const d = only(check(ds([['layers', '60']])), 'parallelism/uneven-stages');
  assert.deepEqual(d.fixes?.map((f) => f.edits[0].newText), ['15', '12']);
});
