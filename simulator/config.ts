/**
 * The resolved config: the YAML after defaults, GPU presets and derived values are applied.
 * Plain JSON (no functions, no classes): it crosses the webview boundary and can be printed.
 * The simulator's input: `language/` resolves a document into it, `protocol/` validates it from these lists.
 */

// Schedule names come from the schedule registry (one spec per kind).
export { isScheduleKind, SCHEDULE_DISPLAY_NAMES, SCHEDULE_KINDS, type ScheduleKind } from './schedules/registry';
import type { ScheduleKind } from './schedules/registry';
import { TE_TP_OVERLAP_MARGIN_SMS } from './constants';

// Each enum's values as a list (what message validation and completions are built from) and its type.
export const ACTIVATIONS = ['swiglu', 'geglu', 'gelu', 'relu', 'squared_relu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const ATTENTION_TYPES = ['mha', 'gqa', 'mla'] as const;
export type AttentionType = (typeof ATTENTION_TYPES)[number];
export const RECOMPUTE_MODES = ['none', 'selective', 'full'] as const;
export type Recompute = (typeof RECOMPUTE_MODES)[number];
/**
 * Modules selective recompute re-runs in backward: Megatron-Core's --recompute-modules (transformer_config.py) plus
 * `mlp_act`, the dense MLP's activation function, which Megatron has no module for (torchtitan's op-level selective
 * checkpointing and DeepSeek-V3 §3.3.4 recompute it).
 */
export const RECOMPUTE_MODULES = ['core_attn', 'layernorm', 'mla_up_proj', 'moe_act', 'mlp_act', 'mlp', 'moe', 'shared_experts'] as const;
export type RecomputeModule = (typeof RECOMPUTE_MODULES)[number];
/**
 * What `selective` has meant in this model when no module list is given: the norms, activation functions, MLA
 * up-projections and (unfused) attention core — DeepSeek-V3's recipe (arXiv 2412.19437 §3.2.3, §3.3.4). Megatron-Core's
 * own default is [core_attn]; the Megatron importers write that list explicitly. Resolve narrows it to the modules a
 * model has, and drops layernorm and moe_act under delayed FP8 scaling (which Megatron-Core cannot recompute).
 */
export const DEFAULT_RECOMPUTE_MODULES: readonly RecomputeModule[] = ['core_attn', 'layernorm', 'mla_up_proj', 'moe_act', 'mlp_act'];

/** Megatron-Core --recompute-method: which layers full recompute covers (uniform: all, in groups; block: the first N per stage). */
export const RECOMPUTE_METHODS = ['uniform', 'block'] as const;
export type RecomputeMethod = (typeof RECOMPUTE_METHODS)[number];
/** Megatron-Core --attention-backend; `auto`, `flash` and `fused` never write the s × s scores. */
export const ATTENTION_BACKENDS = ['auto', 'flash', 'fused', 'unfused'] as const;
export type AttentionBackend = (typeof ATTENTION_BACKENDS)[number];
/** Megatron-Core --moe-token-dispatcher-type (`flex` = DeepEP-style node-deduplicated dispatch). */
export const MOE_TOKEN_DISPATCHERS = ['allgather', 'alltoall', 'flex'] as const;
export type MoeTokenDispatcher = (typeof MOE_TOKEN_DISPATCHERS)[number];
export const COMPUTE_PRECISIONS = ['bf16', 'fp8'] as const;
export type ComputePrecision = (typeof COMPUTE_PRECISIONS)[number];
/** Storage widths of master weights, optimizer states and gradients. */
export const STORAGE_WIDTHS = ['fp32', 'bf16'] as const;
export type StorageWidth = (typeof STORAGE_WIDTHS)[number];
export const FP8_FORMATS = ['e4m3', 'hybrid'] as const;
export type Fp8Format = (typeof FP8_FORMATS)[number];
export const FP8_SCALINGS = ['tensorwise', 'delayed', 'blockwise', 'mxfp8'] as const;
export type Fp8Scaling = (typeof FP8_SCALINGS)[number];
/** Modules a recipe can keep out of FP8. */
export const HIGH_PRECISION_MODULES = ['embedding', 'output_head', 'router', 'norm', 'attention', 'mlp', 'experts'] as const;
export type HighPrecisionModule = (typeof HIGH_PRECISION_MODULES)[number];
export const ZERO_STAGES = [0, 1, 2, 3] as const;
export type ZeroStage = (typeof ZERO_STAGES)[number];
/** GPU families the efficiency constants are given for. */
export const GPU_FAMILIES = ['ampere', 'hopper', 'blackwell'] as const;
export type GpuFamily = (typeof GPU_FAMILIES)[number];

export interface ResolvedAttention {
  type: AttentionType;
  heads: number;
  /** Key/value heads (= heads for MHA; for MLA the latent is shared, reported as heads). */
  kvHeads: number;
  /** Per-head dimension for MHA/GQA (hidden / heads unless given). */
  headDim: number;
  /** MLA only. */
  qLoraRank?: number;
  kvLoraRank?: number;
  qkNopeHeadDim?: number;
  qkRopeHeadDim?: number;
  vHeadDim?: number;
}

export interface ResolvedMoe {
  denseLayers: number;
  routedExperts: number;
  sharedExperts: number;
  expertsPerToken: number;
  expertHiddenSize: number;
  /** Node-limited routing M; undefined = unlimited (or derived from router groups that are the EP group's nodes). */
  maxNodesPerToken?: number;
  /** Group-limited routing (Megatron --moe-router-num-groups / --moe-router-group-topk; HF n_group / topk_group). */
  routerGroups?: number;
  routerGroupTopk?: number;
  /** Megatron --moe-router-force-load-balancing: uniform routing, no imbalance. */
  forceLoadBalancing: boolean;
  /** Dropless routing: busiest expert GPU's tokens over the mean (≥ 1). */
  loadImbalance: number;
}

export interface ResolvedModel {
  layers: number;
  hiddenSize: number;
  ffnHiddenSize: number;
  vocabSize: number;
  activation: Activation;
  attention: ResolvedAttention;
  moe?: ResolvedMoe;
  mtpDepth: number;
  tiedEmbeddings: boolean;
}

export interface ResolvedTraining {
  tokens: number;
  sequenceLength: number;
  /** Sequences per optimizer step. */
  globalBatchSize: number;
  /** Sequences per micro-batch. */
  microBatchSize: number;
  recompute: Recompute;
  /** The modules selective recompute re-runs in backward (read only when `recompute` is selective). */
  recomputeModules: RecomputeModule[];
  /** Full recompute: uniform (every layer, checkpointed in groups of recomputeLayers) or block (recomputeLayers per stage). */
  recomputeMethod: RecomputeMethod;
  recomputeLayers: number;
  attentionBackend: AttentionBackend;
  /** Megatron-Core --cross-entropy-loss-fusion: one fused pass over the logits instead of FP32 elementwise passes. */
  crossEntropyLossFusion: boolean;
}

export interface ResolvedFp8 {
  format: Fp8Format;
  scaling: Fp8Scaling;
  activationTile: number;
  weightBlock: number;
  accumulationInterval: number;
  highPrecision: HighPrecisionModule[];
  /** EP dispatch sent in FP8 (DeepSeek-V3: yes); combine stays BF16. */
  dispatchFp8: boolean;
}

export interface ResolvedPrecision {
  compute: ComputePrecision;
  fp8?: ResolvedFp8;
  masterWeights: StorageWidth;
  optimizerStates: StorageWidth;
  gradients: StorageWidth;
}

export interface ResolvedParallelism {
  tensor: number;
  pipeline: number;
  /** Given, or derived from the cluster: world / (tensor × pipeline × context). */
  data: number;
  dataDerived: boolean;
  context: number;
  expert: number;
  expertTensor: number;
  zeroStage: ZeroStage;
  schedule: ScheduleKind;
  virtualStages: number;
  /** Derived: global_batch_size / (data × micro_batch_size), rounded down when not an integer (a rule reports it). */
  microBatches: number;
  /** Whether EP all-to-all is overlapped with compute under schedules that do not pair chunks (e.g. 1F1B). */
  overlapExpertComm: boolean;
  moeTokenDispatcher: MoeTokenDispatcher;
  /** Megatron --tp-comm-overlap, --overlap-grad-reduce, --overlap-param-gather, --overlap-p2p-communication. */
  tpCommOverlap: boolean;
  /** SMs each userbuffers overlap takes from its GEMM under tp_comm_overlap (Transformer Engine set_sm_margin). */
  tpCommSmMargin: TpCommSmMargin;
  overlapGradReduce: boolean;
  overlapParamGather: boolean;
  overlapP2pComm: boolean;
  /** Megatron --sequence-parallel: norms, residuals and their activations sharded over TP (meaningless at TP 1). */
  sequenceParallel: boolean;
  /**
   * Data-parallel ranks ZeRO shards over (HSDP: sharded within groups of this size, replicated data / dataShard times);
   * undefined = the whole data-parallel group (not hybrid).
   */
  dataShard?: number;
  /** Parameters per DP bucket (Megatron --ddp-bucket-size); undefined = Megatron-Core's max(40M, 1M × DP·CP). */
  ddpBucketSize?: number;
  /** Megatron --decoder-first/last-pipeline-num-layers; undefined = an even split. */
  firstStageLayers?: number;
  lastStageLayers?: number;
}

/** Per TP-block GEMM pass, the SMs its overlapped collective reserves (TE ub_cfgs names). */
export interface TpCommSmMargin {
  proj_fprop: number;
  fc2_fprop: number;
  qkv_dgrad: number;
  qkv_wgrad: number;
  fc1_dgrad: number;
  fc1_wgrad: number;
}

export const TP_COMM_SM_MARGIN_KEYS = ['proj_fprop', 'fc2_fprop', 'qkv_dgrad', 'qkv_wgrad', 'fc1_dgrad', 'fc1_wgrad'] as const;

/** Transformer Engine 2.x's defaults (constants.ts TE_TP_OVERLAP_MARGIN_SMS on every SM-driven overlap). */
export const defaultTpCommSmMargin = (): TpCommSmMargin => ({
  proj_fprop: TE_TP_OVERLAP_MARGIN_SMS,
  fc2_fprop: TE_TP_OVERLAP_MARGIN_SMS,
  qkv_dgrad: TE_TP_OVERLAP_MARGIN_SMS,
  qkv_wgrad: TE_TP_OVERLAP_MARGIN_SMS,
  fc1_dgrad: TE_TP_OVERLAP_MARGIN_SMS,
  fc1_wgrad: TE_TP_OVERLAP_MARGIN_SMS,
});

/** A GPU's peaks: dense, no sparsity. */
export interface GpuSpec {
  /** Preset id (`h800`) or `custom`. */
  id: string;
  name: string;
  /** GPU family for the efficiency constants: 'ampere' | 'hopper' | 'blackwell'. */
  family: GpuFamily;
  bf16Tflops: number;
  /** Undefined when the GPU has no FP8 tensor cores. */
  fp8Tflops?: number;
  /** MXFP8 (block-scaled FP8) support in hardware: Blackwell. */
  mxfp8: boolean;
  hbmGiB: number;
  hbmTBps: number;
  /** Spec NVLink bandwidth per GPU, bidirectional, GB/s. */
  nvlinkSpecGBps: number;
  /** Defaults for the achievable per-GPU bandwidths. */
  intraNodeGBps: number;
  interNodeGBps: number;
  /** SMs in total and reserved for communication kernels (DeepSeek-V3 used 20 of 132). */
  sms: number;
}

export interface ResolvedCluster {
  gpu: GpuSpec;
  nodes: number;
  gpusPerNode: number;
  /** Achievable GB/s per GPU inside a node (NVLink). */
  intraNodeGBps: number;
  /** Achievable GB/s per GPU across nodes (InfiniBand / RoCE). */
  interNodeGBps: number;
  pricePerGpuHour?: number;
}

export interface ResolvedConfig {
  name: string;
  model: ResolvedModel;
  training: ResolvedTraining;
  precision: ResolvedPrecision;
  parallelism: ResolvedParallelism;
  cluster: ResolvedCluster;
}
