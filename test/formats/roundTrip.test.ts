/**
 * import(export(x)) == x for every example and target, modulo exactly the keys the exporter warned it drops; keys
 * it only approximates must read back unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { EXPORTERS, type ExportTarget } from '../../language/export';
import { differingPaths } from '../../language/export/common';
import { combine } from '../../language/formats/combine';
import { detectImportFormat } from '../../language/formats/frontEnds';
import { parseYamlDocument as parseDocument } from '../../language/formats/yaml';
import { checkText } from '../../language/check';
import { EXAMPLES_DIR, example } from '../language/helpers';

/** The format each target reads back as; tcs does not read Python (torchtitan-python is checked against its JSON twin below). */
const EXPECTED_FORMAT: Partial<Record<ExportTarget, string>> = { megatron: 'megatron', torchtitan: 'torchtitan', 'torchtitan-json': 'torchtitan', nemo: 'nemo' };

for (const name of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.train.yaml'))) {
  for (const target of (Object.keys(EXPORTERS) as ExportTarget[]).filter((t) => EXPECTED_FORMAT[t] !== undefined)) {
    test(`${name} → ${target} → import: only the warned keys change`, () => {
      const x = parseDocument(example(name)).value;
      const out = EXPORTERS[target].run(x);
      const frontEnd = detectImportFormat(out.text, `out.${target}`);
      assert.equal(frontEnd?.format, EXPECTED_FORMAT[target]);
      const doc = frontEnd!.parse(out.text);
      assert.deepEqual(doc.diagnostics.filter((d) => d.severity === 'error'), []);
      const { value, assumed } = combine([{ file: 'out', doc }]);
      assert.deepEqual(assumed, [], 'the export carries everything, the cluster included');
      const dropped = [...new Set(out.warnings.filter((w) => w.kind === 'dropped').map((w) => w.path))].sort();
      const approximated = out.warnings.filter((w) => w.kind === 'approximated').map((w) => w.path);
      const differing = differingPaths(x, value);
      assert.deepEqual(differing, dropped);
      for (const p of approximated) assert.ok(!differing.includes(p), `${p} is approximated, so it must read back unchanged`);
      // Every warning is visible in the file itself too.
      for (const w of out.warnings) assert.ok(out.text.includes(`WARN ${w.path}:`), w.path);
    });
  }
}

test('the DeepSeek-V3 export warns about what Megatron-LM and torchtitan cannot run', () => {
  const x = parseDocument(example('deepseek-v3.train.yaml')).value;
  const m = EXPORTERS.megatron.run(x);
  // mlp_act (the 3 dense layers' SwiGLU, recomputed by default) has no Megatron module.
  assert.deepEqual(m.warnings.map((w) => w.path), ['training.recompute_modules', 'parallelism.schedule']);
  assert.match(m.text, /--recompute-modules core_attn layernorm mla_up_proj moe_act/);
  assert.match(m.text, /--pipeline-model-parallel-layout "Et\*4\|(t\*4\|){14}tmL"/);
  assert.match(m.text, /^torchrun --nnodes 256 --nproc_per_node 8 pretrain_gpt\.py/m);
  assert.match(m.text, /--moe-router-num-groups 8 --moe-router-group-topk 4/);
  const t = EXPORTERS.torchtitan.run(x);
  const paths = t.warnings.map((w) => w.path);
  for (const p of ['parallelism.zero_stage', 'precision.fp8.scaling', 'parallelism.schedule', 'model.mtp_depth']) assert.ok(paths.includes(p), p);
  assert.match(t.text, /^flavor = "671B"$/m);
  assert.match(t.text, /^local_batch_size = 120/m);
});

