/** Each front end on fixtures written for the tests: the values, where each came from, and practitioners' mistakes. */
import { resolveConfig } from '../../language/resolve';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath } from '../../language/formats/source';
import { detectImportFormat } from '../../language/formats/frontEnds';
import { codesOf, fixture, parseFixture, textAt } from './helpers';

test('every fixture is recognised as its own format', () => {
  const expected: Record<string, string> = {
    'megatron-uneven-pp.sh': 'megatron',
    'megatron-deepseek.sh': 'megatron',
    'megatron-functional-test.yaml': 'megatron',
    'megatron-recipe.yaml': 'megatron',
    'megatron-args.log': 'megatron',
    'hf-llama-kv4.json': 'hf',
    'hf-mixtral.json': 'hf',
    'hf-qwen3-moe.json': 'hf',
    'hf-deepseek-v3.json': 'hf',
    'torchtitan-llama3-8b.toml': 'torchtitan',
    'torchtitan-gbs-below-dp.toml': 'torchtitan',
    'torchtitan-dump.json': 'torchtitan',
    'nemo-gpt.yaml': 'nemo',
    'bridge-run-config.yaml': 'nemo',
    'deepspeed-auto.json': 'deepspeed',
    'deepspeed-mismatch.json': 'deepspeed',
  };
  for (const [name, format] of Object.entries(expected)) assert.equal(detectImportFormat(fixture(name), name)?.format, format, name);
  assert.equal(detectImportFormat('model:\n  layers: 61\n', 'x.train.yaml'), undefined, 'our own YAML is not taken for another format');
});

test('a launch script: flags from arrays and strings, variables expanded, every value pointing at its own text', () => {
  const doc = parseFixture('megatron-deepseek.sh');
  const v = doc.value as Record<string, unknown>;
  assert.equal(getPath(v, 'model.layers'), 61);
  assert.equal(textAt(doc, 'model.layers', 'key'), '--num-layers');
  assert.equal(textAt(doc, 'model.layers', 'value'), '61', 'the value of ${NUM_LAYERS} is where NUM_LAYERS is set');
  assert.equal(getPath(v, 'parallelism.pipeline'), 16);
  assert.equal(getPath(v, 'model.moe.dense_layers'), 3);
  assert.equal(getPath(v, 'model.moe.shared_experts'), 1);
  assert.equal(getPath(v, 'model.attention.type'), 'mla');
  assert.equal(getPath(v, 'training.tokens'), 3613281250 * 4096);
  assert.equal(getPath(v, 'precision.fp8.scaling'), 'blockwise');
  assert.equal(getPath(v, 'precision.optimizer_states'), 'bf16');
  assert.equal(getPath(v, 'parallelism.virtual_stages'), 2, '32 stages in the layout over PP 16');
  // #SBATCH gives the cluster; torchrun's ${SLURM_NNODES} cannot, and does not override it.
  assert.equal(getPath(v, 'cluster.nodes'), 256);
  assert.equal(getPath(v, 'cluster.gpus_per_node'), 8);
  assert.equal(getPath(v, 'cluster.gpu'), 'h800', 'from the # tcs: comment');
  // The router groups are read as written; groups = EP 64 / 8 GPUs per node, so they resolve to a node limit of 4.
  assert.equal(getPath(v, 'model.moe.router_groups'), 8);
  assert.equal(getPath(v, 'model.moe.router_group_topk'), 4);
  assert.equal(doc.positionAt(doc.origins.get('model.moe.router_group_topk')!.keyStart).line + 1, 26);
  assert.equal(resolveConfig(v).model.moe?.maxNodesPerToken, 4);
  // The here-document's text is not an argument, and the layout's uneven split is reported, not dropped.
  assert.ok(!doc.diagnostics.some((d) => d.code === 'megatron/duplicate-flag'));
  assert.ok(doc.diagnostics.some((d) => d.code === 'formats/unrepresented' && d.message.includes('pipeline layout')));
  assert.deepEqual(getPath(v, 'training.recompute_modules'), ['mla_up_proj', 'layernorm']);
  assert.ok(!doc.diagnostics.some((d) => d.code === 'formats/unrepresented' && d.message.includes('--recompute-modules')));
  assert.deepEqual(codesOf(doc, 'error'), []);
});

