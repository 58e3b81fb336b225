/**
 * The resolved config: the YAML after defaults, GPU presets and derived values are applied.
 * Plain JSON (no functions, no classes): it crosses the webview boundary and can be printed.
 * The simulator depends on this type alone from `language/`.
 */

export type ScheduleKind =
  | 'gpipe'
  | '1f1b'
  | 'interleaved-1f1b'
  | 'zb-h1'
  | 'zb-h2'
  | 'zbv'
  | 'dualpipe'
  | 'dualpipev';

export const SCHEDULE_KINDS: readonly ScheduleKind[] = [
  'gpipe',
  '1f1b',
  'interleaved-1f1b',
  'zb-h1',
  'zb-h2',
  'zbv',
  'dualpipe',
  'dualpipev',
];

export function isScheduleKind(value: unknown): value is ScheduleKind {
  return typeof value === 'string' && (SCHEDULE_KINDS as readonly string[]).includes(value);
}

/** How papers and tools write each schedule's name. */
export const SCHEDULE_DISPLAY_NAMES: Readonly<Record<ScheduleKind, string>> = {
  gpipe: 'GPipe',
  '1f1b': '1F1B',
  'interleaved-1f1b': 'Interleaved 1F1B',
  'zb-h1': 'ZB-H1',
  'zb-h2': 'ZB-H2',
  zbv: 'ZB-V',
  dualpipe: 'DualPipe',
  dualpipev: 'DualPipeV',
};

export type Activation = 'swiglu' | 'geglu' | 'gelu' | 'relu' | 'squared_relu';
export type AttentionType = 'mha' | 'gqa' | 'mla';
export type Recompute = 'none' | 'selective' | 'full';
/** Megatron-Core --attention-backend; `auto`, `flash` and `fused` never write the s × s scores. */
export type AttentionBackend = 'auto' | 'flash' | 'fused' | 'unfused';
/** Megatron-Core --moe-token-dispatcher-type (`flex` = DeepEP-style node-deduplicated dispatch). */
export type MoeTokenDispatcher = 'allgather' | 'alltoall' | 'flex';
export type Fp8Format = 'e4m3' | 'hybrid';
export type Fp8Scaling = 'tensorwise' | 'delayed' | 'blockwise' | 'mxfp8';
/** Modules a recipe can keep out of FP8. */
export type HighPrecisionModule = 'embedding' | 'output_head' | 'router' | 'norm' | 'attention' | 'mlp' | 'experts';

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
  /** Node-limited routing M; undefined = unlimited. */
  maxNodesPerToken?: number;
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
  attentionBackend: AttentionBackend;
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
  compute: 'bf16' | 'fp8';
  fp8?: ResolvedFp8;
  masterWeights: 'fp32' | 'bf16';
  optimizerStates: 'fp32' | 'bf16';
  gradients: 'fp32' | 'bf16';
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
  zeroStage: 0 | 1 | 2 | 3;
  schedule: ScheduleKind;
  virtualStages: number;
  /** Derived: global_batch_size / (data × micro_batch_size), rounded down when not an integer (a rule reports it). */
  microBatches: number;
  /** Whether EP all-to-all is overlapped with compute under schedules that do not pair chunks (e.g. 1F1B). */
  overlapExpertComm: boolean;
  moeTokenDispatcher: MoeTokenDispatcher;
  /** Megatron --tp-comm-overlap, --overlap-grad-reduce, --overlap-param-gather, --overlap-p2p-communication. */
  tpCommOverlap: boolean;
  overlapGradReduce: boolean;
  overlapParamGather: boolean;
  overlapP2pComm: boolean;
  /** Megatron --decoder-first/last-pipeline-num-layers; undefined = an even split. */
  firstStageLayers?: number;
  lastStageLayers?: number;
}

/** A GPU's peaks: dense, no sparsity. */
export interface GpuSpec {
  /** Preset id (`h800`) or `custom`. */
  id: string;
  name: string;
  /** GPU family for the efficiency constants: 'ampere' | 'hopper' | 'blackwell'. */
  family: 'ampere' | 'hopper' | 'blackwell';
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
