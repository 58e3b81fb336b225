/**
 * torchtitan configs: the TOML of v0.2.x (torchtitan/config/job_config.py) and the JSON a resolved config is dumped
 * to (`--debug.save_config_file`): v0.2.x's has the TOML's sections; main's (`Trainer.Config.to_dict()`,
 * pytorch/torchtitan@b5bcd76 torchtitan/trainer.py) names the model under `model_spec`, counts batches in tokens
 * (`training.max_context_length`, `num_tokens_per_*`) and gives the checkpointing policy's Config or null. A
 * `tcs` key (written by `tcs export --to torchtitan-json`) carries the name and the cluster. The model shape is not in the file: `[model] name` + `flavor`
 * select one of torchtitan's built-in flavors (torchtitanFlavors.ts); an unknown flavor leaves the shape to a
 * paired config.json.
 */
import { readDirectives } from './directives';
import { keyed, readJson, type Keyed } from './keyed';
import { Collector, isTrainingConfigName, refuse, sourceDocument, textIndex, type ImportedDocument } from './source';
import { parseToml, tomlValue } from './toml';
import { flavorOf, MULTI_STAGE, TT_SCHEDULES } from './torchtitanFlavors';
import type { FrontEnd, ParseOptions } from './types';

function detect(text: string, fileName?: string): boolean {
  if (isTrainingConfigName(fileName)) return false;
  const head = text.slice(0, 100_000);
  if (/^\s*\{/.test(head)) return /"parallelism"\s*:/.test(head) && /"(data_parallel_shard_degree|tensor_parallel_degree)"\s*:/.test(head);
  const toml = /\.toml$/i.test(fileName ?? '') || /^\[(job|model|training|parallelism)\]\s*$/m.test(head);
  return toml && /^\s*\[(model|training|parallelism|activation_checkpoint)\]/m.test(head) && /^\s*(flavor|seq_len|local_batch_size|tensor_parallel_degree|data_parallel_shard_degree)\s*=/m.test(head);
}

const span = (o: { keyStart: number; keyEnd: number }) => ({ start: o.keyStart, end: o.keyEnd });

function readConfig(k: Keyed, c: Collector, json: boolean): void {
  // torchtitan main's dump (Trainer.Config.to_dict()) names the model under model_spec; v0.2.x under [model].
  const spec = json && !k.has('model.name') && k.has('model_spec.name') ? 'model_spec' : 'model';
  const name = k.get(`${spec}.name`);
  const flavorName = k.get(`${spec}.flavor`);
  const flavor = typeof name === 'string' && typeof flavorName === 'string' ? flavorOf(name, flavorName) : undefined;
  const inline = json ? k.get('model.n_layers') ?? k.get('model_spec.model.n_layers') : undefined;
  if (flavor) {
    const o = k.origin(`${spec}.flavor`, `torchtitan flavor ${name}/${flavorName}`);
    const put = (path: string, v: unknown) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of Object.entries(v)) put(`${path}.${kk}`, vv);
      else c.set(path, v, o);
    };
    put('model', flavor.model);
  } else if (inline === undefined && (name !== undefined || flavorName !== undefined)) {
    c.report('warning', 'torchtitan/unknown-flavor', `torchtitan's model shape is in code; \`${String(name)}\` flavor \`${String(flavorName)}\` is not in the built-in table (llama3 8B/70B/405B, deepseek_v3 16B/236B/671B). Import the model's config.json with this file.`, span(k.origin(flavorName !== undefined ? `${spec}.flavor` : `${spec}.name`)), 'model');
  }
  if (json) readModelArgs(k);

  const main = json && k.has('training.max_context_length');
  const seq = k.copyInt('training.sequence_length', main ? 'training.max_context_length' : 'training.seq_len');
  const pp = k.int('parallelism.pipeline_parallel_degree') ?? 1;
  const local = k.int('training.local_batch_size') ?? k.int('training.batch_size');
  let gbs = k.int('training.global_batch_size');
  const shard = k.int('parallelism.data_parallel_shard_degree') ?? -1;
  const replicate = k.int('parallelism.data_parallel_replicate_degree') ?? 1;
  const dp = shard > 0 ? shard * replicate : undefined;
  if (main) gbs = readTokenBatches(k, c, seq, dp);
  else if (gbs !== undefined && gbs > 0) c.set('training.global_batch_size', gbs, k.origin('training.global_batch_size'));
  else if (local !== undefined && dp !== undefined) {
    gbs = local * dp;
    c.set('training.global_batch_size', gbs, k.origin('training.local_batch_size', `local_batch_size × DP (${local} × ${dp})`));
  } else if (local !== undefined) {
    gbs = undefined;
    c.report('info', 'torchtitan/batch-from-world', 'global_batch_size is -1: torchtitan uses local_batch_size × the data-parallel size, which follows from the GPU count; give `global_batch_size` or the cluster (`# tcs: cluster.nodes=N`).', span(k.origin('training.local_batch_size')), 'training.global_batch_size');
  }
  if (main) {
    // batches were read as token counts above
  } else if (pp > 1) {
    if (k.has('parallelism.pipeline_parallel_microbatch_size')) k.copyInt('training.micro_batch_size', 'parallelism.pipeline_parallel_microbatch_size');
    else c.set('training.micro_batch_size', 1, { ...k.origin('parallelism.pipeline_parallel_degree', 'no pipeline_parallel_microbatch_size: torchtitan\'s default 1') });
  } else if (local !== undefined) k.copyInt('training.micro_batch_size', k.has('training.local_batch_size') ? 'training.local_batch_size' : 'training.batch_size');
  const steps = k.int('training.steps');
  if (steps !== undefined && gbs !== undefined && seq !== undefined) c.set('training.tokens', steps * gbs * seq, k.origin('training.steps', `steps × global batch × seq_len (${steps} × ${gbs} × ${seq})`));
  if (main) readCheckpointPolicy(k, c);
  const mode = k.get('activation_checkpoint.mode');
  if (mode === 'none' || mode === 'selective' || mode === 'full') k.copy('training.recompute', 'activation_checkpoint.mode', (v) => v);
  else if (mode !== undefined) c.report('error', 'torchtitan/bad-choice', `activation_checkpoint.mode must be none, selective or full, not ${JSON.stringify(mode)}.`, span(k.origin('activation_checkpoint.mode')), 'training.recompute');
  const option = k.get('activation_checkpoint.selective_ac_option');
  if (mode === 'selective' && option !== undefined && option !== 'op') {
    c.report('info', 'formats/unrepresented', `selective_ac_option ${JSON.stringify(option)} checkpoints every ${String(option)}-th layer in full; the config reads it as selective recompute.`, span(k.origin('activation_checkpoint.selective_ac_option')), 'training.recompute');
  }

  // Precision: converters name the FP8 path (quantize.linear.float8 / float8, or MX).
  const converters = (k.get('model.converters') as unknown[] | undefined) ?? [];
  const list = Array.isArray(converters) ? converters.map(String) : [];
  const float8 = list.some((x) => x === 'float8' || x === 'quantize.linear.float8');
  const mx = list.some((x) => x === 'mx' || x === 'quantize.linear.mx');
  const moe = c.has('model.moe');
  if (float8 || mx) {
    k.copy('precision.compute', 'model.converters', () => 'fp8', mx ? 'an MX converter' : 'a float8 converter');
    k.copy('precision.fp8.format', 'model.converters', () => (mx ? 'e4m3' : 'hybrid'), mx ? 'MXFP8: e4m3 with block scales' : 'torchao float8: e4m3 forward, e5m2 gradients');
    const section = mx ? 'quantize.linear.mx' : k.has('quantize.linear.float8') ? 'quantize.linear.float8' : 'float8';
    const recipe = k.get(`${section}.recipe_name`);
    if (mx) k.copy('precision.fp8.scaling', 'model.converters', () => 'mxfp8', 'an MX converter');
    else if (recipe === undefined || recipe === 'tensorwise') k.copy('precision.fp8.scaling', recipe === undefined ? 'model.converters' : `${section}.recipe_name`, () => 'tensorwise', recipe === undefined ? 'torchao\'s default tensorwise' : undefined);
    else {
      k.copy('precision.fp8.scaling', `${section}.recipe_name`, () => 'blockwise', `${String(recipe)} read as blockwise (the nearest fine-grained scaling)`);
      c.report('warning', 'formats/unrepresented', `recipe_name ${JSON.stringify(recipe)} (row-wise scaling) has no value in the config; it is read as blockwise, the nearest fine-grained scaling.`, span(k.origin(`${section}.recipe_name`)), 'precision.fp8.scaling');
    }
    const filter = k.get(`${section}.filter_fqns`);
    const fqns = Array.isArray(filter) ? filter.map(String) : [];
    const high = ['embedding', 'norm'];
    if (fqns.includes('output') || fqns.includes('lm_head')) high.push('output_head');
    if (!moe || fqns.some((f) => f.includes('router'))) high.push('router');
    if (fqns.some((f) => f === 'attention' || /^w[qkvo]$/.test(f))) high.push('attention');
    if (moe && !list.some((x) => /grouped_mm/.test(x))) high.push('experts');
    const order = ['embedding', 'output_head', 'router', 'norm', 'attention', 'mlp', 'experts'];
    k.copy('precision.fp8.high_precision', filter !== undefined ? `${section}.filter_fqns` : 'model.converters', () => order.filter((m) => high.includes(m)), 'filter_fqns; embeddings and norms are never converted');
  } else k.copy('precision.compute', 'model.name', () => 'bf16', 'no float8 converter: bfloat16 mixed precision');
  const param = k.get('training.mixed_precision_param');
  if (param === 'float32') c.report('warning', 'formats/unrepresented', 'mixed_precision_param float32 trains in FP32, which the config does not model; bf16 is assumed.', span(k.origin('training.mixed_precision_param')), 'precision.compute');
  if (k.get('training.dtype') === 'bfloat16') {
    for (const p of ['precision.master_weights', 'precision.optimizer_states', 'precision.gradients']) k.copy(p, 'training.dtype', () => 'bf16', 'training.dtype bfloat16: weights, optimizer states and gradients in BF16');
  }

  // Parallelism.
  k.copyInt('parallelism.tensor', 'parallelism.tensor_parallel_degree');
  // torchtitan's tensor-parallel plan shards the norms along the sequence (SequenceParallel in parallelize.py).
  if ((k.int('parallelism.tensor_parallel_degree') ?? 1) > 1) k.copy('parallelism.sequence_parallel', 'parallelism.tensor_parallel_degree', () => true, 'torchtitan\'s TP plan shards norms along the sequence');
  k.copyInt('parallelism.pipeline', 'parallelism.pipeline_parallel_degree');
  k.copyInt('parallelism.context', 'parallelism.context_parallel_degree');
  k.copyInt('parallelism.expert', 'parallelism.expert_parallel_degree');
  k.copyInt('parallelism.expert_tensor', 'parallelism.expert_tensor_parallel_degree');
  if (dp !== undefined) c.set('parallelism.data', dp, k.origin(k.has('parallelism.data_parallel_shard_degree') ? 'parallelism.data_parallel_shard_degree' : 'parallelism.data_parallel_replicate_degree', `replicate × shard (${replicate} × ${shard})`));
  const reshard = k.get('parallelism.fsdp_reshard_after_forward');
  if (shard === 1) k.copy('parallelism.zero_stage', k.has('parallelism.data_parallel_shard_degree') ? 'parallelism.data_parallel_shard_degree' : 'parallelism.data_parallel_replicate_degree', () => 0, 'data_parallel_shard_degree 1: plain data parallelism');
  else {
    const source = k.has('parallelism.data_parallel_shard_degree') ? 'parallelism.data_parallel_shard_degree' : 'training.seq_len';
    k.copy('parallelism.zero_stage', reshard === 'never' ? 'parallelism.fsdp_reshard_after_forward' : source, () => (reshard === 'never' ? 2 : 3), reshard === 'never' ? 'FSDP without resharding after forward: ZeRO-2' : 'FSDP2 shards parameters, gradients and optimizer states: ZeRO-3');
    if (replicate > 1 && shard > 1) c.set('parallelism.data_shard', shard, k.origin('parallelism.data_parallel_shard_degree'));
    else if (replicate > 1) c.report('info', 'formats/unrepresented', `data_parallel_replicate_degree ${replicate} with data_parallel_shard_degree -1 is HSDP whose shard size follows from the GPU count; give data_parallel_shard_degree to keep it.`, span(k.origin('parallelism.data_parallel_replicate_degree')), 'parallelism.data_shard');
  }
  const schedule = k.get('parallelism.pipeline_parallel_schedule');
  const key = typeof schedule === 'string' ? schedule.toLowerCase() : '1f1b';
  if (pp > 1) {
    if (key in TT_SCHEDULES) k.copy('parallelism.schedule', schedule === undefined ? 'parallelism.pipeline_parallel_degree' : 'parallelism.pipeline_parallel_schedule', () => TT_SCHEDULES[key], schedule === undefined ? 'torchtitan\'s default 1F1B' : `${String(schedule)}`);
    else c.report('warning', 'formats/unrepresented', `pipeline_parallel_schedule ${JSON.stringify(schedule)} has no equivalent in the config's schedules.`, span(k.origin('parallelism.pipeline_parallel_schedule')), 'parallelism.schedule');
    const layers = c.value.model && (c.value.model as Record<string, unknown>).layers;
    const perStage = k.int('parallelism.pipeline_parallel_layers_per_stage');
    const first = k.int('parallelism.pipeline_parallel_first_stage_less_layers') ?? 1;
    const last = k.int('parallelism.pipeline_parallel_last_stage_less_layers') ?? 1;
    if (perStage !== undefined && typeof layers === 'number') {
      const stages = Math.ceil((layers + first + last) / perStage);
      if (stages % pp === 0) c.set('parallelism.virtual_stages', stages / pp, k.origin('parallelism.pipeline_parallel_layers_per_stage', `⌈(layers + ${first} + ${last}) ÷ ${perStage}⌉ ÷ PP`));
      else c.report('error', 'torchtitan/stages', `${stages} stages (⌈(${layers} + ${first} + ${last}) ÷ ${perStage}⌉) do not divide over PP ${pp}; torchtitan refuses this.`, span(k.origin('parallelism.pipeline_parallel_layers_per_stage')), 'parallelism.virtual_stages');
    } else if (MULTI_STAGE.has(key)) c.set('parallelism.virtual_stages', 2, k.origin('parallelism.pipeline_parallel_schedule', 'a multi-stage schedule without layers_per_stage: 2 stages per rank'));
    else c.set('parallelism.virtual_stages', 1, k.origin('parallelism.pipeline_parallel_degree', 'a single-stage schedule: 1 stage per rank'));
  }
  // Async TP (torchtitan's micro-pipelined all-gather / reduce-scatter under the matmuls) is TP communication overlap.
  if (k.get('parallelism.enable_async_tensor_parallel') === true) k.copy('parallelism.tp_comm_overlap', 'parallelism.enable_async_tensor_parallel', (v) => v);
  if (k.get('parallelism.pipeline_parallel_expert_parallel_overlap') === true) k.copy('parallelism.overlap_expert_comm', 'parallelism.pipeline_parallel_expert_parallel_overlap', (v) => v);
}

