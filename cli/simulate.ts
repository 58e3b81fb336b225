/**
 * `tcs simulate FILE [--schedule X] [--ablate] [--json]`: resolve a config through the language service, simulate it,
 * print the headline numbers and their breakdowns as a table (or JSON); `--ablate` adds what each efficiency choice
 * buys (simulator/ablate.ts). A layout over HBM is still priced: every number is printed, then "does not fit: rank r
 * needs X of Y GiB", and the exit code is 1. Exit 1 also when the config has other errors (nothing is simulated then)
 * or cannot be simulated.
 */
import { ASSUMED_CODE, createLanguageService, errorCount, hasErrors, simulationBlockers, type Diagnostic } from '../language/service';
import { ablate, type AblationRow } from '../simulator/ablate';
import { SCHEDULE_KINDS, type ResolvedConfig, type ScheduleKind } from '../simulator/config';
import { doesNotFitText, formatCount } from '../simulator/format';
import type { SimulationResult } from '../simulator/result';
import { simulate } from '../simulator/simulate';
import { formatDiagnostics, reportDiagnostics } from './check';
import { readInput, type CliIO, type Command } from './io';

const USAGE = `usage: tcs simulate FILE [--schedule <${SCHEDULE_KINDS.join('|')}>] [--ablate] [--json]`;

function parseArgs(argv: string[]): { file: string; schedule?: ScheduleKind; json: boolean; ablate: boolean } | string {
  let file: string | undefined;
  let schedule: string | undefined;
  let json = false;
  let ablateFlag = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--json') json = true;
    else if (flag === '--ablate') ablateFlag = true;
    else if (flag === '--schedule') {
      schedule = inline ?? argv[++i];
      if (schedule === undefined) return '--schedule needs a value';
      if (!(SCHEDULE_KINDS as readonly string[]).includes(schedule)) return `unknown --schedule '${schedule}' (one of ${SCHEDULE_KINDS.join(', ')})`;
    } else if (flag.startsWith('--')) return `unknown argument '${argv[i]}'`;
    else if (file === undefined) file = argv[i];
    else return `unexpected argument '${argv[i]}'`;
  }
  if (!file) return 'FILE is required';
  return { file, schedule: schedule as ScheduleKind | undefined, json, ablate: ablateFlag };
}

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}

function render(name: string, r: SimulationResult): string {
  const headline = table([
    ['GPU-hours', formatCount(r.gpuHours)],
    ['wall-clock days', fixed(r.wallClockDays, 1)],
    ['cost (USD)', r.costUsd === undefined ? '—' : formatCount(r.costUsd)],
    ['step (s)', fixed(r.stepSeconds, 3)],
    ['steps', r.steps],
    ['tokens/s', formatCount(r.tokensPerSecond)],
    ['TFLOP/s per GPU', fixed(r.tflopsPerGpu, 0)],
    ['MFU (BF16 dense)', pct(r.mfu)],
    ['bubble', pct(r.bubbleFraction)],
    ['exposed comm', pct(r.exposedCommFraction)],
    ['peak memory (GiB)', `${fixed(r.memory.peakGiB, 1)} of ${r.memory.hbmGiB}${r.memory.fits ? '' : '  DOES NOT FIT'}`],
  ]);
  const step = table([['step part', 'seconds'], ...Object.entries(r.breakdown.step).map(([k, v]) => [k, fixed(v, 3)])]);
  const comm = table([
    ['comm', 'total s', 'hidden s', 'exposed s', 'inter-node B', 'intra-node B'],
    ...r.breakdown.comm.map((c) => [c.kind, fixed(c.totalSeconds, 3), fixed(c.hiddenSeconds, 3), fixed(c.exposedSeconds, 3), formatCount(c.interNodeBytes), formatCount(c.intraNodeBytes)]),
  ]);
  const memory = table([
    ['rank', 'params', 'grads', 'optimizer', 'activations', 'chunks', 'buffers', 'total GiB'],
    ...r.memory.perStage.map((s) => [s.rank, fixed(s.parametersGiB, 1), fixed(s.gradientsGiB, 1), fixed(s.optimizerGiB, 1), fixed(s.activationsGiB, 1), s.peakActivationChunks, fixed(s.buffersGiB, 1), fixed(s.totalGiB, 1)]),
  ]);
  return [`${name} — ${r.timeline.schedule}, ${r.timeline.ranks} ranks × ${r.timeline.microBatches} micro-batches`, headline, '', step, '', comm, '', memory, '', ...r.breakdown.notes.map((n) => `note: ${n}`)].join('\n');
}

