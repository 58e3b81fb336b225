/**
 * Compact text for the status bar and its tooltip. Pure (no `vscode`), so it is tested without an editor.
 */
import type { SimulationResult } from '../simulator/result';

const SUFFIXES: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** Three significant digits with a K/M/B/T suffix: 2_664_000 → "2.66M", 12_345 → "12.3K", 950 → "950". */
export function compactNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '−∞' : '?';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  for (let i = 0; i < SUFFIXES.length; i++) {
    const [scale, suffix] = SUFFIXES[i];
    if (abs < scale) continue;
    const scaled = Number((abs / scale).toPrecision(3));
    // 999_950 rounds to 1000K: say 1.00M instead.
    if (scaled >= 1000 && i > 0) return `${sign}${(scaled / 1000).toFixed(2)}${SUFFIXES[i - 1][1]}`;
    return `${sign}${trimPrecision(scaled)}${suffix}`;
  }
  return `${sign}${trimPrecision(Number(abs.toPrecision(3)))}`;
}

function trimPrecision(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Wall-clock time: "55 d" from ten days up, "4.2 d" from one, then hours, then minutes. */
export function formatDuration(days: number): string {
  if (!Number.isFinite(days) || days < 0) return '?';
  if (days >= 10) return `${Math.round(days)} d`;
  if (days >= 1) return `${days.toFixed(1)} d`;
  const hours = days * 24;
  if (hours >= 1) return `${hours.toFixed(1)} h`;
  return `${Math.max(1, Math.round(hours * 60))} min`;
}

export function formatUsd(usd: number): string {
  return `$${compactNumber(usd)}`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '?';
  return `${(fraction * 100).toFixed(1)}%`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  return seconds >= 10 ? `${seconds.toFixed(1)} s` : `${seconds.toFixed(2)} s`;
}

/** The status bar text: "≈ 2.66M GPU-h · 54 d". */
export function estimateText(result: Pick<SimulationResult, 'gpuHours' | 'wallClockDays'>): string {
  return `≈ ${compactNumber(result.gpuHours)} GPU-h · ${formatDuration(result.wallClockDays)}`;
}

/** "1 problem", "3 problems". */
export function problemsText(errors: number): string {
  return `${errors} ${errors === 1 ? 'problem' : 'problems'}`;
}

/** The tooltip: the estimate's headline numbers as a markdown table. */
export function estimateTooltip(result: SimulationResult, name?: string): string {
  const rows: [string, string][] = [
    ['GPU-hours', compactNumber(result.gpuHours)],
    ['Wall clock', formatDuration(result.wallClockDays)],
    ['Cost', result.costUsd === undefined ? 'no price set (`cluster.price_per_gpu_hour`)' : formatUsd(result.costUsd)],
    ['MFU', formatPercent(result.mfu)],
    ['Tokens/s', compactNumber(result.tokensPerSecond)],
    ['Step time', formatSeconds(result.stepSeconds)],
    ['Pipeline bubble', formatPercent(result.bubbleFraction)],
    ['Exposed communication', formatPercent(result.exposedCommFraction)],
    [
      'Peak memory per GPU',
      `${result.memory.peakGiB.toFixed(1)} of ${result.memory.hbmGiB} GiB${result.memory.fits ? '' : ' — does not fit'}`,
    ],
  ];
  const title = name ? `**${escapeMarkdown(name)}** — estimate` : '**Estimate**';
  return [title, '', '| | |', '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '', 'Click to open the preview.'].join(
    '\n',
  );
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
