/**
 * How simulation numbers read for people ("2.66M GPU-h", "55 d", "3.2%"): one set of rules for the preview, the
 * status bar and anything else that shows a result. Pure: no DOM, no vscode.
 */

const SUFFIXES: readonly [number, string][] = [
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

function finite(x: number): boolean {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Three significant digits, trailing zeros dropped: 2.66, 55.0 → 55, 343. */
function sig3(x: number): string {
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  const s = x.toFixed(Math.min(digits, 3));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 2,664,000 → "2.66M"; 950 → "950"; 14.8e12 → "14.8T". */
export function formatCount(n: number): string {
  if (!finite(n)) return '—';
  const sign = n < 0 ? '−' : '';
  const a = Math.abs(n);
  for (const [scale, suffix] of SUFFIXES) {
    // Round first so 999,999 reads "1M", not "1000K".
    if (a >= scale * 0.9995) return `${sign}${sig3(a / scale)}${suffix}`;
  }
  return `${sign}${sig3(a)}`;
}

export function formatGpuHours(hours: number): string {
  return `${formatCount(hours)} GPU-h`;
}

// One formatter for the process: `Number.prototype.toLocaleString(locale)` builds an ICU formatter on every call
// (≈ 64 µs each in Chromium, measured; ≈ 0.7 µs with this one), and the preview formats dozens per keystroke.
const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567" (rounded to an integer). */
export function formatInteger(n: number): string {
  return finite(n) ? INTEGER.format(Math.round(n)) : '—';
}

/** 55.4 → "55 d"; 3.7 → "3.7 d"; 0.5 → "12 h". */
export function formatDays(days: number): string {
  if (!finite(days)) return '—';
  if (days < 1) return `${sig3(days * 24)} h`;
  if (days >= 10) return `${formatInteger(days)} d`;
  return `${sig3(days)} d`;
}

export function formatUsd(usd: number | undefined): string {
  if (usd === undefined || !finite(usd)) return '—';
  return `$${formatCount(usd)}`;
}

/** A fraction as a percentage: 0.0321 → "3.2%"; below 0.1% two decimals. */
export function formatPercent(fraction: number): string {
  if (!finite(fraction)) return '—';
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.1) return `${p.toFixed(2)}%`;
  if (Math.abs(p) < 10) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** 12.34 → "12.3 s"; 0.0452 → "45.2 ms"; 1.2e-4 → "120 µs"; 250 → "4.17 min". */
export function formatSeconds(seconds: number): string {
  if (!finite(seconds)) return '—';
  const a = Math.abs(seconds);
  if (a === 0) return '0 s';
  if (a >= 120) return `${sig3(seconds / 60)} min`;
  if (a >= 1) return `${sig3(seconds)} s`;
  if (a >= 1e-3) return `${sig3(seconds * 1e3)} ms`;
  return `${sig3(seconds * 1e6)} µs`;
}

export function formatGiB(gib: number): string {
  if (!finite(gib)) return '—';
  return `${gib >= 100 ? Math.round(gib) : gib.toFixed(1)} GiB`;
}

export function formatTokensPerSecond(tps: number): string {
  return `${formatCount(tps)} tok/s`;
}

export function formatTflops(tflops: number): string {
  return `${finite(tflops) ? sig3(tflops) : '—'} TFLOP/s`;
}

const gib1 = (bytes: number) => (bytes / 2 ** 30).toFixed(1).replace(/\.0$/, '');

/**
 * "does not fit: rank 3 needs 91.2 of 80 GiB" for the worst rank over HBM, with how many others are over too;
 * undefined when every rank fits. The CLI, the preview and the search say it in these words.
 */
export function doesNotFitText(memory: { overflow: readonly { rank: number; needBytes: number; hbmBytes: number }[] }): string | undefined {
  const over = memory.overflow ?? [];
  if (over.length === 0) return undefined;
  const worst = over.reduce((a, b) => (b.needBytes > a.needBytes ? b : a));
  const others = over.length - 1;
  return `does not fit: rank ${worst.rank} needs ${gib1(worst.needBytes)} of ${gib1(worst.hbmBytes)} GiB${others > 0 ? ` (${others} more ${others === 1 ? 'rank is' : 'ranks are'} over HBM)` : ''}`;
}
