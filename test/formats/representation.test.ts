/**
 * Sequence parallelism, router groups, recompute modules/method and HSDP: read from every format, checked with
 * Megatron-Core's rules on the exact key, and costed by the simulator as the physics says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDocument } from '../../language/check';
import { getPath } from '../../language/formats/source';
import { resolveConfig } from '../../language/resolve';
import { estimateMemory } from '../../simulator/memory';
import { dataParallelStep } from '../../simulator/comm';
import { EXPORTERS, type ExportTarget } from '../../language/export';
import { differingPaths, obj } from '../../language/export/common';
import { combine } from '../../language/formats/combine';
import { detectImportFormat } from '../../language/formats/frontEnds';
import { applyFix, check, codes, DEEPSEEK, example, LLAMA, only, setLine } from '../language/helpers';
import { codesOf, parseFixture, textAt } from './helpers';

test('Megatron: --sequence-parallel, router groups, block recompute and optimizer instances are read, not reported', () => {
  const doc = parseFixture('megatron-moe-faithful.sh');
  const v = doc.value;
  assert.equal(getPath(v, 'parallelism.sequence_parallel'), true);
  assert.equal(getPath(v, 'model.moe.router_groups'), 8);
  assert.equal(getPath(v, 'model.moe.router_group_topk'), 3);
  assert.equal(getPath(v, 'training.recompute'), 'full');
  assert.equal(getPath(v, 'training.recompute_method'), 'block');
  assert.equal(getPath(v, 'training.recompute_layers'), 2);
  // 32 GPUs / (TP 2 × PP 2) = DP 8, two optimizer instances: shards of 4.
  assert.equal(getPath(v, 'parallelism.data_shard'), 4);
  assert.ok(!codesOf(doc).includes('formats/unrepresented'), JSON.stringify(doc.diagnostics.map((d) => d.message)));
  // EP 8 sits in one node: the 8 groups are not nodes, so no node limit follows, and the check says so on the flag.
  const r = checkDocument(doc);
  assert.equal(resolveConfig(v).model.moe?.maxNodesPerToken, undefined);
  const d = r.diagnostics.find((x) => x.code === 'routing/groups-not-nodes');
  assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.code)));
  assert.match(d.message, /one node/);
  assert.equal(doc.text.split('\n')[d.range.start.line].includes('--moe-router-num-groups'), true);
});

test('Megatron mistake: --tp-comm-overlap without --sequence-parallel is an error with a fix in the script', () => {
  const doc = parseFixture('megatron-tp-overlap-no-sp.sh');
  assert.ok(codesOf(doc).includes('megatron/modules-without-selective'), 'the module list with full granularity');
  const r = checkDocument(doc);
  const d = r.diagnostics.find((x) => x.code === 'parallelism/tp-overlap-needs-sequence-parallel');
  assert.ok(d && d.severity === 'error');
  assert.ok(d.fixes && d.fixes.length > 0, 'a fix written as a Megatron flag');
});

test('NeMo/Bridge mistakes: optimizer instances that do not divide DP, a group top-k above the groups', () => {
  const doc = parseFixture('nemo-hsdp-mistake.yaml');
  assert.ok(codesOf(doc).includes('megatron/optimizer-instances'));
  assert.deepEqual(getPath(doc.value, 'training.recompute_modules'), ['moe_act', 'layernorm']);
  assert.equal(getPath(doc.value, 'parallelism.sequence_parallel'), true);
  const r = checkDocument(doc);
  const d = r.diagnostics.find((x) => x.code === 'routing/group-topk-above-groups');
  assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.code)));
  assert.equal(doc.text.split('\n')[d.range.start.line].trim().startsWith('moe_router_group_topk'), true);
});

test('torchtitan: replicate × shard is HSDP, tensor parallelism always shards the sequence, async TP is TP overlap', () => {
  const doc = parseFixture('torchtitan-hsdp.toml');
  assert.equal(getPath(doc.value, 'parallelism.data'), 16);
  assert.equal(getPath(doc.value, 'parallelism.data_shard'), 8);
  assert.equal(getPath(doc.value, 'parallelism.sequence_parallel'), true);
  assert.equal(textAt(doc, 'parallelism.data_shard', 'key'), 'data_parallel_shard_degree');
  assert.equal(getPath(doc.value, 'parallelism.tp_comm_overlap'), true, 'async TP overlaps TP communication');
});

test('HF: n_group / topk_group are router groups; DeepSpeed: MiCS shards, hpZ is reported', () => {
  const hf = parseFixture('hf-groups-not-nodes.json');
  assert.equal(getPath(hf.value, 'model.moe.router_groups'), undefined, 'n_group 1 is no grouping');
  const ds = parseFixture('deepspeed-mics.json');
  assert.equal(getPath(ds.value, 'parallelism.data_shard'), 8);
  assert.ok(ds.diagnostics.some((d) => d.code === 'formats/unrepresented' && d.message.includes('zero_hpz_partition_size')));
});

test('YAML rules: each key is checked where it is written, with a fix that clears it', () => {
  const yaml = LLAMA();
  // sequence_parallel with TP 1 does nothing (Megatron turns it off).
  const tp1 = check(setLine(setLine(yaml, 'tensor', '1'), 'sequence_parallel', 'true'));
  assert.ok(codes(tp1).includes('parallelism/sequence-parallel-without-tp'));
  // data_shard must divide data (128 for this example).
  const bad = check(yaml.replace(/^(\s*zero_stage:.*)$/m, '$1\n  data_shard: 48'));
  const d = only(bad, 'parallelism/data-shard-divides');
  assert.equal(d.severity, 'error');
  const fixed = check(applyFix(bad, d));
  assert.ok(!codes(fixed).includes('parallelism/data-shard-divides'));
  // recompute_modules only with selective; recompute_layers at most one stage's layers (126 / 16 ≈ 7).
  const modules = check(yaml.replace(/^(\s*recompute:.*)$/m, '$1\n  recompute_modules: [core_attn]'));
  assert.ok(codes(modules).includes('training/modules-without-selective'));
  const layers = check(setLine(yaml, 'recompute', 'full').replace(/^(\s*recompute:.*)$/m, '$1\n  recompute_layers: 40'));
  assert.ok(codes(layers, 'error').includes('training/recompute-layers-above-stage'));
});

test('without sequence parallelism the norm activations are whole on every TP rank (Korthikanti et al. 2022, Table 2)', () => {
  const on = resolveConfig(check(LLAMA()).document.value);
  const off = { ...on, parallelism: { ...on.parallelism, sequenceParallel: false } };
  const a = estimateMemory(on).perStage[1].activationsGiB;
  const b = estimateMemory(off).perStage[1].activationsGiB;
  // Per layer and token without recompute, the replicated tensors (the two norms' inputs and outputs, the MLP norm's
  // output being the FFN input: 2h + 2h elements in BF16 = 8h bytes; Korthikanti's 10sbh adds two 1-byte dropout
  // masks Llama does not have) go from 1/8 to whole: 8h·(1 − 1/8) more per token per layer. Rank 1 holds 4
  // interleaved chunks of 2 layers (126 layers over 64 stages, one fewer on the first and last).
  const h = on.model.hiddenSize;
  const tokens = on.training.microBatchSize * on.training.sequenceLength;
  const perMicroBatch = (8 * h * (1 - 1 / 8) * tokens * 2) / 2 ** 30;
  assert.ok(b > a, 'more memory without SP');
  const chunks = estimateMemory(on).perStage[1].peakActivationChunks;
  assert.ok(Math.abs((b - a) / chunks - perMicroBatch) / perMicroBatch < 0.05, `${(b - a) / chunks} vs ${perMicroBatch}`);
});

test('HSDP shards the optimizer over the shard group and adds an all-reduce across replicas', () => {
  const base = resolveConfig(check(LLAMA()).document.value);
  const hsdp = { ...base, parallelism: { ...base.parallelism, dataShard: 16 } };
  const m0 = estimateMemory(base).perStage[0];
  const m1 = estimateMemory(hsdp).perStage[0];
  assert.ok(Math.abs(m1.optimizerGiB / m0.optimizerGiB - 128 / 16) < 1e-6, 'optimizer states 8× larger with shards of 16 instead of 128');
  const s0 = dataParallelStep(base, 1e9, 0);
  const s1 = dataParallelStep(hsdp, 1e9, 0);
  assert.ok(s1.gradients.interNodeBytes > 0 && s1.gradients.seconds !== s0.gradients.seconds);
});

test('block recompute keeps the layers it does not recompute whole', () => {
  const c = resolveConfig(check(LLAMA()).document.value);
  const full = { ...c, training: { ...c.training, recompute: 'full' as const } };
  const block = { ...full, training: { ...full.training, recomputeMethod: 'block' as const, recomputeLayers: 1 } };
  const none = estimateMemory(c).perStage[1].activationsGiB;
  const f = estimateMemory(full).perStage[1].activationsGiB;
  const b = estimateMemory(block).perStage[1].activationsGiB;
  assert.ok(f < b && b < none, `${f} < ${b} < ${none}`);
});

test('the new keys survive import(export(x)) for every target, or the exporter warns that it drops them', () => {
  const base = check(LLAMA()).document.value as Record<string, Record<string, unknown>>;
  const variants: unknown[] = [
    { ...base, parallelism: { ...base.parallelism, data_shard: 16 } },
    { ...base, training: { ...base.training, recompute: 'full', recompute_method: 'block', recompute_layers: 2 } },
    { ...base, training: { ...base.training, recompute: 'selective', recompute_modules: ['core_attn', 'mlp'] } },
    { ...base, parallelism: { ...base.parallelism, sequence_parallel: false } },
    { ...base, parallelism: { ...base.parallelism, ddp_bucket_size: 25000000 } },
  ];
  const ds = check(DEEPSEEK()).document.value as Record<string, Record<string, Record<string, unknown>>>;
  variants.push({ ...ds, model: { ...ds.model, moe: { ...ds.model.moe, max_nodes_per_token: undefined, router_groups: 8, router_group_topk: 4 } } });
  for (const x of variants) {
    // Every target tcs reads back (not the torchtitan Python recipe).
    for (const target of (Object.keys(EXPORTERS) as ExportTarget[]).filter((t) => t !== 'torchtitan-python')) {
      const out = EXPORTERS[target].run(x);
      const doc = detectImportFormat(out.text, `out.${target}`)!.parse(out.text);
      const { value } = combine([{ file: 'out', doc }]);
      const dropped = [...new Set(out.warnings.filter((w) => w.kind === 'dropped').map((w) => w.path))].sort();
      assert.deepEqual(differingPaths(x, value), dropped, `${target}: ${JSON.stringify(obj(x).parallelism)} ${JSON.stringify(obj(x).training)}`);
    }
  }
});

test('router groups: the node limit holds only when the groups are the EP group\'s nodes, and the fix says which', () => {
  const ds = DEEPSEEK();
  // EP 64 over 8-GPU nodes spans 8 nodes; 16 groups are half-nodes, so max_nodes_per_token 4 is not enforced.
  const half = check(ds.replace(/^(\s*)max_nodes_per_token:.*$/m, '$1max_nodes_per_token: 4\n$1router_groups: 16\n$1router_group_topk: 4'));
  const d = only(half, 'routing/groups-not-nodes');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /do not enforce max_nodes_per_token 4/);
  const fixed = check(applyFix(half, d));
  assert.ok(!codes(fixed).includes('routing/groups-not-nodes'), 'router_groups 8 = the nodes spanned');
  // Groups = nodes but a different top-k contradicts the node limit.
  const disagree = check(ds.replace(/^(\s*)max_nodes_per_token:.*$/m, '$1max_nodes_per_token: 4\n$1router_groups: 8\n$1router_group_topk: 3'));
  const e = only(disagree, 'routing/groups-disagree-with-limit');
  assert.equal(e.severity, 'error');
  assert.ok(!codes(check(applyFix(disagree, e))).includes('routing/groups-disagree-with-limit'));
  // Without max_nodes_per_token, groups that are the nodes give the simulator its node limit.
  const derived = check(ds.replace(/^(\s*)max_nodes_per_token:.*$/m, '$1router_groups: 8\n$1router_group_topk: 3'));
  assert.equal(resolveConfig(derived.document.value).model.moe?.maxNodesPerToken, 3);
});

test('MoE with tensor parallelism but sequence_parallel off is flagged on the key, with the fix', () => {
  const mixtral = check(setLine(example('mixtral-8x7b.train.yaml'), 'sequence_parallel', 'false'));
  const d = only(mixtral, 'parallelism/moe-tensor-needs-sequence-parallel');
  assert.ok(!codes(check(applyFix(mixtral, d))).includes('parallelism/moe-tensor-needs-sequence-parallel'));
});

test('layernorm / moe_act recompute with delayed FP8 scaling is refused, as Megatron-Core refuses it', () => {
  const yaml = example('mixtral-8x7b.train.yaml').replace(/^(\s*recompute:.*)$/m, '$1\n  recompute_modules: [layernorm, moe_act]');
  const delayed = check(yaml.replace(/^(\s*scaling:).*$/m, '$1 delayed'));
  const d = only(delayed, 'training/recompute-delayed-fp8');
  assert.ok(!codes(check(applyFix(delayed, d))).includes('training/recompute-delayed-fp8'));
});