/** What each technique buys: one row per choice undone, GPU-hours, days and peak memory with the ratio to now. */
export function renderAblation(rows: AblationRow[]): string {
  return [
    'What each technique buys (each choice undone alone, then all together):',
    table([
      ['config', 'GPU-hours', 'days', 'peak GiB', 'vs current'],
      ...rows.map((row) =>
        row.outcome.ok
          ? [row.label, formatCount(row.outcome.result.gpuHours), fixed(row.outcome.result.wallClockDays, 1), `${fixed(row.outcome.result.memory.peakGiB, 1)}${row.outcome.result.memory.fits ? '' : ' (over HBM)'}`, row.ratio === undefined ? '—' : `${fixed(row.ratio, 2)}×`]
          : [row.label, '—', '—', '—', `cannot simulate: ${row.outcome.reason}`],
      ),
    ]),
  ].join('\n');
}

function ablationJson(rows: AblationRow[]) {
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    ratio: row.ratio,
    ...(row.outcome.ok
      ? { gpuHours: row.outcome.result.gpuHours, wallClockDays: row.outcome.result.wallClockDays, peakGiB: row.outcome.result.memory.peakGiB, fits: row.outcome.result.memory.fits }
      : { error: row.outcome.reason }),
  }));
}

function ablationOf(config: ResolvedConfig, schedule: ScheduleKind | undefined): AblationRow[] {
  return ablate(schedule ? { ...config, parallelism: { ...config.parallelism, schedule } } : config);
}

function toJson(r: SimulationResult) {
  return {
    gpuHours: r.gpuHours,
    wallClockDays: r.wallClockDays,
    costUsd: r.costUsd,
    stepSeconds: r.stepSeconds,
    tokensPerSecond: r.tokensPerSecond,
    tflopsPerGpu: r.tflopsPerGpu,
    mfu: r.mfu,
    bubbleFraction: r.bubbleFraction,
    exposedCommFraction: r.exposedCommFraction,
    memory: { peakGiB: r.memory.peakGiB, hbmGiB: r.memory.hbmGiB, fits: r.memory.fits, overflow: r.memory.overflow, perStage: r.memory.perStage },
    breakdown: r.breakdown,
    timeline: r.timeline,
  };
}

export const simulateCommand: Command = (argv: string[], io: CliIO) => {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`${args}\n${USAGE}\n`);
    return 2;
  }
  const text = readInput(io, args.file);
  if (text === undefined) return 1;
  const checked = createLanguageService().check(text, { fileName: args.file });
  const blockers = simulationBlockers(checked.diagnostics);
  if (blockers.length > 0 || !checked.config) {
    // The errors as `tcs check` prints them, each with its best fix. "Does not fit" alone does not stop a simulation.
    const errors = errorCount(checked.diagnostics);
    io.err(formatDiagnostics(args.file, reportDiagnostics(checked, (d) => d.severity === 'error')));
    io.err(errors > 0 ? `${args.file}: not simulated: ${errors} error${errors === 1 ? '' : 's'}\n` : `${args.file}: the config could not be resolved\n`);
    return 1;
  }
  // A Megatron-LM script, torchtitan TOML, …: what it lacks was assumed; say so beside the numbers.
  for (const d of checked.diagnostics) if (d.code === ASSUMED_CODE) io.err(`${args.file}: ${d.message}\n`);
  return simulateResolved(io, args, checked.config, checked.diagnostics, () => formatDiagnostics(args.file, reportDiagnostics(checked, (d) => d.severity === 'error')));
};

/** Simulates a checked config; `diagnostics` are its check's, `errorsText` prints their errors as `tcs check` does. */
function simulateResolved(io: CliIO, args: Exclude<ReturnType<typeof parseArgs>, string>, config: ResolvedConfig, diagnostics: readonly Diagnostic[], errorsText: () => string): number {
  const outcome = simulate(config, { schedule: args.schedule });
  if (!outcome.ok) {
    io.err(`${args.file}: cannot simulate (${outcome.code}): ${outcome.reason}\n`);
    return 1;
  }
  const rows = args.ablate ? ablationOf(config, args.schedule) : undefined;
  const result = outcome.result;
  if (args.json) io.out(`${JSON.stringify({ ...toJson(result), ...(rows ? { ablation: ablationJson(rows) } : {}) })}\n`);
  else io.out(`${render(config.name, result)}\n${rows ? `\n${renderAblation(rows)}\n` : ''}`);
  const overflow = doesNotFitText(result.memory);
  // After the numbers on stdout (JSON keeps stdout parseable: there it goes to stderr; `memory.overflow` has it too).
  if (overflow) (args.json ? io.err : io.out)(`${args.file}: ${overflow}\n`);
  // The closed-form estimate (the memory rule) and the executed timeline can disagree near the limit: say both.
  else if (hasErrors(diagnostics)) io.err(errorsText());
  return overflow || hasErrors(diagnostics) ? 1 : 0;
}
