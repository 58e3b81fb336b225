/**
 * torchtitan's named model flavors, as the config model's `model` section. In torchtitan the shape lives in code,
 * keyed by `[model] name` + `flavor`: pytorch/torchtitan torchtitan/models/llama3/__init__.py (`llama3_configs`)
 * and torchtitan/models/deepseek_v3/__init__.py (`_16b`, `_236b`, `_671b`), v0.2.2 / 73a0e69 and main.
 * Llama FFN sizes follow compute_ffn_hidden_dim: int(8·dim/3), × ffn_dim_multiplier, rounded up to multiple_of
 * (8B → 14336, 70B → 28672, 405B → 53248). Llama 3's tokenizer has 128,256 entries; embeddings are untied.
 */

export interface Flavor {
  name: string;
  flavor: string;
  model: Record<string, unknown>;
}

export function llamaFfn(dim: number, multipleOf: number, multiplier?: number): number {
  let h = Math.floor((2 * 4 * dim) / 3);
  if (multiplier !== undefined) h = Math.floor(multiplier * h);
  return multipleOf * Math.ceil(h / multipleOf);
}

const llama = (layers: number, dim: number, heads: number, kv: number | undefined, ffn: number, vocab = 128256) => ({
  layers,
  hidden_size: dim,
  ffn_hidden_size: ffn,
  vocab_size: vocab,
  activation: 'swiglu',
  attention: kv === undefined ? { type: 'mha', heads, head_dim: dim / heads } : { type: 'gqa', heads, kv_heads: kv, head_dim: dim / heads },
  mtp_depth: 0,
  tied_embeddings: false,
});

const deepseek = (o: {
  layers: number; dim: number; vocab: number; heads: number; qLora?: number; ffn: number; expertFfn: number;
  experts: number; shared: number; topk: number; dense: number; groups?: number; limited?: number;
}) => ({
  layers: o.layers,
  hidden_size: o.dim,
  ffn_hidden_size: o.ffn,
  vocab_size: o.vocab,
  activation: 'swiglu',
  attention: {
    type: 'mla', heads: o.heads, ...(o.qLora ? { q_lora_rank: o.qLora } : {}), kv_lora_rank: 512,
    qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128,
  },
  moe: {
    dense_layers: o.dense, routed_experts: o.experts, shared_experts: o.shared, experts_per_token: o.topk, expert_hidden_size: o.expertFfn,
    // num_limited_groups of num_expert_groups (a node limit when the EP group spans num_expert_groups nodes).
    ...(o.groups && o.limited ? { router_groups: o.groups, router_group_topk: o.limited } : {}),
  },
  mtp_depth: 0,
  tied_embeddings: false,
});

export const FLAVORS: Flavor[] = [
  { name: 'llama3', flavor: 'debugmodel', model: { ...llama(6, 256, 16, undefined, llamaFfn(256, 256), 2048) } },
  { name: 'llama3', flavor: '8B', model: llama(32, 4096, 32, 8, llamaFfn(4096, 1024, 1.3)) },
  { name: 'llama3', flavor: '70B', model: llama(80, 8192, 64, 8, llamaFfn(8192, 4096, 1.3)) },
  { name: 'llama3', flavor: '405B', model: llama(126, 16384, 128, 8, llamaFfn(16384, 4096, 1.2)) },
  { name: 'deepseek_v3', flavor: '16B', model: deepseek({ layers: 27, dim: 2048, vocab: 102400, heads: 16, ffn: 10944, expertFfn: 1408, experts: 64, shared: 2, topk: 6, dense: 1 }) },
  { name: 'deepseek_v3', flavor: '236B', model: deepseek({ layers: 60, dim: 5120, vocab: 102400, heads: 128, qLora: 1536, ffn: 12288, expertFfn: 1536, experts: 160, shared: 2, topk: 6, dense: 1, groups: 8, limited: 3 }) },
  { name: 'deepseek_v3', flavor: '671B', model: deepseek({ layers: 61, dim: 7168, vocab: 129280, heads: 128, qLora: 1536, ffn: 18432, expertFfn: 2048, experts: 256, shared: 1, topk: 8, dense: 3, groups: 8, limited: 4 }) },
];

export function flavorOf(name: string, flavor: string): Flavor | undefined {
  return FLAVORS.find((f) => f.name === name && f.flavor === flavor);
}

/** Schedules torchtitan runs with several stages per rank (pipeline_parallel.py: multi-stage schedules). */
export const MULTI_STAGE = new Set(['interleaved1f1b', 'loopedbfs', 'interleavedzerobubble', 'zbvzerobubble', 'dualpipev']);

/** torchtitan schedule names (case-insensitive in torchtitan) ↔ the config's. */
export const TT_SCHEDULES: Record<string, string> = {
  gpipe: 'gpipe',
  '1f1b': '1f1b',
  interleaved1f1b: 'interleaved-1f1b',
  interleavedzerobubble: 'zb-h1',
  zbvzerobubble: 'zbv',
  dualpipev: 'dualpipev',
};
export const TT_SCHEDULE_NAMES: Record<string, string> = {
  gpipe: 'GPipe',
  '1f1b': '1F1B',
  'interleaved-1f1b': 'Interleaved1F1B',
  'zb-h1': 'InterleavedZeroBubble',
  zbv: 'ZBVZeroBubble',
  dualpipev: 'DualPipeV',
};