test('an exported Megatron script re-imported checks as the original does', () => {
  for (const name of ['llama3-405b.train.yaml', 'mixtral-8x7b.train.yaml']) {
    const x = parseDocument(example(name)).value;
    const doc = detectImportFormat(EXPORTERS.megatron.run(x).text)!.parse(EXPORTERS.megatron.run(x).text);
    const yaml = JSON.stringify(combine([{ file: 'o', doc }]).value);
    assert.deepEqual(checkText(yaml).diagnostics.filter((d) => d.severity === 'error'), [], name);
  }
});

/** Fields of torchtitan main's TrainingConfig and ParallelismConfig (pytorch/torchtitan@b5bcd76 torchtitan/config/configs.py). */
const MAIN_TRAINING = ['num_tokens_per_microbatch_per_dp_rank', 'num_tokens_per_train_step', 'max_context_length', 'max_norm', 'steps', 'enable_cpu_offload', 'disable_cuda_graphs', 'dtype', 'mixed_precision_param', 'mixed_precision_reduce', 'gc_freq', 'gc_debug'];
const MAIN_PARALLELISM = ['data_parallel_replicate_degree', 'data_parallel_shard_degree', 'fsdp_reshard_after_forward', 'enable_fsdp_symm_mem', 'tensor_parallel_degree', 'enable_sequence_parallel', 'spmd_backend', 'pipeline_parallel_degree', 'module_fqns_per_model_part', 'pipeline_parallel_first_stage_less_layers', 'pipeline_parallel_last_stage_less_layers', 'pipeline_parallel_layers_per_stage', 'pipeline_parallel_schedule', 'pipeline_parallel_schedule_csv', 'num_pp_microbatches', 'context_parallel_degree', 'context_parallel_load_balancer', 'context_parallel_ptrr_mask_key', 'expert_parallel_degree'];

test('the torchtitan-json export uses only torchtitan main\'s field names, batches in tokens', () => {
  for (const name of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.train.yaml'))) {
    const x = parseDocument(example(name)).value;
    const out = JSON.parse(EXPORTERS['torchtitan-json'].run(x).text) as Record<string, Record<string, unknown> | null>;
    assert.deepEqual(Object.keys(out).sort(), ['activation_checkpoint', 'model_spec', 'parallelism', 'tcs', 'training'], name);
    for (const k of Object.keys(out.training!)) assert.ok(MAIN_TRAINING.includes(k), `${name}: training.${k}`);
    for (const k of Object.keys(out.parallelism!)) assert.ok(MAIN_PARALLELISM.includes(k), `${name}: parallelism.${k}`);
    assert.deepEqual(Object.keys(out.model_spec!), ['name', 'flavor']);
  }
  const ds = JSON.parse(EXPORTERS['torchtitan-json'].run(parseDocument(example('deepseek-v3.train.yaml')).value).text);
  // 15,360 sequences of 4,096 tokens per step, one sequence per micro-batch, 120 micro-batches per DP rank (DP 128).
  assert.equal(ds.training.num_tokens_per_train_step, 15360 * 4096);
  assert.equal(ds.training.num_tokens_per_microbatch_per_dp_rank, 4096);
  assert.equal(ds.parallelism.num_pp_microbatches, 120);
  assert.deepEqual(ds.model_spec, { name: 'deepseek_v3', flavor: '671B' });
  assert.equal(ds.activation_checkpoint.force_recompute_mm_shapes_by_fqns[0], 'moe.router.gate', 'SelectiveAC.Config');
  const paths = EXPORTERS['torchtitan-json'].run(parseDocument(example('deepseek-v3.train.yaml')).value).warnings.map((w) => w.path);
  for (const p of ['precision.compute', 'model.mtp_depth', 'parallelism.zero_stage', 'parallelism.schedule']) assert.ok(paths.includes(p), p);
});

