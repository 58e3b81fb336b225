/**
 * FP8 rules, against the DeepSeek-V3 recipe (arXiv 2412.19437 §3.3) and Transformer Engine's recipes:
 * hardware support, tile/block divisibility per tensor shard, settings the chosen scaling contradicts,
 * and modules the published recipe keeps in higher precision.
 */
import type { Diagnostic } from '../diagnostics';
import { fixOf, setValueFix } from '../fixes';
import type { ResolvedFp8 } from '../../simulator/config';
import { fmt, has, report, type RuleContext } from './context';

/** MXFP8 shares one E8M0 scale per 32 consecutive elements (OCP Microscaling spec). */
export const MXFP8_BLOCK = 32;
/** FP8 GEMMs in cuBLASLt need every dimension to be a multiple of 16. */
export const FP8_GEMM_ALIGNMENT = 16;
/** DeepSeek-V3 promotes to FP32 every 128 elements: Hopper tensor cores keep ~14 bits (K=4096 unpromoted: ~2% error). */
export const PUBLISHED_ACCUMULATION_INTERVAL = 128;

const WHY_HIGH_PRECISION =
  'DeepSeek-V3 keeps the embedding and output head in BF16/FP32: they are sensitive to low precision and cost little compute (arXiv 2412.19437 §3.3).';

function gpuSupport(ctx: RuleContext, fp8: ResolvedFp8): Diagnostic[] {
  const gpu = ctx.config.cluster.gpu;
  if (gpu.fp8Tflops === undefined) {
    return [report(ctx, 'error', 'fp8/gpu-unsupported', 'precision.compute',
      `${gpu.name} has no FP8 tensor cores; FP8 training needs Hopper (H100/H800/H200) or newer.`,
      [setValueFix(ctx.doc, 'precision.compute', 'bf16', undefined, true)])];
  }
  if (fp8.scaling === 'mxfp8' && !gpu.mxfp8) {
    return [report(ctx, 'error', 'fp8/mxfp8-unsupported', 'precision.fp8.scaling',
      `MXFP8 scaling is done in hardware on Blackwell (B200); ${gpu.name} does not support it.`,
      [setValueFix(ctx.doc, 'precision.fp8.scaling', 'blockwise', undefined, true)])];
  }
  return [];
}

function contradictions(ctx: RuleContext, fp8: ResolvedFp8): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base = 'precision.fp8';
  const tileKeys = ['activation_tile', 'weight_block'].filter((k) => has(ctx, `${base}.${k}`));
  if ((fp8.scaling === 'tensorwise' || fp8.scaling === 'delayed') && tileKeys.length > 0) {
    for (const k of tileKeys) {
      out.push(report(ctx, 'error', 'fp8/scaling-contradiction', `${base}.${k}`,
        `${k} only applies to blockwise scaling; with ${fp8.scaling} scaling there is one scale per tensor.`,
        [setValueFix(ctx.doc, `${base}.scaling`, 'blockwise')]));
    }
  }
  if (fp8.scaling === 'mxfp8') {
    for (const k of tileKeys) {
      const v = k === 'activation_tile' ? fp8.activationTile : fp8.weightBlock;
      if (v !== MXFP8_BLOCK) {
        out.push(report(ctx, 'error', 'fp8/scaling-contradiction', `${base}.${k}`,
          `MXFP8 scales every ${MXFP8_BLOCK} elements in hardware; ${k} ${fmt(v)} contradicts it.`,
          [setValueFix(ctx.doc, `${base}.${k}`, MXFP8_BLOCK, undefined, true)]));
      }
    }
  }
  if (fp8.scaling === 'blockwise' && fp8.format === 'hybrid') {
    out.push(report(ctx, 'error', 'fp8/scaling-contradiction', `${base}.format`,
      'Blockwise scaling uses E4M3 for every GEMM input, forward and backward (DeepSeek-V3; Transformer Engine\'s blockwise recipe); the hybrid E5M2 backward contradicts it.',
      [setValueFix(ctx.doc, `${base}.format`, 'e4m3', undefined, true)]));
  }
  if (fp8.accumulationInterval > PUBLISHED_ACCUMULATION_INTERVAL) {
    out.push(report(ctx, 'info', 'fp8/accumulation-interval', `${base}.accumulation_interval`,
      `Accumulating ${fmt(fp8.accumulationInterval)} elements before FP32 promotion: Hopper tensor cores keep about 14 bits, and DeepSeek-V3 promotes every ${PUBLISHED_ACCUMULATION_INTERVAL} (K=4096 unpromoted gave ~2% error).`,
      [setValueFix(ctx.doc, `${base}.accumulation_interval`, PUBLISHED_ACCUMULATION_INTERVAL)]));
  }
  return out;
}