test('an in-place edit writes the flag\'s new value where it is written', () => {
  const doc = parseFixture('megatron-uneven-pp.sh');
  const [edit] = doc.edits.setValue('parallelism.pipeline', 5)!;
  assert.equal(doc.text.slice(doc.offsetAt(edit.range.start), doc.offsetAt(edit.range.end)), '4');
  assert.equal(edit.newText, '5');
  assert.equal(doc.edits.setValue('training.tokens', 1e12), undefined, 'a derived value has no single place to write');
  assert.equal(doc.pathAt(doc.nodes.get('parallelism.pipeline')!.key!.start)?.path, 'parallelism.pipeline');
});

test('mistake: layers that do not divide over PP without a layout is an error on the pipeline flag', () => {
  const doc = parseFixture('megatron-uneven-pp.sh');
  const d = doc.diagnostics.find((x) => x.code === 'megatron/layers-not-divisible')!;
  assert.equal(d.severity, 'error');
  assert.equal(d.range.start.line + 1, 20);
  assert.equal(getPath(doc.value, 'cluster.nodes'), 4);
  assert.equal(getPath(doc.value, 'parallelism.tensor'), 2, '$TP expanded');
});

test('functional-test YAML, recipe YAML and the start-up dump read the same flags', () => {
  const ft = parseFixture('megatron-functional-test.yaml');
  assert.equal(getPath(ft.value, 'parallelism.virtual_stages'), 3);
  assert.equal(getPath(ft.value, 'training.recompute'), 'full');
  assert.equal(getPath(ft.value, 'precision.compute'), 'bf16', '--fp16: false is absent');
  assert.equal(textAt(ft, 'model.layers', 'key'), '--num-layers');
  assert.equal(ft.edits.setValue('model.layers', 24)?.[0].newText, '24');
  const recipe = parseFixture('megatron-recipe.yaml');
  assert.equal(getPath(recipe.value, 'parallelism.virtual_stages'), 2, '32 layers / PP 4 / 4 per virtual stage');
  assert.equal(getPath(recipe.value, 'model.moe.routed_experts'), 8);
  assert.equal(getPath(recipe.value, 'model.tied_embeddings'), true, 'Megatron ties embeddings unless told not to');
  const dump = parseFixture('megatron-args.log');
  assert.equal(getPath(dump.value, 'model.attention.type'), 'mha');
  assert.equal(getPath(dump.value, 'training.tokens'), 10000 * 256 * 2048);
  assert.equal(getPath(dump.value, 'model.tied_embeddings'), false);
  assert.ok(!codesOf(dump).includes('megatron/query-groups-ignored'), 'the dump prints num_query_groups even without GQA');
});

test('Hugging Face config.json for Llama, Mixtral, Qwen3-MoE and DeepSeek-V3', () => {
  const mixtral = parseFixture('hf-mixtral.json');
  assert.equal(getPath(mixtral.value, 'model.moe.expert_hidden_size'), 14336, "Mixtral's intermediate_size is the experts'");
  assert.equal(getPath(mixtral.value, 'model.attention.kv_heads'), 8);
  const qwen = parseFixture('hf-qwen3-moe.json');
  assert.equal(getPath(qwen.value, 'model.attention.head_dim'), 128, 'Qwen3 head_dim is not hidden / heads');
  assert.equal(getPath(qwen.value, 'model.moe.dense_layers'), 0);
  const ds = parseFixture('hf-deepseek-v3.json');
  assert.equal(getPath(ds.value, 'model.attention.type'), 'mla');
  assert.equal(getPath(ds.value, 'model.attention.kv_heads'), undefined, 'MLA configs repeat the head count as KV heads: ignored');
  assert.equal(getPath(ds.value, 'model.moe.dense_layers'), 3);
  assert.equal(getPath(ds.value, 'model.mtp_depth'), 1);
  assert.equal(textAt(ds, 'model.vocab_size', 'key'), '"vocab_size"');
  assert.equal(getPath(ds.value, 'model.moe.router_groups'), 8, 'n_group');
  assert.equal(getPath(ds.value, 'model.moe.router_group_topk'), 4, 'topk_group');
  assert.equal(getPath(ds.value, 'model.moe.max_nodes_per_token'), undefined, 'a node limit only once the EP layout is known');
});

