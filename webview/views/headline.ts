/** The headline: what the run costs and how well it uses the GPUs. */
import type { ResolvedConfig } from '../../simulator/config';
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
import { h, icon, section, setText } from './dom';

interface Tile {
  label: string;
  value: string;
  detail?: string;
  iconName: string;
}

/** A tile's elements, built once and then updated in place (the tiles are the same eight every time). */
interface TileElements {
  value: HTMLElement;
  detail: HTMLElement;
}

export class HeadlineView {
  readonly root: HTMLElement;
  private readonly grid = h('dl', { class: 'tiles' });
  private readonly notes = h('ul', { class: 'notes', hidden: true });
  private tiles: TileElements[] = [];
  private notesShown = '';

  constructor() {
    const s = section('headline', 'Run', 'dashboard');
    this.root = s.root;
    s.body.append(this.grid, this.notes);
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
    if (this.tiles.length !== tiles.length) {
      this.tiles = tiles.map((t) => {
        const value = h('dd', { class: 'tile-value' });
        const detail = h('dd', { class: 'tile-detail' });
        this.grid.append(h('div', { class: 'tile' }, h('dt', {}, icon(t.iconName), ` ${t.label}`), value, detail));
        return { value, detail };
      });
    }
    tiles.forEach((t, i) => {
      setText(this.tiles[i].value, t.value);
      setText(this.tiles[i].detail, t.detail ?? '');
    });

    const notes = (r.breakdown?.notes ?? []).slice(0, 6);
    const signature = notes.join('\n');
    if (signature !== this.notesShown) {
      this.notesShown = signature;
      this.notes.replaceChildren(...notes.map((n) => h('li', {}, icon('info'), ` ${n}`)));
      this.notes.hidden = notes.length === 0;
    }
  }
}