/** Each GEMM dimension a GPU sees, after its tensor shard, must hold whole tiles and blocks. */
function divisibility(ctx: RuleContext, fp8: ResolvedFp8): Diagnostic[] {
  const { model, parallelism: p } = ctx.config;
  const sizes: { path: string; label: string; size: number; shard: number; shardName: string }[] = [
    { path: 'model.hidden_size', label: 'hidden_size', size: model.hiddenSize, shard: 1, shardName: '' },
  ];
  if (!model.moe || model.moe.denseLayers > 0) {
    sizes.push({ path: 'model.ffn_hidden_size', label: 'ffn_hidden_size', size: model.ffnHiddenSize, shard: p.tensor, shardName: 'tensor' });
  }
  if (model.moe) {
    sizes.push({ path: 'model.moe.expert_hidden_size', label: 'expert_hidden_size', size: model.moe.expertHiddenSize, shard: p.expertTensor, shardName: 'expert_tensor' });
  }
  const granules: { name: string; value: number }[] =
    fp8.scaling === 'blockwise'
      ? [{ name: `activation_tile ${fmt(fp8.activationTile)}`, value: fp8.activationTile }, { name: `weight_block ${fmt(fp8.weightBlock)}`, value: fp8.weightBlock }]
      : fp8.scaling === 'mxfp8'
        ? [{ name: `the MXFP8 block of ${MXFP8_BLOCK}`, value: MXFP8_BLOCK }]
        : [{ name: `the FP8 GEMM alignment of ${FP8_GEMM_ALIGNMENT}`, value: FP8_GEMM_ALIGNMENT }];
  const out: Diagnostic[] = [];
  for (const s of sizes) {
    const perShard = s.size / s.shard;
    const bad = granules.filter((g) => !Number.isInteger(perShard) || perShard % g.value !== 0);
    if (bad.length === 0) continue;
    const shardText = s.shard > 1 ? ` / ${s.shardName} ${fmt(s.shard)} = ${fmt(perShard)} per GPU` : '';
    out.push(report(ctx, 'error', 'fp8/tile-divisibility', s.path,
      `${s.label} ${fmt(s.size)}${shardText} is not a multiple of ${bad.map((g) => g.name).join(' and ')}: FP8 scaling tiles would straddle the shard.`));
  }
  return out;
}

function highPrecision(ctx: RuleContext, fp8: ResolvedFp8): Diagnostic[] {
  const missing = (['embedding', 'output_head'] as const).filter((m) => !fp8.highPrecision.includes(m));
  if (missing.length === 0) return [];
  const listPath = 'precision.fp8.high_precision';
  const fixes = ctx.doc.nodes.has(listPath)
    ? [fixOf(`Add ${missing.join(' and ')} to high_precision`, ctx.doc.edits.appendItems(listPath, missing))]
    : [fixOf(`Keep ${missing.join(' and ')} in high precision`, ctx.doc.edits.setValue(listPath, [...fp8.highPrecision, ...missing]))];
  const names = missing.map((m) => (m === 'output_head' ? 'output head' : m)).join(' and ');
  return [report(ctx, 'info', 'fp8/high-precision', listPath, `The ${names} ${missing.length > 1 ? 'run' : 'runs'} in FP8 here. ${WHY_HIGH_PRECISION}`, fixes)];
}

export function fp8Rules(ctx: RuleContext): Diagnostic[] {
  const { precision } = ctx.config;
  if (precision.compute !== 'fp8' || !precision.fp8) {
    return has(ctx, 'precision.fp8')
      ? [report(ctx, 'warning', 'fp8/unused', 'precision.fp8', 'These FP8 settings have no effect: precision.compute is bf16.',
          [setValueFix(ctx.doc, 'precision.compute', 'fp8')])]
      : [];
  }
  const fp8 = precision.fp8;
  const support = gpuSupport(ctx, fp8);
  return [...support, ...contradictions(ctx, fp8), ...divisibility(ctx, fp8), ...highPrecision(ctx, fp8)];
}