test('torchtitan TOML: the model from its flavor, batches, FP8 converters and FSDP', () => {
  const doc = parseFixture('torchtitan-llama3-8b.toml');
  assert.equal(getPath(doc.value, 'model.ffn_hidden_size'), 14336);
  assert.equal(getPath(doc.value, 'model.vocab_size'), 128256);
  assert.equal(getPath(doc.value, 'training.micro_batch_size'), 4, 'PP 1: the local batch is the micro-batch');
  assert.equal(getPath(doc.value, 'training.tokens'), 1000 * 512 * 8192);
  assert.equal(getPath(doc.value, 'precision.fp8.scaling'), 'tensorwise');
  assert.equal(getPath(doc.value, 'parallelism.zero_stage'), 3);
  assert.equal(textAt(doc, 'training.sequence_length', 'value'), '8192');
  assert.equal(doc.edits.setValue('training.sequence_length', 4096)?.[0].newText, '4096');
  const dump = parseFixture('torchtitan-dump.json');
  assert.equal(getPath(dump.value, 'parallelism.schedule'), 'interleaved-1f1b');
  assert.equal(getPath(dump.value, 'parallelism.virtual_stages'), 2, 'a multi-stage schedule without layers per stage: 2 per rank');
  assert.equal(getPath(dump.value, 'precision.optimizer_states'), 'bf16');
});

test('NeMo YAML: interpolations resolved, the cluster read, and two sequence lengths that disagree', () => {
  const doc = parseFixture('nemo-gpt.yaml');
  assert.equal(getPath(doc.value, 'model.ffn_hidden_size'), 4 * 5120, '${multiply:4, ${.hidden_size}}');
  assert.equal(getPath(doc.value, 'cluster.nodes'), 16);
  assert.equal(getPath(doc.value, 'precision.fp8.format'), 'hybrid');
  assert.equal(getPath(doc.value, 'training.sequence_length'), 4096);
  const d = doc.diagnostics.find((x) => x.code === 'formats/seq-length-disagrees')!;
  assert.equal(d.range.start.line + 1, 28);
  assert.equal(doc.edits.setValue('model.ffn_hidden_size', 1), undefined, 'an interpolated value is not edited in place');
  const bridge = parseFixture('bridge-run-config.yaml');
  assert.equal(getPath(bridge.value, 'precision.fp8.scaling'), 'tensorwise', 'bf16_with_fp8_current_scaling_mixed');
  assert.equal(getPath(bridge.value, 'parallelism.context'), 2);
  assert.equal(getPath(bridge.value, 'training.tokens'), 1168251 * 128 * 8192);
  assert.equal(getPath(bridge.value, 'training.cross_entropy_loss_fusion'), true, "Bridge's default, the file being silent");
  const unfused = fixture('bridge-run-config.yaml').replace('model:\n', 'model:\n  cross_entropy_loss_fusion: false\n');
  const said = detectImportFormat(unfused, 'run_config.yaml')!.parse(unfused, { fileName: 'run_config.yaml' });
  assert.notEqual(getPath(said.value, 'training.cross_entropy_loss_fusion'), true, 'the file says false');
});

test('NeMo YAML: only the DDP section\'s bucket_size is the DDP bucket', () => {
  const base = fixture('bridge-run-config.yaml');
  const parse = (text: string) => detectImportFormat(text, 'run_config.yaml')!.parse(text, { fileName: 'run_config.yaml' });
  const ddp = parse(base.replace('ddp:\n', 'ddp:\n  bucket_size: 25000000\n'));
  assert.equal(getPath(ddp.value, 'parallelism.ddp_bucket_size'), 25000000);
  const elsewhere = parse(base.replace('dataset:\n', 'dataset:\n  bucket_size: 7\n'));
  assert.equal(getPath(elsewhere.value, 'parallelism.ddp_bucket_size'), undefined, 'a dataset setting of the same name');
});

test('DeepSpeed JSON: "auto" is unknown, and a batch that is not micro × accumulation × DP is an error', () => {
  const auto = parseFixture('deepspeed-auto.json');
  assert.equal(getPath(auto.value, 'training.global_batch_size'), undefined);
  assert.equal(getPath(auto.value, 'parallelism.zero_stage'), 3);
  assert.equal(codesOf(auto).filter((c) => c === 'formats/auto').length, 3);
  const bad = parseFixture('deepspeed-mismatch.json');
  assert.deepEqual(codesOf(bad, 'error'), ['deepspeed/batch-mismatch']);
});
