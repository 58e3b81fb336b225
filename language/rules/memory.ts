/** Memory: the simulator's closed-form estimate (no timeline) against the GPU's HBM, on every keystroke. */
import { estimateMemory } from '../../simulator/memory';
import { DOES_NOT_FIT_CODE, type Diagnostic } from '../diagnostics';
import { stageCount } from '../../simulator/stages';
import { fmt, report, type RuleContext } from './context';

const gib = (x: number) => `${fmt(Math.round(x * 10) / 10)} GiB`;

export function memoryRules(ctx: RuleContext): Diagnostic[] {
  const { parallelism: p, model, cluster } = ctx.config;
  // An empty stage is already an error; the estimate has nothing sensible to say about it.
  if (model.layers < stageCount(p.schedule, p.pipeline, p.virtualStages)) return [];
  const memory = estimateMemory(ctx.config, undefined, ctx.layerSplit.stageLayers);
  if (memory.fits || memory.perStage.length === 0) return [];
  const worst = memory.perStage.reduce((a, b) => (b.totalGiB > a.totalGiB ? b : a));
  const parts = [
    `parameters ${gib(worst.parametersGiB)}`,
    `gradients ${gib(worst.gradientsGiB)}`,
    `optimizer ${gib(worst.optimizerGiB)}`,
    `activations ${gib(worst.activationsGiB)} (${fmt(worst.peakActivationChunks)} micro-batch chunks in flight)`,
    `buffers ${gib(worst.buffersGiB)}`,
  ];
  return [
    report(ctx, 'error', DOES_NOT_FIT_CODE, 'parallelism',
      `Pipeline rank ${worst.rank} needs about ${gib(memory.peakGiB)} but ${cluster.gpu.name} has ${gib(memory.hbmGiB)}: ${parts.join(', ')}. ` +
        'More pipeline, tensor or expert parallelism, a higher zero_stage, recompute: full or a smaller micro_batch_size would reduce it.'),
  ];
}
