/**
 * Resolve: a schema-valid config value → ResolvedConfig (camelCase, defaults applied, GPU preset expanded,
 * data degree and micro-batch count derived). Pure arithmetic; the rules report anything inconsistent.
 */
import { GPU_PRESETS } from '../simulator/hardware';
import { DEFAULT_RECOMPUTE_MODULES, defaultTpCommSmMargin, TP_COMM_SM_MARGIN_KEYS } from '../simulator/config';
import { EXPERT_LOAD_IMBALANCE } from '../simulator/constants';
import type {
  Activation,
  AttentionBackend,
  AttentionType,
  Fp8Format,
  Fp8Scaling,
  GpuSpec,
  HighPrecisionModule,
  MoeTokenDispatcher,
  Recompute,
  RecomputeMethod,
  RecomputeModule,
  ResolvedConfig,
  ResolvedFp8,
  ResolvedMoe,
  ScheduleKind,
} from '../simulator/config';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const opt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = <T extends string>(v: unknown, fallback: T): T => (typeof v === 'string' ? (v as T) : fallback);

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** `14.8T` → 1.48e13; a number passes through. NaN when unreadable (the schema has already said so). */
export function parseTokenCount(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMBTkmbt])\s*$/.exec(v);
  return m ? Number(m[1]) * SUFFIX[m[2].toUpperCase()] : NaN;
}

/** Preset ids from simulator/hardware.ts, or a custom GPU from its peaks. */
export function resolveGpu(v: unknown): GpuSpec {
  if (typeof v === 'string') return { ...GPU_PRESETS[Object.hasOwn(GPU_PRESETS, v) ? v : 'h100-sxm'] };
  const g = obj(v);
  const family = str<GpuSpec['family']>(g.family, 'hopper');
  const nvlink = num(g.nvlink_gbps, 900);
  return {
    id: 'custom',
    name: str(g.name, 'Custom GPU'),
    family,
    bf16Tflops: num(g.bf16_tflops, 989),
    fp8Tflops: opt(g.fp8_tflops),
    mxfp8: typeof g.mxfp8 === 'boolean' ? g.mxfp8 : family === 'blackwell',
    hbmGiB: num(g.hbm_gib, 80),
    hbmTBps: num(g.hbm_tbps, 3.35),
    nvlinkSpecGBps: nvlink,
    // Same achievable share of the spec as DeepSeek measured on H800 (160 of 400 GB/s).
    intraNodeGBps: num(g.intra_node_gbps, nvlink * 0.4),
    interNodeGBps: num(g.inter_node_gbps, 50),
    sms: num(g.sms, 132),
  };
}

/** Nodes one expert-parallel group spans: expert / gpus_per_node, at least one. */
export function expertSpanNodes(expert: number, gpusPerNode: number): number {
  return Math.max(1, Math.ceil(expert / Math.max(1, gpusPerNode)));
}

const DEFAULT_HIGH_PRECISION: HighPrecisionModule[] = ['embedding', 'output_head', 'router', 'norm', 'attention'];

