/**
 * DeepSpeed `ds_config*.json` → batch sizes, ZeRO stage and precision (deepspeed/runtime/config.py key names).
 * The model lives in code, so a DeepSpeed config is imported with a launch script or config.json beside it.
 * `"auto"` values (filled in by the HF Trainer at run time) are reported as unknown.
 */
import { readJson } from './keyed';
import { Collector, refuse, sourceDocument, textIndex, type ImportedDocument } from './source';
import type { FrontEnd, ParseOptions } from './types';

function detect(text: string): boolean {
  if (!/^\s*\{/.test(text)) return false;
  const head = text.slice(0, 100_000);
  return /"(train_batch_size|train_micro_batch_size_per_gpu|zero_optimization|gradient_accumulation_steps)"\s*:/.test(head);
}

export function parseDeepSpeed(text: string, options: ParseOptions = {}): ImportedDocument {
  const index = textIndex(text);
  const c = new Collector(text, index);
  const refused = refuse(text, index, 'JSON');
  if (refused) return sourceDocument('deepspeed', text, c, [refused]);
  const { value, k } = readJson(text, c);
  if (value === undefined) return sourceDocument('deepspeed', text, c);
  const gbs = k.copyInt('training.global_batch_size', 'train_batch_size');
  const mbs = k.copyInt('training.micro_batch_size', 'train_micro_batch_size_per_gpu');
  const gas = k.int('gradient_accumulation_steps');
  if (gbs !== undefined && mbs !== undefined && gas !== undefined) {
    // DeepSpeed asserts train_batch_size = micro × accumulation × data-parallel size.
    const dp = gbs / (mbs * gas);
    if (Number.isInteger(dp) && dp >= 1) k.copy('parallelism.data', 'train_batch_size', () => dp, `train_batch_size ÷ (train_micro_batch_size_per_gpu × gradient_accumulation_steps) = ${gbs} ÷ (${mbs} × ${gas})`);
    else {
      const o = k.origin('train_batch_size');
      c.report('error', 'deepspeed/batch-mismatch', `train_batch_size ${gbs} is not micro-batch ${mbs} × accumulation ${gas} × a whole data-parallel size; DeepSpeed refuses this.`, { start: o.valueStart, end: o.valueEnd }, 'training.global_batch_size');
    }
  }
  const stage = k.int('zero_optimization.stage');
  if (stage !== undefined) {
    if (stage >= 0 && stage <= 3) k.copyInt('parallelism.zero_stage', 'zero_optimization.stage');
    else c.report('error', 'deepspeed/bad-choice', `zero_optimization.stage must be 0–3, not ${stage}.`, span(k.origin('zero_optimization.stage')), 'parallelism.zero_stage');
  }
  // MiCS shards the ZeRO state inside groups of mics_shard_size and replicates across them (hybrid sharding);
  // ZeRO++ hpZ (zero_hpz_partition_size) keeps only a secondary copy of the weights per group, which the config lacks.
  if (typeof k.get('zero_optimization.mics_shard_size') === 'number' && (k.get('zero_optimization.mics_shard_size') as number) > 0) k.copyInt('parallelism.data_shard', 'zero_optimization.mics_shard_size');
  if (k.has('zero_optimization.zero_hpz_partition_size') && k.get('zero_optimization.zero_hpz_partition_size') !== 1) {
    c.report('info', 'formats/unrepresented', '`zero_hpz_partition_size` (ZeRO++ hierarchical weight partition: a secondary weight shard per group) has no key in the config; it is not simulated.', span(k.origin('zero_optimization.zero_hpz_partition_size')), 'parallelism.data_shard');
  }
  const on = (p: string) => k.get(p) === true || k.get(p) === 'auto';
  if (on('bf16.enabled')) k.copy('precision.compute', 'bf16.enabled', () => 'bf16', 'bf16.enabled');
  else if (on('fp16.enabled')) {
    k.copy('precision.compute', 'fp16.enabled', () => 'bf16', 'fp16.enabled read as bf16 (same GEMM cost)');
    c.report('warning', 'formats/unrepresented', '`fp16.enabled` is read as bf16: the config models BF16 and FP8 only (the cost per GEMM is the same).', span(k.origin('fp16.enabled')), 'precision.compute');
  }
  for (const p of ['bf16.enabled', 'fp16.enabled']) if (k.get(p) === 'auto') c.report('info', 'formats/auto', `\`${p}\` is "auto": the HF Trainer decides at run time; read as enabled.`, span(k.origin(p)), 'precision.compute');
  if (k.get('bf16.bf16_master_weights_and_grads') === true) {
    k.copy('precision.master_weights', 'bf16.bf16_master_weights_and_grads', () => 'bf16', 'bf16_master_weights_and_grads');
    k.copy('precision.gradients', 'bf16.bf16_master_weights_and_grads', () => 'bf16', 'bf16_master_weights_and_grads');
  }
  if (k.get('bf16.bf16_optimizer_states') === true) k.copy('precision.optimizer_states', 'bf16.bf16_optimizer_states', () => 'bf16', 'bf16_optimizer_states');
  const accum = k.get('data_types.grad_accum_dtype');
  if (accum === 'bf16' || accum === 'fp32') k.copy('precision.gradients', 'data_types.grad_accum_dtype', (v) => v);
  if (k.has('tensor_parallel.autotp_size')) k.copyInt('parallelism.tensor', 'tensor_parallel.autotp_size');
  if (k.has('activation_checkpointing')) {
    c.report('info', 'formats/unrepresented', '`activation_checkpointing` sets how checkpoints are partitioned; whether layers are checkpointed is decided in the model code, so `training.recompute` is not read from it.', span(k.origin('activation_checkpointing')), 'training.recompute');
  }
  c.fillDefaults(options.defaults);
  return sourceDocument('deepspeed', text, c);
}

const span = (o: { keyStart: number; keyEnd: number }) => ({ start: o.keyStart, end: o.keyEnd });

export const deepspeedFrontEnd: FrontEnd = { format: 'deepspeed', label: 'DeepSpeed JSON', detect: (text) => detect(text), parse: parseDeepSpeed };
