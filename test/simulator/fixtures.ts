/**
 * ResolvedConfig fixtures mirroring examples/*.train.yaml field for field (camelCase, GPU from GPU_PRESETS,
 * microBatches = global_batch / (data × micro_batch)). The calibration tests prefer the language service's
 * resolution of the YAML when language/check.ts exists (see load.ts) and fall back to these.
 */
import { DEFAULT_RECOMPUTE_MODULES, defaultTpCommSmMargin, type ResolvedConfig } from '../../simulator/config';
import { GPU_PRESETS } from '../../simulator/hardware';

export function deepSeekV3(): ResolvedConfig {
  return {
    name: 'DeepSeek-V3 pre-training',
    model: {
      layers: 61,
      hiddenSize: 7168,
      ffnHiddenSize: 18432,
      vocabSize: 129280,
      activation: 'swiglu',
      attention: { type: 'mla', heads: 128, kvHeads: 128, headDim: 128, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
      moe: { denseLayers: 3, routedExperts: 256, sharedExperts: 1, expertsPerToken: 8, expertHiddenSize: 2048, maxNodesPerToken: 4, forceLoadBalancing: false, loadImbalance: 1.1 },
      mtpDepth: 1,
      tiedEmbeddings: false,
    },
    training: { tokens: 14.8e12, sequenceLength: 4096, globalBatchSize: 15360, microBatchSize: 1, recompute: 'selective', recomputeModules: [...DEFAULT_RECOMPUTE_MODULES], recomputeMethod: 'uniform', recomputeLayers: 1, attentionBackend: 'auto', crossEntropyLossFusion: false },
    precision: {
      compute: 'fp8',
      fp8: {
        format: 'e4m3',
        scaling: 'blockwise',
        activationTile: 128,
        weightBlock: 128,
        accumulationInterval: 128,
        highPrecision: ['embedding', 'output_head', 'router', 'norm', 'attention'],
        dispatchFp8: true,
      },
      masterWeights: 'fp32',
      optimizerStates: 'bf16',
      gradients: 'fp32',
    },
    parallelism: {
      tensor: 1,
      pipeline: 16,
      data: 128,
      dataDerived: false,
      context: 1,
      expert: 64,
      expertTensor: 1,
      zeroStage: 1,
      schedule: 'dualpipe',
      virtualStages: 1,
      microBatches: 15360 / (128 * 1),
      overlapExpertComm: false,
      moeTokenDispatcher: 'flex',
      tpCommOverlap: false,
      tpCommSmMargin: defaultTpCommSmMargin(),
      overlapGradReduce: true,
      overlapParamGather: true,
      overlapP2pComm: true,
      sequenceParallel: false,
    },
    cluster: { gpu: GPU_PRESETS.h800, nodes: 256, gpusPerNode: 8, intraNodeGBps: 160, interNodeGBps: 50, pricePerGpuHour: 2.0 },
  };
}

/** Llama 3 405B on 16,384 H100 (TP8 PP16 DP128), or with `data` overridden (the 8,192-GPU row: data 64, 1,024 nodes). */
export function llama3405B(data = 128): ResolvedConfig {
  const gpu = GPU_PRESETS['h100-sxm'];
  return {
    name: 'Llama 3 405B pre-training',
    model: {
      layers: 126,
      hiddenSize: 16384,
      ffnHiddenSize: 53248,
      vocabSize: 128256,
      activation: 'swiglu',
      attention: { type: 'gqa', heads: 128, kvHeads: 8, headDim: 128 },
      mtpDepth: 0,
      tiedEmbeddings: false,
    },
    training: { tokens: 15.6e12, sequenceLength: 8192, globalBatchSize: 2048, microBatchSize: 1, recompute: 'none', recomputeModules: [...DEFAULT_RECOMPUTE_MODULES], recomputeMethod: 'uniform', recomputeLayers: 1, attentionBackend: 'auto', crossEntropyLossFusion: false },
    precision: { compute: 'bf16', masterWeights: 'fp32', optimizerStates: 'fp32', gradients: 'fp32' },
    parallelism: {
      tensor: 8,
      pipeline: 16,
      data,
      dataDerived: false,
      context: 1,
      expert: 1,
      expertTensor: 1,
      zeroStage: 2,
      schedule: 'interleaved-1f1b',
      virtualStages: 4,
      microBatches: 2048 / (data * 1),
      overlapExpertComm: false,
      moeTokenDispatcher: 'allgather',
      tpCommOverlap: false,
      tpCommSmMargin: defaultTpCommSmMargin(),
      overlapGradReduce: true,
      overlapParamGather: true,
      overlapP2pComm: true,
      // Sequence parallel with TP 8, as the model always assumed (Megatron-Core recipes set it whenever TP > 1).
      sequenceParallel: true,
      firstStageLayers: 1,
      lastStageLayers: 1,
    },
    cluster: { gpu, nodes: (8 * 16 * data) / 8, gpusPerNode: 8, intraNodeGBps: gpu.intraNodeGBps, interNodeGBps: gpu.interNodeGBps, pricePerGpuHour: 2.0 },
  };
}
