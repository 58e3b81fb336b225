/**
 * Megatron-LM arguments → the config model. Every reader (launch script, functional-test YAML, recipe YAML, the
 * start-up argument dump) produces the same `Arg` list; this maps it, flag by flag, with each value's origin.
 * Flag names and defaults: NVIDIA/Megatron-LM megatron/training/arguments.py (main, d98e8a6).
 */
import { layerFreqText, parseLayerFreq, parseLayout } from './layerSpec';
import { setValueFix, written } from '../fixes';
import { divisors, nearest } from '../rules/context';
import { RECOMPUTE_MODULES } from '../../simulator/config';
import { Collector, intOf, type Origin } from './source';

const fmtDp = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export interface ArgValue {
  text: string;
  start: number;
  end: number;
  /** Part of the value comes from outside the file (an environment variable, `$(…)`). */
  unknown?: boolean;
  /** The value is a `${NAME:-default}` default whose NAME the environment may set. */
  defaulted?: boolean;
  /** The value was computed (a resolved `${…}` interpolation): read, but not edited in place. */
  derived?: boolean;
}

export interface Arg {
  /** Dashed, without the leading `--`: `num-layers`. */
  name: string;
  /** As written: `--num-layers`, `num_layers`. */
  written: string;
  start: number;
  end: number;
  values: ArgValue[];
}

/** Node and GPU counts from the launcher (torchrun, srun, #SBATCH, deepspeed), when plain numbers. */
export interface Launch {
  nodes?: { value: number; key: string; start: number; end: number; valueStart: number; valueEnd: number };
  gpusPerNode?: { value: number; key: string; start: number; end: number; valueStart: number; valueEnd: number };
}

/** Flags that shape what this product models but the config model (v1) has no key for: reported, not dropped. */
export const UNREPRESENTED_FLAGS: Record<string, string> = {
  'moe-router-score-function': 'the router score function',
  'moe-router-enable-expert-bias': 'the router expert bias',
  'moe-router-topk-scaling-factor': 'the router scaling factor',
  'moe-router-load-balancing-type': 'the load-balancing loss type',
  'moe-aux-loss-coeff': 'the auxiliary loss',
  'delay-wgrad-compute': 'delayed weight-gradient compute',
  'account-for-embedding-in-pipeline-split': 'the embedding in the pipeline split',
  'account-for-loss-in-pipeline-split': 'the loss in the pipeline split',
  'fp8-param-gather': 'FP8 parameter all-gather',
  'rampup-batch-size': 'batch-size ramp-up',
  'first-last-layers-bf16': 'BF16 first and last layers',
  'use-torch-fsdp2': 'PyTorch FSDP2 (read as ZeRO-3)',
};

/** Flags read below; anything else is about data, optimiser or logging and is listed once as ignored. */
const READ = new Set<string>();

const MAX_IGNORED_LISTED = 12;