/**
 * torchtitan main counts batches in tokens (torchtitan/config/configs.py TrainingConfig): the micro-batch is
 * num_tokens_per_microbatch_per_dp_rank ÷ sequence, the global batch num_tokens_per_train_step ÷ sequence (−1:
 * micro-batch × parallelism.num_pp_microbatches × DP). Returns the global batch in sequences.
 */
function readTokenBatches(k: Keyed, c: Collector, seq: number | undefined, dp: number | undefined): number | undefined {
  const perMicro = k.int('training.num_tokens_per_microbatch_per_dp_rank') ?? 16384;
  const perStep = k.int('training.num_tokens_per_train_step') ?? -1;
  if (seq === undefined || seq <= 0) return undefined;
  const whole = (n: number, what: string, path: string) => {
    if (Number.isInteger(n)) return true;
    c.report('warning', 'torchtitan/tokens', `${what} is not a whole number of ${seq}-token sequences.`, span(k.origin(path)), '');
    return false;
  };
  const mbs = perMicro / seq;
  const microPath = 'training.num_tokens_per_microbatch_per_dp_rank';
  if (whole(mbs, microPath, microPath)) c.set('training.micro_batch_size', mbs, k.origin(microPath, `${microPath} ÷ max_context_length (${perMicro} ÷ ${seq})`));
  if (perStep > 0) {
    if (!whole(perStep / seq, 'training.num_tokens_per_train_step', 'training.num_tokens_per_train_step')) return undefined;
    c.set('training.global_batch_size', perStep / seq, k.origin('training.num_tokens_per_train_step', `num_tokens_per_train_step ÷ max_context_length (${perStep} ÷ ${seq})`));
    return perStep / seq;
  }
  const m = k.int('parallelism.num_pp_microbatches') ?? 1;
  if (dp === undefined || !Number.isInteger(mbs)) return undefined;
  c.set('training.global_batch_size', mbs * m * dp, k.origin(microPath, `micro-batch × num_pp_microbatches × DP (${mbs} × ${m} × ${dp})`));
  return mbs * m * dp;
}

