/** "Did you mean …?" for unknown keys and enum values. */

/** Names users bring from Megatron-LM, torchtitan and DeepSpeed, mapped to this format's keys. */
const SYNONYMS: Readonly<Record<string, string>> = {
  tp: 'tensor',
  tensor_parallel: 'tensor',
  tensor_model_parallel_size: 'tensor',
  tensor_parallel_degree: 'tensor',
  pp: 'pipeline',
  pipeline_parallel: 'pipeline',
  pipeline_model_parallel_size: 'pipeline',
  pipeline_parallel_degree: 'pipeline',
  dp: 'data',
  data_parallel: 'data',
  data_parallel_size: 'data',
  data_parallel_shard_degree: 'data',
  cp: 'context',
  context_parallel_size: 'context',
  context_parallel_degree: 'context',
  ep: 'expert',
  expert_model_parallel_size: 'expert',
  expert_parallel_degree: 'expert',
  etp: 'expert_tensor',
  expert_tensor_parallel_size: 'expert_tensor',
  num_layers: 'layers',
  n_layers: 'layers',
  num_hidden_layers: 'layers',
  hidden: 'hidden_size',
  dim: 'hidden_size',
  d_model: 'hidden_size',
  intermediate_size: 'ffn_hidden_size',
  num_attention_heads: 'heads',
  n_heads: 'heads',
  num_key_value_heads: 'kv_heads',
  num_query_groups: 'kv_heads',
  seq_length: 'sequence_length',
  seq_len: 'sequence_length',
  max_seq_len: 'sequence_length',
  num_experts: 'routed_experts',
  n_routed_experts: 'routed_experts',
  moe_router_topk: 'experts_per_token',
  num_experts_per_tok: 'experts_per_token',
  top_k: 'experts_per_token',
  moe_intermediate_size: 'expert_hidden_size',
  n_shared_experts: 'shared_experts',
  first_k_dense_replace: 'dense_layers',
  topk_group: 'max_nodes_per_token',
  micro_batch: 'micro_batch_size',
  global_batch: 'global_batch_size',
  num_nodes: 'nodes',
  gpus: 'gpus_per_node',
  num_virtual_stages: 'virtual_stages',
  pipeline_parallel_schedule: 'schedule',
  vp: 'virtual_stages',
};

const normalize = (s: string) => s.trim().toLowerCase().replace(/[-\s]+/g, '_');

/** Optimal string alignment distance (Levenshtein + adjacent transpositions), stopped early past `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, or undefined when none is close: a spelling variant
 * (`micro-batch-size`), a neighbouring tool's name (`tensor_model_parallel_size`), or a typo within
 * about a third of the word's length.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word.length > 200) return undefined;
  const w = normalize(word);
  const byNormal = new Map(candidates.map((c) => [normalize(c), c]));
  const exact = byNormal.get(w);
  if (exact !== undefined) return exact;
  const synonym = SYNONYMS[w];
  if (synonym !== undefined && byNormal.has(synonym)) return byNormal.get(synonym);
  // The word as the leading segments of a candidate (`h100` → `h100-sxm`, `global` → `global_batch_size`), else a
  // product family shared with one (`h100-pcie` → `h100-sxm`: a first segment with a digit), ranks above a
  // one-letter edit into another family (`h800`).
  const family = (x: string) => x.split('_', 1)[0];
  const productFamily = /\d/.test(family(w)) && w.includes('_') ? family(w) : undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const [normal, original] of byNormal) {
    const related = isSegmentPrefix(w, normal) ? 0 : productFamily !== undefined && family(normal) === productFamily ? 1 : undefined;
    if (related === undefined) continue;
    const d = related * 1000 + editDistance(w, normal); // prefixes before families; words are under 200 characters
    if (d < bestDistance) {
      best = original;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const limit = Math.max(1, Math.floor(w.length / 3));
  bestDistance = limit + 1;
  for (const [normal, original] of byNormal) {
    const d = editDistance(w, normal, limit);
    if (d < bestDistance) {
      best = original;
      bestDistance = d;
    }
  }
  return best;
}

/** `a` is the leading segments of `b`: `h100` of `h100_sxm`, not `h1` of it. */
const isSegmentPrefix = (a: string, b: string) => a.length > 0 && b.length > a.length && b.startsWith(a) && b[a.length] === '_';
