/**
 * Data-parallel buckets (Megatron-Core's DDP): how many collectives a step's gradient and parameter sync issues, and
 * what each costs. Megatron-LM megatron/training/training.py `resolve_ddp_bucket_size`, `per_chunk_bucket_sizes`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataParallelStep, ddpBucketParameters, ddpBuckets, lastBucketShare, placement, zeroShardSizes } from '../../simulator/comm';
import type { ResolvedConfig } from '../../simulator/config';
import { COLLECTIVE_LATENCY_SECONDS } from '../../simulator/constants';
import { estimateMemory, stageParameters } from '../../simulator/memory';
import { stageCount, stageLayers, stagesOfRank } from '../../simulator/stages';
import { simulate } from '../../simulator/simulate';
import { deepSeekV3, llama3405B } from './fixtures';

const par = (c: ResolvedConfig, p: Partial<ResolvedConfig['parallelism']>): ResolvedConfig => ({ ...c, parallelism: { ...c.parallelism, ...p } });

test("the default bucket is Megatron-Core's max(40M, 1M × DP·CP) parameters; ddp_bucket_size overrides it", () => {
  const c = llama3405B();
  assert.equal(ddpBucketParameters(par(c, { data: 8, context: 1 })), 40e6);
  assert.equal(ddpBucketParameters(par(c, { data: 48, context: 1 })), 48e6);
  assert.equal(ddpBucketParameters(par(c, { data: 64, context: 2 })), 128e6);
  assert.equal(ddpBucketParameters(par(c, { data: 64, context: 2, ddpBucketSize: 25e6 })), 25e6);
});

test('only the first chunk of pipeline rank 0 is bucketed, and only with overlap_grad_reduce', () => {
  const c = par(llama3405B(), { data: 48, context: 1, overlapGradReduce: true, zeroStage: 1 });
  const chunks = [{ dense: 480e6, experts: 0, layers: 8, expertLayers: 8 }, { dense: 480e6, experts: 0, layers: 8, expertLayers: 8 }];
  // 480M / 48M = 10 buckets for chunk 0, one for chunk 1.
  assert.deepEqual(ddpBuckets(c, chunks, 0), { dense: 11, experts: 0 });
  assert.deepEqual(ddpBuckets(c, chunks, 3), { dense: 2, experts: 0 });
  assert.deepEqual(ddpBuckets(par(c, { overlapGradReduce: false }), chunks, 0), { dense: 2, experts: 0 });
  // A partial bucket is a bucket; expert parameters bucket in their own buffer.
  assert.deepEqual(ddpBuckets(c, [{ dense: 481e6, experts: 100e6, layers: 8, expertLayers: 8 }], 0), { dense: 11, experts: 3 });
});

test('each bucket is its own collective: the same bytes, one latency per bucket', () => {
  const c = par(llama3405B(), { zeroStage: 1 });
  const one = dataParallelStep(c, 1e9, 0, { dense: 1, experts: 0 });
  const ten = dataParallelStep(c, 1e9, 0, { dense: 10, experts: 0 });
  assert.ok(Math.abs(ten.gradients.interNodeBytes + ten.gradients.intraNodeBytes - one.gradients.interNodeBytes - one.gradients.intraNodeBytes) < 1);
  // Reduce-scatter (and, without HSDP replicas, no all-reduce) per bucket; all-gather per bucket.
  assert.ok(Math.abs(ten.gradients.seconds - one.gradients.seconds - 9 * COLLECTIVE_LATENCY_SECONDS) < 1e-9);
  assert.ok(Math.abs(ten.parameters.seconds - one.parameters.seconds - 9 * COLLECTIVE_LATENCY_SECONDS) < 1e-9);
});

test('a smaller bucket means more collectives and a step no shorter; memory counts no buckets at ZeRO 1 (views of the gradient buffer)', () => {
  const c = par(llama3405B(), { overlapGradReduce: true, overlapParamGather: true, zeroStage: 1 });
  const big = simulate(c);
  const small = simulate(par(c, { ddpBucketSize: 1e6 }));
  assert.ok(big.ok && small.ok);
  const dp = (r: typeof big) => (r.ok ? r.result.breakdown.comm.find((x) => x.kind === 'dp')!.totalSeconds : NaN);
  assert.ok(dp(small) > dp(big), `${dp(small)} > ${dp(big)}`);
  assert.ok(small.result.stepSeconds >= big.result.stepSeconds);
  assert.equal(estimateMemory(par(c, { ddpBucketSize: 1e9 })).perStage[0].buffersGiB, estimateMemory(c).perStage[0].buffersGiB);
});

test('ZeRO 2-3 are FSDP: one unit per layer on every chunk of every pipeline rank, two units in flight in memory', () => {
  const z2 = par(llama3405B(), { data: 48, context: 1, overlapGradReduce: true, zeroStage: 2 });
  const two = [{ dense: 480e6, experts: 0, layers: 8, expertLayers: 8 }, { dense: 480e6, experts: 0, layers: 4, expertLayers: 4 }];
  assert.deepEqual(ddpBuckets(z2, two, 0), { dense: 12, experts: 0 });
  assert.deepEqual(ddpBuckets(z2, two, 3), { dense: 12, experts: 0 }, 'a later pipeline rank too');
  assert.deepEqual(ddpBuckets(par(z2, { overlapGradReduce: false }), two, 3), { dense: 12, experts: 0 }, 'FSDP communicates per unit regardless');
  // What stays exposed is chunk 0's last unit to fill: one of its 8 layers.
  assert.ok(Math.abs(lastBucketShare(z2, two, 3) - 60 / 960) < 1e-12);
  // Memory: two units' full gradients at ZeRO 2 (whatever ddp_bucket_size says); ZeRO 3 adds two units' gathered BF16 weights.
  const buffers = (c: ResolvedConfig) => estimateMemory(c).perStage[1].buffersGiB;
  const z1 = par(z2, { zeroStage: 1 });
  const gradBytes = z2.precision.gradients === 'fp32' ? 4 : 2;
  const p = z2.parallelism;
  const stages = stageCount(p.schedule, p.pipeline, p.virtualStages);
  const params = stageParameters(z2, stages);
  const held = stagesOfRank(p.schedule, p.pipeline, p.virtualStages, 1).filter((s) => s < stages);
  const sum = (f: (s: number) => number) => held.reduce((a, s) => a + f(s), 0);
  const unitGiB = sum((s) => params[s].dense / p.tensor + params[s].experts / (p.expert * p.expertTensor)) / sum((s) => params[s].layers) / 2 ** 30;
  assert.ok(Math.abs(buffers(z2) - buffers(z1) - 2 * unitGiB * gradBytes) < 1e-9, `${buffers(z2) - buffers(z1)} vs ${2 * unitGiB * gradBytes}`);
  assert.equal(buffers(par(z2, { ddpBucketSize: 400e6 })), buffers(z2));
  assert.ok(Math.abs(buffers(par(z2, { zeroStage: 3 })) - buffers(z2) - 2 * unitGiB * 2) < 1e-9);
});

test('dense gradients reduce, and ZeRO shards them, over the data-parallel ranks with context parallelism (DP × CP)', () => {
  const c = par(llama3405B(), { zeroStage: 1, data: 64, context: 1 });
  const withCp = par(c, { context: 2 });
  assert.equal(placement(c).dp.size, 64);
  assert.equal(placement(withCp).dp.size, 128);
  assert.equal(placement(withCp).dpShard.size, 128);
  // The same DP degree with CP 2: every GPU keeps half the optimizer state.
  const opt = (x: ResolvedConfig) => estimateMemory(x).perStage[0].optimizerGiB;
  assert.ok(Math.abs(opt(withCp) / opt(c) - 0.5) < 1e-9, `${opt(withCp)} vs ${opt(c)}`);
  // HSDP: the shard group spans the CP ranks of its data-parallel shard.
  assert.equal(placement(par(withCp, { dataShard: 16 })).dpShard.size, 32);
});

test("the memory estimate's ZeRO shard sizes are placement's dpShard and expertShard (with and without HSDP)", () => {
  let hsdp = 0;
  for (const base of [llama3405B(), deepSeekV3()])
    for (const data of [1, 3, 8, 64])
      for (const dataShard of [undefined, 1, 2, 3, 8, 16])
        for (const context of [1, 2])
          for (const expert of [1, 8])
            for (const expertTensor of [1, 2]) {
              const c = par(base, { data, dataShard, context, expert, expertTensor });
              const pl = placement(c);
              if (pl.dpReplicas.size > 1) hsdp++;
              assert.deepEqual(zeroShardSizes(c), { dense: pl.dpShard.size, experts: pl.expertShard.size }, JSON.stringify({ data, dataShard, context, expert, expertTensor }));
            }
  assert.ok(hsdp > 0, 'some cases are HSDP');
});

test('FSDP in a MoE model: expert units are the layers that hold experts; the memory unit is the largest layer', () => {
  const z2 = par(deepSeekV3(), { zeroStage: 2, overlapGradReduce: true });
  // A DeepSeek-V3 first stage: 3 dense layers and 2 MoE layers.
  const chunk = { dense: 100e6, experts: 400e6, layers: 5, expertLayers: 2 };
  assert.deepEqual(ddpBuckets(z2, [chunk], 1), { dense: 5, experts: 2 });
  assert.ok(Math.abs(lastBucketShare(z2, [chunk], 1) - (100e6 / 5 + 400e6 / 2) / 500e6) < 1e-12);
  const p = z2.parallelism;
  const stages = stageCount(p.schedule, p.pipeline, p.virtualStages);
  const params = stageParameters(z2, stages);
  const layout = stageLayers(z2, stages);
  const shards = p.expert * p.expertTensor;
  const moeOnly = layout.moe.findIndex((m, s) => m > 0 && layout.dense[s] === 0 && s > 0 && s < stages - 1);
  assert.ok(moeOnly > 0, 'a middle stage of MoE layers only');
  const moeLayer = (params[moeOnly].dense / p.tensor + params[moeOnly].experts / shards) / params[moeOnly].layers;
  assert.equal(params[moeOnly].expertLayers, params[moeOnly].layers);
  const mixed = layout.moe.findIndex((m, s) => m > 0 && layout.dense[s] > 0);
  assert.ok(mixed >= 0, 'a stage with dense and MoE layers');
  const stageTotal = params[mixed].dense / p.tensor + params[mixed].experts / shards;
  const denseLayer = (stageTotal - layout.moe[mixed] * moeLayer) / layout.dense[mixed];
  const largest = Math.max(denseLayer, moeLayer);
  const largestUnit = Math.max(...params[mixed].unitKinds.map((u) => u.dense / p.tensor + u.experts / shards));
  assert.ok(Math.abs(largestUnit - largest) / largest < 1e-9, 'its unit is its largest layer');
  assert.ok(Math.abs(stageTotal / params[mixed].layers - largest) / largest > 0.01, 'which is not the mean of its layers');
  assert.equal(params[mixed].expertLayers, layout.moe[mixed]);
});

test('what stays exposed under overlap is the first chunk’s last dense and expert buckets, not the mean bucket', () => {
  const c = par(llama3405B(), { data: 48, context: 1, overlapGradReduce: true, zeroStage: 1 });
  const two = [{ dense: 480e6, experts: 0, layers: 8, expertLayers: 8 }, { dense: 480e6, experts: 0, layers: 8, expertLayers: 8 }];
  // Pipeline rank 0: chunk 0 splits into 48M buckets, the last of which fills at its final backward.
  assert.ok(Math.abs(lastBucketShare(c, two, 0) - 48 / 960) < 1e-12);
  // A later pipeline rank keeps chunk 0 whole: half of its bytes wait for chunk 0's last backward.
  assert.ok(Math.abs(lastBucketShare(c, two, 3) - 0.5) < 1e-12);
  // Dense and expert buffers fill together: both last buckets count.
  assert.ok(Math.abs(lastBucketShare(c, [{ dense: 480e6, experts: 100e6, layers: 8, expertLayers: 8 }], 0) - (48e6 + 100e6 / 3) / 580e6) < 1e-12);
});
