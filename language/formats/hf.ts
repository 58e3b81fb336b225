/**
 * Hugging Face `config.json` → model shape, for the Llama, Mixtral, Qwen3(-MoE) and DeepSeek-V2/V3 families
 * (key names from transformers' configuration_*.py). It holds no training or parallelism values.
 */
import { readJson } from './keyed';
import { Collector, refuse, sourceDocument, textIndex, type ImportedDocument } from './source';
import type { FrontEnd, ParseOptions } from './types';

const looksLikeJson = (text: string) => /^\s*\{/.test(text);

function detect(text: string, fileName?: string): boolean {
  if (!looksLikeJson(text)) return false;
  const head = text.slice(0, 100_000);
  return /"(model_type|architectures)"\s*:/.test(head) && /"(num_hidden_layers|hidden_size)"\s*:/.test(head) || (/(^|[\\/])config\.json$/.test(fileName ?? '') && /"num_hidden_layers"/.test(head));
}

export function parseHf(text: string, options: ParseOptions = {}): ImportedDocument {
  const index = textIndex(text);
  const c = new Collector(text, index);
  const refused = refuse(text, index, 'JSON');
  if (refused) return sourceDocument('hf', text, c, [refused]);
  const { value, k } = readJson(text, c);
  if (value === undefined) return sourceDocument('hf', text, c);
  const type = String(k.get('model_type') ?? '');
  k.copyInt('model.layers', 'num_hidden_layers');
  k.copyInt('model.hidden_size', 'hidden_size');
  k.copyInt('model.vocab_size', 'vocab_size');
  const act = k.get('hidden_act');
  if (typeof act === 'string') {
    const mapped = /^(silu|swish)$/.test(act) ? 'swiglu' : /^gelu/.test(act) ? 'geglu' : undefined;
    if (mapped) k.copy('model.activation', 'hidden_act', () => mapped, `${act} in a gated MLP`);
    else c.report('info', 'formats/unrepresented', `\`hidden_act: ${act}\` has no equivalent activation in the config.`, span(k.origin('hidden_act')), 'model.activation');
  }
  const experts = ['n_routed_experts', 'num_local_experts', 'num_experts'].find((p) => typeof k.get(p) === 'number');
  const mixtral = experts === 'num_local_experts';
  // Mixtral's intermediate_size is the experts'; it has no dense layer.
  k.copyInt('model.ffn_hidden_size', 'intermediate_size');
  const heads = k.copyInt('model.attention.heads', 'num_attention_heads');
  if (typeof k.get('kv_lora_rank') === 'number') {
    k.copy('model.attention.type', 'kv_lora_rank', () => 'mla', 'kv_lora_rank present: multi-head latent attention');
    if (typeof k.get('q_lora_rank') === 'number') k.copyInt('model.attention.q_lora_rank', 'q_lora_rank');
    k.copyInt('model.attention.kv_lora_rank', 'kv_lora_rank');
    k.copyInt('model.attention.qk_nope_head_dim', 'qk_nope_head_dim');
    k.copyInt('model.attention.qk_rope_head_dim', 'qk_rope_head_dim');
    k.copyInt('model.attention.v_head_dim', 'v_head_dim');
  } else if (heads !== undefined) {
    const kv = k.int('num_key_value_heads');
    if (kv !== undefined && kv < heads) {
      k.copy('model.attention.type', 'num_key_value_heads', () => 'gqa', 'num_key_value_heads < num_attention_heads');
      k.copyInt('model.attention.kv_heads', 'num_key_value_heads');
    } else k.copy('model.attention.type', 'num_attention_heads', () => 'mha', kv === undefined ? 'no num_key_value_heads' : 'num_key_value_heads = num_attention_heads');
    if (typeof k.get('head_dim') === 'number') k.copyInt('model.attention.head_dim', 'head_dim');
  }
  if (experts) {
    k.copyInt('model.moe.routed_experts', experts);
    k.copyInt('model.moe.experts_per_token', 'num_experts_per_tok');
    if (mixtral) k.copy('model.moe.expert_hidden_size', 'intermediate_size', (v) => v, 'Mixtral: intermediate_size is the experts\'');
    else k.copyInt('model.moe.expert_hidden_size', 'moe_intermediate_size');
    if (k.has('n_shared_experts')) k.copyInt('model.moe.shared_experts', 'n_shared_experts');
    else k.copy('model.moe.shared_experts', experts, () => 0, 'no n_shared_experts');
    if (k.has('first_k_dense_replace')) k.copyInt('model.moe.dense_layers', 'first_k_dense_replace');
    else if (type.startsWith('qwen')) readQwenDense(k, c);
    else k.copy('model.moe.dense_layers', experts, () => 0, 'every layer MoE');
    if (typeof k.get('moe_layer_freq') === 'number' && k.get('moe_layer_freq') !== 1) {
      c.report('warning', 'formats/unrepresented', '`moe_layer_freq` other than 1 interleaves dense layers; the config has only leading dense layers.', span(k.origin('moe_layer_freq')), 'model.moe.dense_layers');
    }
    // Group-limited routing; a node limit only when expert parallelism spans n_group nodes (resolve and the routing
    // rules say so once the layout is known).
    if (typeof k.get('n_group') === 'number' && typeof k.get('topk_group') === 'number' && (k.get('n_group') as number) > 1) {
      k.copyInt('model.moe.router_groups', 'n_group');
      k.copyInt('model.moe.router_group_topk', 'topk_group');
    }
  }
  if (k.has('num_nextn_predict_layers')) k.copyInt('model.mtp_depth', 'num_nextn_predict_layers');
  if (typeof k.get('tie_word_embeddings') === 'boolean') k.copy('model.tied_embeddings', 'tie_word_embeddings', (v) => v);
  if (k.has('quantization_config')) {
    c.report('info', 'formats/unrepresented', '`quantization_config` is the checkpoint\'s inference format, not a training recipe; it is not read.', span(k.origin('quantization_config')), '');
  }
  c.fillDefaults(options.defaults);
  return sourceDocument('hf', text, c);
}

/** Qwen3-MoE: `mlp_only_layers` are dense; only a leading run with decoder_sparse_step 1 fits the config. */
function readQwenDense(k: ReturnType<typeof readJson>['k'], c: Collector): void {
  const only = k.get('mlp_only_layers');
  const step = k.get('decoder_sparse_step') ?? 1;
  const list = Array.isArray(only) ? (only as unknown[]) : [];
  const leading = list.every((v, i) => v === i);
  if (step === 1 && leading) k.copy('model.moe.dense_layers', Array.isArray(only) ? 'mlp_only_layers' : 'decoder_sparse_step', () => list.length, 'leading mlp_only_layers');
  else c.report('warning', 'formats/unrepresented', 'Dense layers interleaved with MoE layers (`mlp_only_layers` / `decoder_sparse_step`) do not fit the config\'s leading dense layers.', span(k.origin('decoder_sparse_step')), 'model.moe.dense_layers');
}

const span = (o: { keyStart: number; keyEnd: number }) => ({ start: o.keyStart, end: o.keyEnd });

export const hfFrontEnd: FrontEnd = { format: 'hf', label: 'Hugging Face config.json', detect, parse: parseHf };