export function megatronToConfig(args: readonly Arg[], c: Collector, launch: Launch, writeValue: (v: unknown) => string = String): void {
  const byName = new Map<string, Arg>();
  for (const a of args) {
    const earlier = byName.get(a.name);
    if (earlier && earlier.values.map((v) => v.text).join(' ') !== a.values.map((v) => v.text).join(' ')) {
      c.report('warning', 'megatron/duplicate-flag', `\`${a.written}\` is given twice; argparse keeps this later value (${a.values.map((v) => v.text).join(' ') || 'on'}).`, a, '');
    }
    byName.set(a.name, a);
  }
  const used = new Set<string>();
  const arg = (name: string): Arg | undefined => {
    READ.add(name);
    const a = byName.get(name);
    if (a) used.add(name);
    return a;
  };
  const flag = (name: string) => arg(name) !== undefined;
  const origin = (a: Arg, i = 0, extra: Partial<Origin> = {}): Origin => {
    const v = a.values[i];
    return {
      key: a.written,
      keyStart: a.start,
      keyEnd: a.end,
      valueStart: v ? v.start : a.start,
      valueEnd: v ? v.end : a.end,
      write: v && !v.unknown && !v.derived ? writeValue : undefined,
      ...extra,
    };
  };
  /** The integer value of a flag, reporting one that is not a plain number. */
  const int = (name: string): { n: number; a: Arg } | undefined => {
    const a = arg(name);
    if (!a) return undefined;
    const v = a.values[0];
    if (!v) {
      c.report('error', 'megatron/missing-value', `\`${a.written}\` needs a value.`, a);
      return undefined;
    }
    const n = intOf(v.text);
    if (n === undefined || v.unknown) {
      const why = v.unknown ? 'it is set outside this file (environment or command substitution)' : `\`${v.text}\` is not a whole number`;
      c.report('warning', 'megatron/unknown-value', `The value of \`${a.written}\` cannot be read: ${why}.`, v);
      return undefined;
    }
    return { n, a };
  };
  const implicit = (a: Arg | undefined, key: string, via: string): Origin =>
    a ? { ...origin(a), write: undefined, via } : { key, keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0, implicit: true, via };
  const setInt = (path: string, name: string) => {
    const r = int(name);
    if (r) c.set(path, r.n, origin(r.a));
    return r?.n;
  };

  // --- model ---
  const layers = setInt('model.layers', 'num-layers');
  const hidden = setInt('model.hidden_size', 'hidden-size');
  const heads = setInt('model.attention.heads', 'num-attention-heads');
  const hasModel = layers !== undefined || hidden !== undefined || heads !== undefined;
  const swiglu = flag('swiglu');
  const activation = swiglu ? 'swiglu' : flag('squared-relu') ? 'squared_relu' : flag('quick-geglu') ? 'geglu' : undefined;
  if (activation) {
    const a = arg(activation === 'swiglu' ? 'swiglu' : activation === 'geglu' ? 'quick-geglu' : 'squared-relu')!;
    c.set('model.activation', activation, { ...origin(a), write: undefined });
    if (activation === 'geglu') c.report('info', 'formats/approximate', '`--quick-geglu` is read as geglu (its sigmoid approximation of GELU costs the same).', a, 'model.activation');
  } else if (hasModel) c.set('model.activation', 'gelu', implicit(undefined, '--swiglu', 'no --swiglu, --squared-relu or --quick-geglu: Megatron\'s GeLU'));
  const ffn = setInt('model.ffn_hidden_size', 'ffn-hidden-size');
  if (ffn === undefined && hidden !== undefined) {
    // arguments.py: 4·h, or for SwiGLU int(4·h·2/3 / 64)·64.
    const f = swiglu ? Math.floor((4 * hidden * 2) / 3 / 64) * 64 : 4 * hidden;
    c.set('model.ffn_hidden_size', f, implicit(arg('hidden-size'), '--hidden-size', swiglu ? 'no --ffn-hidden-size: int(4·hidden·2/3/64)·64 for SwiGLU' : 'no --ffn-hidden-size: 4 × hidden'));
  }
  const vocab = setInt('model.vocab_size', 'vocab-size');
  const tpNow = intOf(byName.get('tensor-model-parallel-size')?.values[0]?.text) ?? 1;
  const divisible = int('make-vocab-size-divisible-by');
  if (vocab !== undefined) {
    const d = (divisible?.n ?? 128) * tpNow;
    if (vocab % d !== 0) {
      const padded = Math.ceil(vocab / d) * d;
      c.report('info', 'megatron/vocab-padded', `Megatron pads the vocabulary to a multiple of ${d} (make-vocab-size-divisible-by × TP): ${vocab} becomes ${padded}; the config keeps ${vocab}.`, arg('vocab-size'), 'model.vocab_size');
    }
  }
  // No --vocab-size: Megatron takes it from the tokenizer; the assumed-value info says so (formats/assumed.ts).

  const mla = arg('multi-latent-attention');
  const gqa = arg('group-query-attention');
  if (mla) {
    c.set('model.attention.type', 'mla', { ...origin(mla), write: undefined });
    setInt('model.attention.q_lora_rank', 'q-lora-rank');
    setInt('model.attention.kv_lora_rank', 'kv-lora-rank');
    setInt('model.attention.qk_nope_head_dim', 'qk-head-dim');
    setInt('model.attention.qk_rope_head_dim', 'qk-pos-emb-head-dim');
    setInt('model.attention.v_head_dim', 'v-head-dim');
    arg('kv-channels');
  } else {
    if (gqa) {
      c.set('model.attention.type', 'gqa', { ...origin(gqa), write: undefined });
      const g = int('num-query-groups');
      if (g) c.set('model.attention.kv_heads', g.n, origin(g.a));
      else c.set('model.attention.kv_heads', 1, implicit(undefined, '--num-query-groups', 'no --num-query-groups: Megatron\'s default 1'));
    } else if (hasModel) {
      c.set('model.attention.type', 'mha', implicit(undefined, '--group-query-attention', 'no --group-query-attention or --multi-latent-attention'));
      if (arg('num-query-groups')) c.report('warning', 'megatron/query-groups-ignored', '`--num-query-groups` has no effect without `--group-query-attention`.', arg('num-query-groups'), 'model.attention.kv_heads');
    }
    setInt('model.attention.head_dim', 'kv-channels');
  }

  const experts = setInt('model.moe.routed_experts', 'num-experts');
  if (experts !== undefined) {
    const k = int('moe-router-topk');
    if (k) c.set('model.moe.experts_per_token', k.n, origin(k.a));
    else c.set('model.moe.experts_per_token', 2, implicit(undefined, '--moe-router-topk', 'no --moe-router-topk: Megatron\'s default 2'));
    const e = int('moe-ffn-hidden-size');
    const expertHidden = e?.n ?? ffn;
    if (e) c.set('model.moe.expert_hidden_size', e.n, origin(e.a));
    else if (ffn !== undefined) c.set('model.moe.expert_hidden_size', ffn, implicit(arg('ffn-hidden-size'), '--ffn-hidden-size', 'no --moe-ffn-hidden-size: the dense FFN size'));
    const shared = int('moe-shared-expert-intermediate-size');
    if (shared && expertHidden) {
      if (shared.n % expertHidden === 0) c.set('model.moe.shared_experts', shared.n / expertHidden, { ...origin(shared.a), write: undefined, via: `--moe-shared-expert-intermediate-size ÷ ${expertHidden}` });
      else c.report('warning', 'formats/unrepresented', `The shared-expert size ${shared.n} is not a multiple of the expert size ${expertHidden}; the config counts shared experts of the expert size, so it is left out.`, shared.a, 'model.moe.shared_experts');
    } else c.set('model.moe.shared_experts', 0, implicit(undefined, '--moe-shared-expert-intermediate-size', 'no shared experts'));
    const freq = arg('moe-layer-freq');
    if (freq && freq.values[0]) {
      const parsed = parseLayerFreq(freq.values[0].text, layers);
      if (!parsed.ok) c.report('error', 'megatron/layer-freq', `\`${freq.written}\` cannot be read: ${parsed.error}.`, freq.values[0], 'model.moe.dense_layers');
      else {
        const p = parsed.value;
        const dense = p.indexOf(1) < 0 ? p.length : p.indexOf(1);
        if (layers !== undefined && p.length !== layers) c.report('error', 'megatron/layer-freq', `\`${freq.written}\` lists ${p.length} layers but \`--num-layers\` is ${layers}; Megatron refuses this.`, freq.values[0], 'model.moe.dense_layers');
        else if (p.slice(dense).some((x) => x === 0)) c.report('warning', 'formats/unrepresented', `\`${freq.written}\` interleaves dense and MoE layers; the config has only leading dense layers, so the pattern is left out (${p.filter((x) => x === 0).length} dense of ${p.length}).`, freq.values[0], 'model.moe.dense_layers');
        else c.set('model.moe.dense_layers', dense, { ...origin(freq), write: layers === undefined ? undefined : (v) => JSON.stringify(layerFreqText(Number(v), layers)), via: 'leading 0s of --moe-layer-freq' });
      }
    } else c.set('model.moe.dense_layers', 0, implicit(undefined, '--moe-layer-freq', 'no --moe-layer-freq: every layer MoE'));
  } else if (arg('moe-router-topk') || arg('moe-ffn-hidden-size')) {
    c.report('warning', 'megatron/moe-without-experts', 'MoE flags are set but `--num-experts` is not: Megatron builds a dense model.', arg('moe-router-topk') ?? arg('moe-ffn-hidden-size'));
  }
  const mtp = setInt('model.mtp_depth', 'mtp-num-layers');
  if (mtp === undefined && hasModel) c.set('model.mtp_depth', 0, implicit(undefined, '--mtp-num-layers', 'no --mtp-num-layers'));
  const untie = arg('untie-embeddings-and-output-weights');
  if (untie) c.set('model.tied_embeddings', false, { ...origin(untie), write: undefined });
  else if (hasModel) c.set('model.tied_embeddings', true, implicit(undefined, '--untie-embeddings-and-output-weights', 'no --untie-embeddings-and-output-weights: Megatron ties them'));

  // --- training ---
  const seq = int('seq-length') ?? int('encoder-seq-length');
  if (seq) c.set('training.sequence_length', seq.n, origin(seq.a));
  const decoderSeq = int('decoder-seq-length');
  if (seq && decoderSeq && decoderSeq.n !== seq.n) {
    c.report('warning', 'formats/seq-length-disagrees', `\`${decoderSeq.a.written}\` is ${decoderSeq.n} but \`${seq.a.written}\` is ${seq.n}; the config uses ${seq.n}.`, decoderSeq.a.values[0], 'training.sequence_length');
  }
  const maxPos = int('max-position-embeddings');
  if (seq && maxPos && maxPos.n < seq.n) {
    c.report('warning', 'formats/seq-length-disagrees', `\`${maxPos.a.written}\` (${maxPos.n}) is shorter than \`${seq.a.written}\` (${seq.n}): positions past ${maxPos.n} have no embedding.`, maxPos.a.values[0], 'training.sequence_length');
  }
  const gbs = setInt('training.global_batch_size', 'global-batch-size');
  setInt('training.micro_batch_size', 'micro-batch-size');
  const samples = int('train-samples');
  const iters = int('train-iters');
  const tokens = int('train-tokens');
  if (tokens) c.set('training.tokens', tokens.n, origin(tokens.a));
  else if (samples && seq) c.set('training.tokens', samples.n * seq.n, { ...origin(samples.a), write: undefined, via: `--train-samples × --seq-length (${samples.n} × ${seq.n})` });
  else if (iters && seq && gbs !== undefined) c.set('training.tokens', iters.n * gbs * seq.n, { ...origin(iters.a), write: undefined, via: `--train-iters × --global-batch-size × --seq-length (${iters.n} × ${gbs} × ${seq.n})` });
  const granularity = arg('recompute-granularity');
  if (granularity?.values[0]) {
    const g = granularity.values[0].text;
    if (g === 'selective' || g === 'full') c.set('training.recompute', g, origin(granularity));
    else c.report('error', 'megatron/bad-choice', `\`${granularity.written}\` must be full or selective, not \`${g}\`.`, granularity.values[0], 'training.recompute');
  } else if (arg('recompute-activations')) c.set('training.recompute', 'selective', { ...origin(arg('recompute-activations')!), write: undefined });
  else if (hasModel || gbs !== undefined) c.set('training.recompute', 'none', implicit(undefined, '--recompute-granularity', 'no --recompute-granularity'));
  const granularityText = granularity?.values[0]?.text ?? (arg('recompute-activations') ? 'selective' : undefined);
  const modulesArg = arg('recompute-modules');
  if (granularityText === 'selective') {
    if (modulesArg && modulesArg.values.length > 0) {
      const known = modulesArg.values.map((v) => v.text).filter((m) => (RECOMPUTE_MODULES as readonly string[]).includes(m) && m !== 'mlp_act');
      const unknown = modulesArg.values.filter((v) => !known.includes(v.text));
      c.set('training.recompute_modules', known, { ...origin(modulesArg), write: undefined });
      for (const v of unknown) c.report('info', 'formats/unrepresented', `Recompute module \`${v.text}\` has no equivalent in the config (${RECOMPUTE_MODULES.filter((m) => m !== 'mlp_act').join(', ')}); it is left out.`, v, 'training.recompute_modules');
    } else c.set('training.recompute_modules', ['core_attn'], implicit(undefined, '--recompute-modules', 'no --recompute-modules: Megatron-Core\'s default core_attn'));
  } else if (modulesArg) c.report('warning', 'megatron/modules-without-selective', `\`${modulesArg.written}\` is read only with \`--recompute-granularity selective\`; Megatron ignores it here.`, modulesArg, 'training.recompute_modules');
  const method = arg('recompute-method');
  const recomputeLayers = int('recompute-num-layers');
  if (granularityText === 'full') {
    const m = method?.values[0]?.text;
    if (m === 'uniform' || m === 'block') c.set('training.recompute_method', m, origin(method!));
    else if (method) c.report('error', 'megatron/bad-choice', `\`${method.written}\` must be uniform or block, not \`${m ?? ''}\`.`, method.values[0] ?? method, 'training.recompute_method');
    else c.report('error', 'megatron/recompute-method-missing', 'Full recompute needs `--recompute-method uniform` or `block` (Megatron-Core raises without one); uniform is assumed.', granularity, 'training.recompute_method');
    if (recomputeLayers) c.set('training.recompute_layers', recomputeLayers.n, origin(recomputeLayers.a));
    else c.report('error', 'megatron/recompute-layers-missing', 'Full recompute needs `--recompute-num-layers` (Megatron-Core raises without it); 1 is assumed.', granularity, 'training.recompute_layers');
  } else if (method || recomputeLayers) {
    const a = method ?? recomputeLayers!.a;
    c.report('warning', 'megatron/method-without-full', `\`${a.written}\` applies to full recompute only; Megatron refuses it with selective granularity and ignores it without recompute.`, a, 'training.recompute_method');
  }

  // --- precision ---
  const fp8Format = arg('fp8-format');
  const bf16 = arg('bf16');
  const fp16 = arg('fp16');
  if (fp8Format?.values[0]) {
    const f = fp8Format.values[0].text;
    c.set('precision.compute', 'fp8', { ...origin(fp8Format), write: undefined });
    if (f === 'e4m3' || f === 'hybrid') c.set('precision.fp8.format', f, origin(fp8Format));
    else c.report('error', 'megatron/bad-choice', `\`${fp8Format.written}\` must be e4m3 or hybrid, not \`${f}\`.`, fp8Format.values[0], 'precision.fp8.format');
    const recipe = arg('fp8-recipe');
    const r = recipe?.values[0]?.text;
    if (recipe && r && ['tensorwise', 'delayed', 'blockwise', 'mxfp8'].includes(r)) c.set('precision.fp8.scaling', r, origin(recipe));
    else if (recipe) c.report('warning', 'formats/unrepresented', `\`${recipe.written} ${r ?? ''}\` has no equivalent in the config (tensorwise, delayed, blockwise, mxfp8).`, recipe.values[0] ?? recipe, 'precision.fp8.scaling');
    else c.set('precision.fp8.scaling', 'delayed', implicit(undefined, '--fp8-recipe', 'no --fp8-recipe: Megatron\'s default delayed'));
    const high = ['embedding', 'norm'];
    const dpa = arg('fp8-dot-product-attention') ?? arg('fp8-multi-head-attention');
    if (!dpa) high.push('attention');
    if (!arg('fp8-output-proj')) high.push('output_head');
    const routerDtype = arg('moe-router-dtype');
    if (experts === undefined || routerDtype?.values[0]?.text === 'fp32' || routerDtype?.values[0]?.text === 'fp64') high.push('router');
    const order = ['embedding', 'output_head', 'router', 'norm', 'attention'];
    c.set('precision.fp8.high_precision', order.filter((m) => high.includes(m)), implicit(routerDtype ?? dpa, routerDtype?.written ?? '--fp8-format', 'FP8 GEMMs in TE layers; embedding and norms stay BF16'));
  } else if (bf16) c.set('precision.compute', 'bf16', { ...origin(bf16), write: undefined });
  else if (fp16) {
    c.set('precision.compute', 'bf16', { ...origin(fp16), write: undefined, via: '--fp16 read as bf16 (same cost)' });
    c.report('warning', 'formats/unrepresented', '`--fp16` is read as bf16: the config models BF16 and FP8 only (the cost per GEMM is the same).', fp16, 'precision.compute');
  } else if (hasModel) c.report('warning', 'formats/unrepresented', 'Neither `--bf16` nor `--fp16`: Megatron trains in FP32, which the config does not model; bf16 is assumed.', undefined, 'precision.compute');
  const dtype = (path: string, name: string) => {
    const a = arg(name);
    const v = a?.values[0]?.text;
    if (!a || !v) return;
    if (v === 'fp32' || v === 'bf16') c.set(path, v, origin(a));
    else c.report('warning', 'formats/unrepresented', `\`${a.written} ${v}\` has no equivalent in the config (fp32 or bf16).`, a.values[0], path);
  };
  const aware = arg('use-precision-aware-optimizer');
  if (aware) {
    dtype('precision.master_weights', 'main-params-dtype');
    dtype('precision.optimizer_states', 'exp-avg-dtype');
    dtype('precision.gradients', 'main-grads-dtype');
    const sq = arg('exp-avg-sq-dtype');
    const avg = arg('exp-avg-dtype');
    if (sq?.values[0] && sq.values[0].text !== (avg?.values[0]?.text ?? 'fp32')) {
      c.report('info', 'formats/unrepresented', `\`${sq.written}\` differs from \`--exp-avg-dtype\`; the config has one optimizer-state type and keeps the first moment's.`, sq.values[0], 'precision.optimizer_states');
    }
  }

  // --- parallelism ---
  const par = (path: string, name: string, fallback: number | undefined, why: string) => {
    const r = int(name);
    if (r) c.set(path, r.n, origin(r.a));
    else if (fallback !== undefined && (hasModel || gbs !== undefined)) c.set(path, fallback, implicit(undefined, `--${name}`, why));
    return r?.n ?? fallback;
  };
  const tp = par('parallelism.tensor', 'tensor-model-parallel-size', 1, 'Megatron\'s default 1') ?? 1;
  const pp = par('parallelism.pipeline', 'pipeline-model-parallel-size', 1, 'Megatron\'s default 1') ?? 1;
  const cp = par('parallelism.context', 'context-parallel-size', 1, 'Megatron\'s default 1') ?? 1;
  const sp = arg('sequence-parallel');
  if (sp) c.set('parallelism.sequence_parallel', true, { ...origin(sp), write: undefined });
  else if (tp > 1) c.set('parallelism.sequence_parallel', false, implicit(undefined, '--sequence-parallel', 'no --sequence-parallel: Megatron-Core\'s default off'));
  const instances = int('num-distributed-optimizer-instances');
  if (instances && instances.n > 1) {
    const world = launch.nodes && launch.gpusPerNode ? launch.nodes.value * launch.gpusPerNode.value : undefined;
    const dp = world !== undefined ? world / (tp * pp * cp) : undefined;
    if (dp !== undefined && Number.isInteger(dp) && dp % instances.n === 0) c.set('parallelism.data_shard', dp / instances.n, { ...origin(instances.a), write: undefined, via: `DP ÷ --num-distributed-optimizer-instances (${dp} ÷ ${instances.n})` });
    else if (dp !== undefined) c.report('error', 'megatron/optimizer-instances', `DP ${fmtDp(dp)} is not divisible by \`${instances.a.written} ${instances.n}\`; Megatron asserts it is.`, instances.a.values[0], 'parallelism.data_shard');
    else c.report('info', 'formats/cluster-unknown', `\`${instances.a.written} ${instances.n}\` shards the optimizer over DP / ${instances.n} ranks; the data-parallel size follows from the GPU count, which this file does not give (add \`# tcs: cluster.nodes=N\`).`, instances.a, 'parallelism.data_shard');
  }
  par('parallelism.expert', 'expert-model-parallel-size', 1, 'Megatron\'s default 1');
  par('parallelism.expert_tensor', 'expert-tensor-parallel-size', tp, 'Megatron\'s default: the tensor-parallel size');
  const layout = arg('pipeline-model-parallel-layout');
  const vStages = int('num-virtual-stages-per-pipeline-rank');
  const perVStage = int('num-layers-per-virtual-pipeline-stage');
  let vpp: number | undefined;
  if (vStages) {
    vpp = vStages.n;
    c.set('parallelism.virtual_stages', vpp, origin(vStages.a));
  } else if (perVStage && layers !== undefined) {
    const chunks = layers / pp / perVStage.n;
    if (Number.isInteger(chunks)) {
      vpp = chunks;
      c.set('parallelism.virtual_stages', chunks, { ...origin(perVStage.a), write: undefined, via: `--num-layers ÷ PP ÷ --num-layers-per-virtual-pipeline-stage (${layers} ÷ ${pp} ÷ ${perVStage.n})` });
    } else c.report('error', 'megatron/layers-not-divisible', `${layers} layers over PP ${pp} do not split into chunks of ${perVStage.n}; Megatron refuses this.`, perVStage.a.values[0], 'parallelism.virtual_stages');
  }
  if (layout?.values[0]) {
    const parsed = parseLayout(layout.values[0].text);
    if (!parsed.ok) c.report('error', 'megatron/layout', `\`${layout.written}\` cannot be read: ${parsed.error}.`, layout.values[0], 'parallelism.pipeline');
    else {
      const stages = parsed.value;
      const inLayout = stages.reduce((s, x) => s + x.layers, 0);
      if (stages.length % pp !== 0) c.report('error', 'megatron/layout', `The layout has ${stages.length} stages, not a multiple of PP ${pp}.`, layout.values[0], 'parallelism.pipeline');
      else if (layers !== undefined && inLayout !== layers) c.report('error', 'megatron/layout', `The layout places ${inLayout} transformer layers but \`--num-layers\` is ${layers}.`, layout.values[0], 'model.layers');
      else {
        if (vpp === undefined && stages.length / pp > 1) {
          vpp = stages.length / pp;
          c.set('parallelism.virtual_stages', vpp, { ...origin(layout), write: undefined, via: `stages in --pipeline-model-parallel-layout ÷ PP (${stages.length} ÷ ${pp})` });
        }
        const counts = stages.map((s) => s.layers);
        c.report('info', 'formats/unrepresented', `The pipeline layout puts ${counts.join(', ')} layers on its ${stages.length} stages; the config splits layers evenly, so per-stage counts are not kept.`, layout.values[0], 'parallelism.pipeline');
      }
    }
  } else if (layers !== undefined && pp > 1 && !arg('decoder-first-pipeline-num-layers') && !arg('decoder-last-pipeline-num-layers')) {
    const ppArg = byName.get('pipeline-model-parallel-size');
    if (layers % pp !== 0) {
      // The pipeline sizes nearest that divide the layers; the fix re-check keeps those the world size allows.
      const fixes = written(nearest(divisors(layers).filter((d) => d > 1), pp, 4).map((v) => setValueFix(c, 'parallelism.pipeline', v)));
      c.report('error', 'megatron/layers-not-divisible', `${layers} layers do not divide over pipeline size ${pp}: Megatron-LM asserts "Number of layers should be divisible by the pipeline-model-parallel size". Give a \`--pipeline-model-parallel-layout\` or \`--decoder-first/last-pipeline-num-layers\`.`, ppArg ? ppArg.values[0] ?? ppArg : undefined, 'parallelism.pipeline', fixes);
    } else if (vpp !== undefined && vpp > 1 && (layers / pp) % vpp !== 0) {
      c.report('error', 'megatron/layers-not-divisible', `${layers / pp} layers per pipeline rank do not split into ${vpp} virtual stages; Megatron refuses this.`, vStages?.a.values[0], 'parallelism.virtual_stages');
    }
  }
  const fsdp = arg('use-megatron-fsdp');
  const strategy = arg('data-parallel-sharding-strategy');
  const zeroOf: Record<string, number> = { no_shard: 0, optim: 1, optim_grads: 2, optim_grads_params: 3 };
  if (fsdp) {
    const s = strategy?.values[0]?.text ?? 'optim_grads_params';
    if (s in zeroOf) c.set('parallelism.zero_stage', zeroOf[s], { ...(strategy ? origin(strategy) : origin(fsdp)), write: undefined, via: `Megatron-FSDP ${s}` });
  } else if (arg('use-torch-fsdp2')) c.set('parallelism.zero_stage', 3, { ...origin(arg('use-torch-fsdp2')!), write: undefined });
  else if (arg('use-distributed-optimizer')) c.set('parallelism.zero_stage', 1, { ...origin(arg('use-distributed-optimizer')!), write: undefined });
  else if (hasModel || gbs !== undefined) c.set('parallelism.zero_stage', 0, implicit(undefined, '--use-distributed-optimizer', 'no --use-distributed-optimizer'));
  if (pp > 1) c.set('parallelism.schedule', vpp !== undefined && vpp > 1 ? 'interleaved-1f1b' : '1f1b', implicit(undefined, '--pipeline-model-parallel-size', vpp !== undefined && vpp > 1 ? 'Megatron interleaves when there are virtual stages' : 'Megatron runs 1F1B'));
  // Megatron-Core's communication and kernel choices (defaults: allgather, overlaps off but P2P, auto backend).
  const dispatcher = arg('moe-token-dispatcher-type');
  if (dispatcher?.values[0] && experts !== undefined) {
    const d = dispatcher.values[0].text;
    if (['allgather', 'alltoall', 'flex'].includes(d)) c.set('parallelism.moe_token_dispatcher', d, origin(dispatcher));
    else c.report('warning', 'formats/unrepresented', `\`${dispatcher.written} ${d}\` has no equivalent (allgather, alltoall, flex).`, dispatcher.values[0], 'parallelism.moe_token_dispatcher');
  }
  for (const [name, path] of [['tp-comm-overlap', 'parallelism.tp_comm_overlap'], ['overlap-grad-reduce', 'parallelism.overlap_grad_reduce'], ['overlap-param-gather', 'parallelism.overlap_param_gather']] as const) {
    const a = arg(name);
    if (a) c.set(path, true, { ...origin(a), write: undefined });
  }
  const noP2p = arg('no-overlap-p2p-communication');
  if (noP2p) c.set('parallelism.overlap_p2p_comm', false, { ...origin(noP2p), write: undefined });
  setInt('parallelism.first_stage_layers', 'decoder-first-pipeline-num-layers');
  setInt('parallelism.ddp_bucket_size', 'ddp-bucket-size');
  setInt('parallelism.last_stage_layers', 'decoder-last-pipeline-num-layers');
  const backend = arg('attention-backend');
  if (backend?.values[0]) {
    const b = backend.values[0].text;
    if (['auto', 'flash', 'fused', 'unfused'].includes(b)) c.set('training.attention_backend', b, origin(backend));
    else c.report('info', 'formats/unrepresented', `\`${backend.written} ${b}\` has no equivalent (auto, flash, fused, unfused).`, backend.values[0], 'training.attention_backend');
  }
  const ceFusion = arg('cross-entropy-loss-fusion');
  if (ceFusion) c.set('training.cross_entropy_loss_fusion', true, { ...origin(ceFusion), write: undefined });
  const force = arg('moe-router-force-load-balancing');
  if (force && experts !== undefined) c.set('model.moe.force_load_balancing', true, { ...origin(force), write: undefined });
  const overlap = arg('overlap-moe-expert-parallel-comm');
  if (overlap) c.set('parallelism.overlap_expert_comm', true, { ...origin(overlap), write: undefined });

  // Router groups (group-limited routing); resolve reads a node limit from them when they are the EP group's nodes.
  const groups = int('moe-router-num-groups');
  const groupTopk = int('moe-router-group-topk');
  if (experts !== undefined) {
    if (groups) c.set('model.moe.router_groups', groups.n, origin(groups.a));
    if (groupTopk) c.set('model.moe.router_group_topk', groupTopk.n, origin(groupTopk.a));
    const limited = arg('moe-router-topk-limited-devices');
    if (limited) c.report('info', 'formats/unrepresented', `\`${limited.written}\` (device-limited routing, superseded by --moe-router-num-groups) has no key in the config; it is left out.`, limited, 'model.moe.router_groups');
  }

  // --- cluster, from the launcher ---
  for (const [path, l] of [['cluster.nodes', launch.nodes], ['cluster.gpus_per_node', launch.gpusPerNode]] as const) {
    if (l) c.set(path, l.value, { key: l.key, keyStart: l.start, keyEnd: l.end, valueStart: l.valueStart, valueEnd: l.valueEnd, write: String });
  }

  for (const name of Object.keys(UNREPRESENTED_FLAGS)) {
    const a = byName.get(name);
    if (!a) continue;
    used.add(name);
    c.report('info', 'formats/unrepresented', `\`${a.written}\` (${UNREPRESENTED_FLAGS[name]}) has no key in the training config; it is not checked or simulated.`, a, '');
  }
  const ignored = [...byName.values()].filter((a) => !used.has(a.name) && !READ.has(a.name));
  if (ignored.length > 0) {
    const list = ignored.slice(0, MAX_IGNORED_LISTED).map((a) => a.written).join(', ');
    c.report('info', 'formats/ignored', `${ignored.length} flag${ignored.length === 1 ? '' : 's'} about data, optimiser or logging ${ignored.length === 1 ? 'is' : 'are'} not part of the training config: ${list}${ignored.length > MAX_IGNORED_LISTED ? ', …' : ''}.`, ignored[0], '');
  }
}