/** torchtitan main's activation_checkpoint is the policy's Config (SelectiveAC, FullAC, MemoryBudgetAC) or null. */
function readCheckpointPolicy(k: Keyed, c: Collector): void {
  const policy = k.get('activation_checkpoint');
  const path = 'activation_checkpoint';
  if (policy === null) c.set('training.recompute', 'none', k.origin(path, 'activation_checkpoint null: no checkpointing'));
  else if (k.has('activation_checkpoint.force_recompute_mm_shapes_by_fqns')) c.set('training.recompute', 'selective', k.origin(path, 'SelectiveAC.Config'));
  else if (k.has('activation_checkpoint.memory_budget')) {
    c.set('training.recompute', 'selective', k.origin(path, 'MemoryBudgetAC.Config read as selective'));
    c.report('info', 'formats/unrepresented', 'A memory-budget checkpointing policy has no value in the config; it is read as selective recompute.', span(k.origin(path)), 'training.recompute');
  } else if (policy !== undefined && !k.has('activation_checkpoint.mode')) c.set('training.recompute', 'full', k.origin(path, 'FullAC.Config'));
}

/** The tcs key of an exported JSON: what torchtitan has no field for (the name, the cluster). */
function readTcsKey(k: Keyed): void {
  if (typeof k.get('tcs.name') === 'string') k.copy('name', 'tcs.name', (v) => v);
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 4) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [key, x] of Object.entries(v)) walk(x, `${path}.${key}`, depth + 1);
    else if (v !== undefined) k.copy(path, `tcs.${path}`, (x) => x);
  };
  walk(k.get('tcs.cluster'), 'cluster', 0);
}