export function resolveConfig(value: unknown): ResolvedConfig {
  const root = obj(value);
  const m = obj(root.model);
  const att = obj(m.attention);
  const moeIn = root.model !== undefined && m.moe !== undefined ? obj(m.moe) : undefined;
  const t = obj(root.training);
  const pr = obj(root.precision);
  const p = obj(root.parallelism);
  const c = obj(root.cluster);

  const routing = (moe: Obj, expert: number, gpusPerNode: number) => {
    // The node limit and the router groups say the same thing when the groups are the EP group's nodes (DeepSeek-V3:
    // 8 groups = EP 64 over 8-GPU nodes, top-4 groups = at most 4 nodes); each is derived from the other then.
    const span = expertSpanNodes(expert, gpusPerNode);
    const M = opt(moe.max_nodes_per_token);
    let groups = opt(moe.router_groups);
    let groupTopk = opt(moe.router_group_topk);
    if (groups === undefined && groupTopk === undefined && M !== undefined && span > 1 && num(moe.routed_experts, 1) % span === 0) {
      groups = span;
      groupTopk = M;
    }
    const derived = M ?? (groups === span && span > 1 && groupTopk !== undefined ? groupTopk : undefined);
    return { maxNodesPerToken: derived, routerGroups: groups, routerGroupTopk: groupTopk };
  };
  const hidden = num(m.hidden_size, 1);
  const heads = num(att.heads, 1);
  const type = str<AttentionType>(att.type, 'mha');
  const moe: ResolvedMoe | undefined = moeIn && {
    denseLayers: num(moeIn.dense_layers, 0),
    routedExperts: num(moeIn.routed_experts, 1),
    sharedExperts: num(moeIn.shared_experts, 0),
    expertsPerToken: num(moeIn.experts_per_token, 1),
    expertHiddenSize: num(moeIn.expert_hidden_size, 1),
    ...routing(moeIn, num(p.expert, 1), num(c.gpus_per_node, 8)),
    forceLoadBalancing: moeIn.force_load_balancing === true,
    loadImbalance: num(moeIn.load_imbalance, EXPERT_LOAD_IMBALANCE),
  };
  const mla = type === 'mla';
  const qkNope = num(att.qk_nope_head_dim, 128);
  const qkRope = num(att.qk_rope_head_dim, 64);

  const compute = str<'bf16' | 'fp8'>(pr.compute, 'bf16');
  const f = obj(pr.fp8);
  const fp8: ResolvedFp8 | undefined =
    compute === 'fp8'
      ? {
          format: str<Fp8Format>(f.format, 'e4m3'),
          scaling: str<Fp8Scaling>(f.scaling, 'blockwise'),
          activationTile: num(f.activation_tile, 128),
          weightBlock: num(f.weight_block, 128),
          accumulationInterval: num(f.accumulation_interval, 128),
          highPrecision: Array.isArray(f.high_precision) ? (f.high_precision as HighPrecisionModule[]) : [...DEFAULT_HIGH_PRECISION],
          dispatchFp8: typeof f.dispatch_fp8 === 'boolean' ? f.dispatch_fp8 : true,
        }
      : undefined;

  const gpu = resolveGpu(c.gpu ?? 'h100-sxm');
  const nodes = num(c.nodes, 1);
  const gpusPerNode = num(c.gpus_per_node, 8);
  const tensor = num(p.tensor, 1);
  const pipeline = num(p.pipeline, 1);
  const context = num(p.context, 1);
  const given = opt(p.data);
  // A non-integral derived degree is floored here and reported by parallelism/data-not-integral.
  const data = given ?? Math.max(1, Math.floor((nodes * gpusPerNode) / (tensor * pipeline * context)));
  const globalBatchSize = num(t.global_batch_size, 1);
  const microBatchSize = num(t.micro_batch_size, 1);
  const recompute = str<Recompute>(t.recompute, 'selective');
  // The default list, narrowed to the modules this model has (MLA, MoE, dense MLP layers) and to what the recipe allows:
  // delayed FP8 scaling cannot recompute layernorm or moe_act (Megatron-Core transformer_config.py refuses it).
  const delayed = fp8?.scaling === 'delayed';
  const applies = (x: RecomputeModule) =>
    (x !== 'mla_up_proj' || type === 'mla') && (x !== 'moe_act' || (moe !== undefined && !delayed)) && (x !== 'layernorm' || !delayed) &&
    (x !== 'mlp_act' || moe === undefined || moe.denseLayers > 0);
  const modules = Array.isArray(t.recompute_modules) ? (t.recompute_modules.filter((x) => typeof x === 'string') as RecomputeModule[]) : DEFAULT_RECOMPUTE_MODULES.filter(applies);

  return {
    name: str(root.name, 'Untitled run'),
    model: {
      layers: num(m.layers, 1),
      hiddenSize: hidden,
      // An all-MoE model has no dense FFN; the expert size stands in where a dense size is asked for.
      ffnHiddenSize: num(m.ffn_hidden_size, moe?.expertHiddenSize ?? 4 * hidden),
      vocabSize: num(m.vocab_size, 1),
      activation: str<Activation>(m.activation, 'swiglu'),
      attention: {
        type,
        heads,
        kvHeads: type === 'gqa' ? num(att.kv_heads, heads) : heads,
        headDim: num(att.head_dim, mla ? qkNope + qkRope : Math.floor(hidden / heads)),
        ...(mla
          ? {
              qLoraRank: opt(att.q_lora_rank),
              kvLoraRank: num(att.kv_lora_rank, 512),
              qkNopeHeadDim: qkNope,
              qkRopeHeadDim: qkRope,
              vHeadDim: num(att.v_head_dim, 128),
            }
          : {}),
      },
      moe,
      mtpDepth: num(m.mtp_depth, 0),
      tiedEmbeddings: m.tied_embeddings === true,
    },
    training: {
      tokens: parseTokenCount(t.tokens),
      sequenceLength: num(t.sequence_length, 1),
      globalBatchSize,
      microBatchSize,
      recompute,
      recomputeModules: modules,
      recomputeMethod: str<RecomputeMethod>(t.recompute_method, 'uniform'),
      recomputeLayers: num(t.recompute_layers, 1),
      attentionBackend: str<AttentionBackend>(t.attention_backend, 'auto'),
      crossEntropyLossFusion: t.cross_entropy_loss_fusion === true,
    },
    precision: {
      compute,
      fp8,
      masterWeights: str(pr.master_weights, 'fp32'),
      optimizerStates: str(pr.optimizer_states, 'fp32'),
      gradients: str(pr.gradients, 'fp32'),
    },
    parallelism: {
      tensor,
      pipeline,
      data,
      dataDerived: given === undefined,
      context,
      expert: num(p.expert, 1),
      expertTensor: num(p.expert_tensor, 1),
      zeroStage: num(p.zero_stage, 1) as 0 | 1 | 2 | 3,
      schedule: str<ScheduleKind>(p.schedule, '1f1b'),
      virtualStages: num(p.virtual_stages, 1),
      microBatches: Math.max(1, Math.floor(globalBatchSize / (data * microBatchSize))),
      overlapExpertComm: p.overlap_expert_comm === true,
      // Megatron-Core's defaults: allgather dispatcher, TP/DP overlap off, P2P overlap on, an even layer split.
      moeTokenDispatcher: str<MoeTokenDispatcher>(p.moe_token_dispatcher, 'allgather'),
      tpCommOverlap: p.tp_comm_overlap === true,
      tpCommSmMargin: (() => {
        const given = obj(p.tp_comm_sm_margin);
        const margin = defaultTpCommSmMargin();
        for (const k of TP_COMM_SM_MARGIN_KEYS) margin[k] = Math.max(0, num(given[k], margin[k]));
        return margin;
      })(),
      overlapGradReduce: p.overlap_grad_reduce === true,
      overlapParamGather: p.overlap_param_gather === true,
      overlapP2pComm: p.overlap_p2p_comm !== false,
      // Megatron-Core's default: off (ModelParallelConfig.sequence_parallel = False; arguments.py turns it off at TP 1).
      sequenceParallel: p.sequence_parallel === true && tensor > 1,
      dataShard: opt(p.data_shard),
      ddpBucketSize: opt(p.ddp_bucket_size),
      firstStageLayers: opt(p.first_stage_layers),
      lastStageLayers: opt(p.last_stage_layers),
    },
    cluster: {
      gpu,
      nodes,
      gpusPerNode,
      intraNodeGBps: num(c.intra_node_gbps, gpu.intraNodeGBps),
      interNodeGBps: num(c.inter_node_gbps, gpu.interNodeGBps),
      pricePerGpuHour: opt(c.price_per_gpu_hour),
    },
  };
}