test('the torchtitan Python recipe passes the JSON form\'s values, with FP8 and MTP as model_registry arguments', () => {
  for (const name of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.train.yaml'))) {
    const x = parseDocument(example(name)).value;
    const json = JSON.parse(EXPORTERS['torchtitan-json'].run(x).text) as Record<string, Record<string, unknown>>;
    const python = EXPORTERS['torchtitan-python'].run(x);
    for (const section of ['training', 'parallelism'] as const) {
      const call = new RegExp(`${section}=${section === 'training' ? 'TrainingConfig' : 'ParallelismConfig'}\\(\\n([^)]*)\\n {8}\\)`).exec(python.text);
      assert.ok(call, `${name}: ${section}=…Config(…)`);
      const kwargs = Object.fromEntries(call[1].split('\n').map((l) => /^ +(\w+)=(.*),$/.exec(l)!).map((m) => [m[1], JSON.parse(m[2].replace(/^True$/, 'true').replace(/^False$/, 'false').replace(/^None$/, 'null'))]));
      assert.deepEqual(kwargs, json[section], `${name}: ${section}`);
    }
    assert.match(python.text, new RegExp(`model_registry\\(\\n? *"${json.model_spec.flavor}"`), name);
    for (const w of python.warnings) assert.ok(python.text.includes(`WARN ${w.path}:`), w.path);
  }
  const ds = EXPORTERS['torchtitan-python'].run(parseDocument(example('deepseek-v3.train.yaml')).value).text;
  assert.match(ds, /^from torchtitan\.models\.deepseek_v3 import model_registry$/m);
  assert.match(ds, /num_mtp_layers=1,/);
  assert.match(ds, /Float8LinearConverter\.Config\(recipe_name="rowwise", filter_fqns=\["lm_head", "router\.gate"/);
  assert.match(ds, /activation_checkpoint=SelectiveAC\.Config\(\),/);
  assert.match(ds, /^def deepseek_v3_pre_training\(\) -> Trainer\.Config:$/m);
});

test('per-GEMM TP-overlap SM margins have no flag in any target: each export warns that it drops them', () => {
  const x = parseDocument(example('llama3-405b.train.yaml').replace(/^parallelism:\n/m, 'parallelism:\n  tp_comm_overlap: true\n  tp_comm_sm_margin: { proj_fprop: 24, fc2_fprop: 8, qkv_dgrad: 0, qkv_wgrad: 0, fc1_dgrad: 0, fc1_wgrad: 0 }\n')).value;
  for (const target of (Object.keys(EXPORTERS) as ExportTarget[]).filter((t) => EXPECTED_FORMAT[t] !== undefined)) {
    const out = EXPORTERS[target].run(x);
    const paths = out.warnings.filter((w) => w.kind === 'dropped').map((w) => w.path);
    assert.ok(paths.some((p) => p.startsWith('parallelism.tp_comm_sm_margin')), `${target}: ${paths.join(', ')}`);
  }
});

test('cross_entropy_loss_fusion travels as --cross-entropy-loss-fusion and NeMo cross_entropy_loss_fusion; torchtitan warns', () => {
  const x = parseDocument(example('llama3-405b.train.yaml')).value;
  assert.equal((x as { training: Record<string, unknown> }).training.cross_entropy_loss_fusion, true, 'the example sets it');
  for (const target of ['megatron', 'nemo'] as const) {
    const out = EXPORTERS[target].run(x);
    const doc = detectImportFormat(out.text, `out.${target}`)!.parse(out.text);
    const training = (combine([{ file: 'out', doc }]).value as { training: Record<string, unknown> }).training;
    assert.equal(training.cross_entropy_loss_fusion, true, target);
  }
  assert.ok(EXPORTERS.torchtitan.run(x).warnings.some((w) => w.path === 'training.cross_entropy_loss_fusion'));
  // Unfused is said explicitly to NeMo, whose own default is fused.
  const unfused = parseDocument(example('llama3-405b.train.yaml').replace(/cross_entropy_loss_fusion: true/, 'cross_entropy_loss_fusion: false')).value;
  assert.match(EXPORTERS.nemo.run(unfused).text, /cross_entropy_loss_fusion: false/);
});