/** The JSON dump carries the model's arguments themselves (TransformerModelArgs field names). */
function readModelArgs(k: Keyed): void {
  const base = k.has('model_spec.model.n_layers') ? 'model_spec.model' : k.has('model.n_layers') ? 'model' : undefined;
  if (!base) return;
  k.copyInt('model.layers', `${base}.n_layers`);
  k.copyInt('model.hidden_size', `${base}.dim`);
  k.copyInt('model.vocab_size', `${base}.vocab_size`);
  k.copy('model.activation', `${base}.n_layers`, () => 'swiglu', 'torchtitan models use SwiGLU');
  const heads = k.copyInt('model.attention.heads', `${base}.n_heads`);
  const kv = k.int(`${base}.n_kv_heads`);
  if (k.has(`${base}.kv_lora_rank`)) {
    k.copy('model.attention.type', `${base}.kv_lora_rank`, () => 'mla', 'kv_lora_rank present');
    const q = k.int(`${base}.q_lora_rank`);
    if (q) k.copyInt('model.attention.q_lora_rank', `${base}.q_lora_rank`);
    for (const f of ['kv_lora_rank', 'qk_nope_head_dim', 'qk_rope_head_dim', 'v_head_dim']) k.copyInt(`model.attention.${f}`, `${base}.${f}`);
  } else if (heads !== undefined) {
    if (kv !== undefined && kv < heads) {
      k.copy('model.attention.type', `${base}.n_kv_heads`, () => 'gqa', 'n_kv_heads < n_heads');
      k.copyInt('model.attention.kv_heads', `${base}.n_kv_heads`);
    } else k.copy('model.attention.type', `${base}.n_heads`, () => 'mha', 'no fewer kv heads');
  }
  if (k.has(`${base}.inter_dim`)) k.copyInt('model.ffn_hidden_size', `${base}.inter_dim`);
  if (k.has(`${base}.moe_args.num_experts`)) {
    k.copyInt('model.moe.routed_experts', `${base}.moe_args.num_experts`);
    k.copyInt('model.moe.experts_per_token', `${base}.moe_args.top_k`);
    k.copyInt('model.moe.shared_experts', `${base}.moe_args.num_shared_experts`);
    k.copyInt('model.moe.expert_hidden_size', `${base}.moe_inter_dim`);
    k.copyInt('model.moe.dense_layers', `${base}.n_dense_layers`);
  }
}

