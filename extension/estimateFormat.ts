/**
 * Compact text for the status bar and its tooltip, with the preview's number rules (simulator/format).
 * Pure (no `vscode`), so it is tested without an editor.
 */
import { formatCount, formatDays, formatPercent, formatSeconds, formatUsd } from '../simulator/format';
import type { SimulationResult } from '../simulator/result';

/** The status bar text: "≈ 2.66M GPU-h · 54 d". */
export function estimateText(result: Pick<SimulationResult, 'gpuHours' | 'wallClockDays'>): string {
  return `≈ ${formatCount(result.gpuHours)} GPU-h · ${formatDays(result.wallClockDays)}`;
}

/**
 * "1 error", "2 errors, 1 warning": what the file has, by kind. VS Code's tab decoration shows one number, the
 * file's errors + warnings; naming both kinds here makes the two agree (infos count in neither).
 */
export function problemsText(errors: number, warnings = 0): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return warnings > 0 ? `${n(errors, 'error')}, ${n(warnings, 'warning')}` : n(errors, 'error');
}

/** The tooltip: the estimate's headline numbers as a markdown table. */
export function estimateTooltip(result: SimulationResult, name?: string): string {
  const rows: [string, string][] = [
    ['GPU-hours', formatCount(result.gpuHours)],
    ['Wall clock', formatDays(result.wallClockDays)],
    ['Cost', result.costUsd === undefined ? 'no price set (`cluster.price_per_gpu_hour`)' : formatUsd(result.costUsd)],
    ['MFU', formatPercent(result.mfu)],
    ['Tokens/s', formatCount(result.tokensPerSecond)],
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
