/** Shared test data for the preview tests: a resolved config shaped like DeepSeek-V3's, and synthetic timelines. */
import type { ResolvedConfig } from '../../language/resolved';
import type { TimedOp } from '../../simulator/schedules/types';

export function sampleConfig(): ResolvedConfig {
  return {
    name: 'DeepSeek-V3 pre-training',
    model: {
      layers: 61,
      hiddenSize: 7168,
      ffnHiddenSize: 18432,
      vocabSize: 129280,
      activation: 'swiglu',
      attention: { type: 'mla', heads: 128, kvHeads: 128, headDim: 128, qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
      moe: { denseLayers: 3, routedExperts: 256, sharedExperts: 1, expertsPerToken: 8, expertHiddenSize: 2048, maxNodesPerToken: 4 },
      mtpDepth: 1,
      tiedEmbeddings: false,
    },
    training: { tokens: 14.8e12, sequenceLength: 4096, globalBatchSize: 15360, microBatchSize: 1, recompute: 'selective' },
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
      microBatches: 120,
      overlapExpertComm: true,
    },
    cluster: {
      gpu: {
        id: 'h800',
        name: 'NVIDIA H800 SXM',
        family: 'hopper',
        bf16Tflops: 989,
        fp8Tflops: 1979,
        mxfp8: false,
        hbmGiB: 80,
        hbmTBps: 3.35,
        nvlinkSpecGBps: 400,
        intraNodeGBps: 160,
        interNodeGBps: 50,
        sms: 132,
      },
      nodes: 256,
      gpusPerNode: 8,
      intraNodeGBps: 160,
      interNodeGBps: 50,
      pricePerGpuHour: 2,
    },
  };
}

/** Back-to-back ops of `kinds`, one per micro-batch in turn, with a gap of `idle` between them. */
export function syntheticRow(count: number, duration = 1, idle = 0): TimedOp[] {
  const kinds = ['F', 'B', 'b', 'W', 'FB'] as const;
  const ops: TimedOp[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    ops.push({ kind, microBatch: i, direction: (i % 2) as 0 | 1, start: t, end: t + duration, ...(kind === 'FB' ? { backward: { microBatch: i + 1, direction: 1 } } : {}) });
    t += duration + idle;
  }
  return ops;
}