export function parseTorchtitan(text: string, options: ParseOptions = {}): ImportedDocument {
  const index = textIndex(text);
  const c = new Collector(text, index);
  const refused = refuse(text, index, 'torchtitan configs');
  if (refused) return sourceDocument('torchtitan', text, c, [refused]);
  if (/^\s*\{/.test(text)) {
    const { value, k } = readJson(text, c);
    if (value !== undefined) {
      readConfig(k, c, true);
      readTcsKey(k);
    }
    c.fillDefaults(options.defaults);
    return sourceDocument('torchtitan', text, c);
  }
  const r = parseToml(text);
  if (r.error) c.report('error', 'toml/syntax', `This TOML cannot be read past here: ${r.error.message}.`, { start: r.error.at, end: r.error.at + 1 });
  const display = (p: string) => {
    const dot = p.lastIndexOf('.');
    return dot < 0 ? p : `[${p.slice(0, dot)}] ${p.slice(dot + 1)}`;
  };
  readConfig(keyed(c, r.value, (p) => r.spans.get(p), tomlValue, display), c, false);
  readDirectives(text, c);
  c.fillDefaults(options.defaults);
  return sourceDocument('torchtitan', text, c);
}

export const torchtitanFrontEnd: FrontEnd = { format: 'torchtitan', label: 'torchtitan TOML / JSON', detect, parse: parseTorchtitan };
