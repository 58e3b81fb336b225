/**
 * Config → a Megatron-Bridge override file: YAML in the shape of Bridge's ConfigContainer (`model:`, `train:`,
 * `dataset:`, `mixed_precision:`, `optimizer:`, `ddp:`), for `scripts/training/run_recipe.py --config-file`. Key names
 * from NVIDIA-NeMo/Megatron-Bridge scripts/translate_mlm_to_bridge.py (the official Megatron-LM ⇄ Bridge table).
 * Bridge runs Megatron-Core, so what Megatron-LM cannot express it cannot either (exportMegatron's warnings apply).
 */
import type { ResolvedConfig } from '../../simulator/config';
import { layerSplit } from '../../simulator/stages';
import { yamlScalar } from '../formats/yaml';
import { layerFreqText } from '../formats/layerSpec';
import { resolveConfig } from '../resolve';
import { directiveLine, obj, type ExportResult, type ExportWarning } from './common';
import { exportMegatron, megatronRecomputeModules } from './megatron';

export function exportNemo(value: unknown): ExportResult {
  const r: ResolvedConfig = resolveConfig(value);
  // Same limits as Megatron-LM (Bridge builds Megatron-Core models); its warnings are this target's.
  const { warnings, notes } = exportMegatron(value);
  const own: ExportWarning[] = [...warnings];
  const { model: m, training: t, precision: pr, parallelism: p } = r;
  const model: [string, unknown][] = [];
  const put = (k: string, v: unknown) => model.push([k, v]);
  put('num_layers', m.layers);
  put('hidden_size', m.hiddenSize);
  put('ffn_hidden_size', m.ffnHiddenSize);
  put('vocab_size', m.vocabSize);
  put('make_vocab_size_divisible_by', 1);
  put('num_attention_heads', m.attention.heads);
  if (m.attention.type === 'gqa') put('num_query_groups', m.attention.kvHeads);
  if (m.attention.type === 'mla') {
    put('multi_latent_attention', true);
    if (m.attention.qLoraRank !== undefined) put('q_lora_rank', m.attention.qLoraRank);
    put('kv_lora_rank', m.attention.kvLoraRank);
    put('qk_head_dim', m.attention.qkNopeHeadDim);
    put('qk_pos_emb_head_dim', m.attention.qkRopeHeadDim);
    put('v_head_dim', m.attention.vHeadDim);
  } else put('kv_channels', m.attention.headDim);
  if (m.activation === 'swiglu') put('gated_linear_unit', true);
  else if (m.activation === 'squared_relu') put('activation', 'squared-relu');
  else if (m.activation === 'geglu') put('quick_geglu', true);
  put('share_embeddings_and_output_weights', m.tiedEmbeddings);
  if (m.moe) {
    put('num_moe_experts', m.moe.routedExperts);
    put('moe_router_topk', m.moe.expertsPerToken);
    put('moe_ffn_hidden_size', m.moe.expertHiddenSize);
    if (m.moe.sharedExperts > 0) put('moe_shared_expert_intermediate_size', m.moe.sharedExperts * m.moe.expertHiddenSize);
    if (m.moe.denseLayers > 0) put('moe_layer_freq', layerFreqText(m.moe.denseLayers, m.layers));
    put('moe_grouped_gemm', true);
    put('moe_token_dispatcher_type', p.moeTokenDispatcher);
    if (m.moe.forceLoadBalancing) put('moe_router_force_load_balancing', true);
    if (m.moe.routerGroups !== undefined && m.moe.routerGroupTopk !== undefined) {
      put('moe_router_num_groups', m.moe.routerGroups);
      put('moe_router_group_topk', m.moe.routerGroupTopk);
    }
    if (pr.fp8?.highPrecision.includes('router')) put('moe_router_dtype', 'fp32');
  }
  if (m.mtpDepth > 0) put('mtp_num_layers', m.mtpDepth);
  put('seq_length', t.sequenceLength);
  if (t.recompute !== 'none') put('recompute_granularity', t.recompute);
  if (t.recompute === 'selective') {
    const modules = megatronRecomputeModules(r).written;
    if (modules.length > 0) put('recompute_modules', modules);
  }
  if (t.recompute === 'full') { put('recompute_method', t.recomputeMethod); put('recompute_num_layers', t.recomputeLayers); }
  put('tensor_model_parallel_size', p.tensor);
  put('pipeline_model_parallel_size', p.pipeline);
  const v = p.pipeline > 1 ? p.virtualStages : 1;
  const chunks = p.pipeline * v;
  if (p.firstStageLayers !== undefined || p.lastStageLayers !== undefined) {
    if (p.firstStageLayers !== undefined) put('num_layers_in_first_pipeline_stage', p.firstStageLayers);
    if (p.lastStageLayers !== undefined) put('num_layers_in_last_pipeline_stage', p.lastStageLayers);
    if (v > 1) put('virtual_pipeline_model_parallel_size', v);
  } else if (p.pipeline > 1 && m.layers % chunks !== 0) {
    const schedule = v > 1 ? 'interleaved-1f1b' : '1f1b';
    const layout = layerSplit({ ...r, parallelism: { ...p, schedule, virtualStages: v } });
    const text = exportMegatron(value).text.match(/--pipeline-model-parallel-layout "([^"]+)"/)?.[1];
    if (text && layout.layersPerStage.length === chunks) put('pipeline_model_parallel_layout', text);
  } else if (v > 1) put('virtual_pipeline_model_parallel_size', v);
  put('context_parallel_size', p.context);
  put('expert_model_parallel_size', p.expert);
  put('expert_tensor_parallel_size', p.expertTensor);
  put('sequence_parallel', p.sequenceParallel);
  if (p.tpCommOverlap) put('tp_comm_overlap', true);
  if (!p.overlapP2pComm) put('overlap_p2p_comm', false);
  if (t.attentionBackend !== 'auto') put('attention_backend', t.attentionBackend);
  // Written either way: NeMo 2 and Megatron-Bridge fuse the loss unless told not to, Megatron-Core's default is off.
  put('cross_entropy_loss_fusion', t.crossEntropyLossFusion);
  if (pr.fp8 && !pr.fp8.highPrecision.includes('attention')) put('fp8_dot_product_attention', true);
  if (pr.fp8?.scaling === 'mxfp8' && !pr.fp8.highPrecision.includes('output_head')) put('fp8_output_proj', true);

  const sections: [string, [string, unknown][]][] = [['model', model]];
  sections.push(['train', [['global_batch_size', t.globalBatchSize], ['micro_batch_size', t.microBatchSize], ['train_samples', Math.ceil(t.tokens / t.sequenceLength)]]]);
  sections.push(['dataset', [['seq_length', t.sequenceLength]]]);
  const mp: [string, unknown][] = [['bf16', true]];
  if (pr.compute === 'fp8' && pr.fp8) mp.push(['fp8', pr.fp8.format], ['fp8_recipe', pr.fp8.scaling]);
  sections.push(['mixed_precision', mp]);
  if (pr.masterWeights !== 'fp32' || pr.optimizerStates !== 'fp32' || pr.gradients !== 'fp32') {
    sections.push(['optimizer', [['use_precision_aware_optimizer', true], ['main_params_dtype', pr.masterWeights], ['main_grads_dtype', pr.gradients], ['exp_avg_dtype', pr.optimizerStates], ['exp_avg_sq_dtype', pr.optimizerStates]]]);
  }
  const ddp: [string, unknown][] = [['use_distributed_optimizer', p.zeroStage === 1]];
  if (p.zeroStage >= 2) ddp.push(['use_megatron_fsdp', true], ['data_parallel_sharding_strategy', p.zeroStage === 2 ? 'optim_grads' : 'optim_grads_params']);
  if (p.dataShard !== undefined && p.dataShard < p.data && p.zeroStage >= 1 && p.data % p.dataShard === 0) ddp.push(['num_distributed_optimizer_instances', p.data / p.dataShard]);
  if (p.overlapGradReduce) ddp.push(['overlap_grad_reduce', true]);
  if (p.ddpBucketSize !== undefined) ddp.push(['bucket_size', p.ddpBucketSize]);
  if (p.overlapParamGather) ddp.push(['overlap_param_gather', true]);
  sections.push(['ddp', ddp]);

  const lines = [`# Megatron-Bridge overrides exported by tcs from "${r.name}".`];
  const directive = directiveLine(obj(value), []);
  if (directive) lines.push(directive);
  lines.push(`# launch: torchrun --nnodes ${r.cluster.nodes} --nproc_per_node ${r.cluster.gpusPerNode} scripts/training/run_recipe.py --recipe <recipe> --config-file this.yaml`);
  for (const w of own) lines.push(`# WARN ${w.path}: ${w.message}`);
  for (const n of notes) lines.push(`# NOTE ${n}`);
  for (const [name, entries] of sections) {
    lines.push(`${name}:`);
    for (const [k, val] of entries) lines.push(`  ${k}: ${Array.isArray(val) ? `[${val.map(yamlScalar).join(', ')}]` : yamlScalar(val)}`);
  }
  return { text: lines.join('\n') + '\n', warnings: own, notes };
}
