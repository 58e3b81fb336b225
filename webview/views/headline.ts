/** The headline: what the run costs and how well it uses the GPUs. */
import type { ResolvedConfig } from '../../language/resolved';
import type { SimulationResult } from '../../simulator/result';
import {
  formatCount,
  formatDays,
  formatGpuHours,
  formatPercent,
  formatSeconds,
  formatTflops,
  formatTokensPerSecond,
  formatUsd,
  scheduleName,
} from '../format';
import { clear, h, icon, section } from './dom';

interface Tile {
  label: string;
  value: string;
  detail?: string;
  iconName: string;
}

export class HeadlineView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    const s = section('headline', 'Run', 'dashboard');
    this.root = s.root;
    this.body = s.body;
  }

  render(config: ResolvedConfig, r: SimulationResult): void {
    const gpus = config.cluster.nodes * config.cluster.gpusPerNode;
    const tiles: Tile[] = [
      {
        label: 'GPU-hours',
        value: formatGpuHours(r.gpuHours),
        detail: `${formatCount(config.training.tokens)} tokens`,
        iconName: 'pulse',
      },
      { label: 'Wall clock', value: formatDays(r.wallClockDays), detail: `${formatCount(gpus)} × ${config.cluster.gpu.name}`, iconName: 'watch' },
      {
        label: 'Cost',
        value: formatUsd(r.costUsd),
        detail: config.cluster.pricePerGpuHour !== undefined ? `at $${config.cluster.pricePerGpuHour}/GPU-hour` : 'set cluster.price_per_gpu_hour',
        iconName: 'credit-card',
      },
      { label: 'MFU', value: formatPercent(r.mfu), detail: `${formatTflops(r.tflopsPerGpu)} per GPU`, iconName: 'flame' },
      { label: 'Throughput', value: formatTokensPerSecond(r.tokensPerSecond), detail: `${formatCount(r.steps)} steps`, iconName: 'rocket' },
      { label: 'Step time', value: formatSeconds(r.stepSeconds), detail: scheduleName(config.parallelism.schedule), iconName: 'clock' },
      { label: 'Pipeline bubble', value: formatPercent(r.bubbleFraction), detail: 'idle share of the step', iconName: 'debug-pause' },
      { label: 'Exposed comm', value: formatPercent(r.exposedCommFraction), detail: 'not hidden under compute', iconName: 'radio-tower' },
    ];
    clear(this.body);
    const grid = h('dl', { class: 'tiles' });
    for (const t of tiles) {
      grid.append(
        h(
          'div',
          { class: 'tile' },
          h('dt', {}, icon(t.iconName), ` ${t.label}`),
          h('dd', { class: 'tile-value' }, t.value),
          t.detail ? h('dd', { class: 'tile-detail' }, t.detail) : null,
        ),
      );
    }
    this.body.append(grid);
    const notes = r.breakdown?.notes ?? [];
    if (notes.length > 0) {
      const list = h('ul', { class: 'notes' });
      for (const n of notes.slice(0, 6)) list.append(h('li', {}, icon('info'), ` ${n}`));
      this.body.append(list);
    }
  }
}
