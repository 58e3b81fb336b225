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
import { configGroups, formatDiagnostics, reportDiagnostics } from './check';
import { clusterDefaults, CLUSTER_OPTIONS_USAGE, emptyClusterOptions, isClusterFlag, readClusterOption, unusedOptions, type ClusterOptions } from './clusterOptions';
import { readInput, type CliIO, type Command } from './io';

const USAGE = `usage: tcs simulate FILE... [--schedule <${SCHEDULE_KINDS.join('|')}>] [--ablate] [--json]
                    [--gpu NAME] [--nodes N] [--gpus-per-node G]
  FILE is a training config or a file in another format (as \`tcs check\` reads it); several files are simulated
  as one config when they hold its parts (\`tcs simulate ds_config.json config.json\`, as \`tcs check\` groups them).
  A file with no model (a DeepSpeed JSON alone) is not simulated: its numbers would be a stand-in model's.
${CLUSTER_OPTIONS_USAGE}`;

interface Args {
  files: string[];
  schedule?: ScheduleKind;
  json: boolean;
  ablate: boolean;
  cluster: ClusterOptions;
}

function parseArgs(argv: string[]): Args | string {
  const files: string[] = [];
  let schedule: string | undefined;
  let json = false;
  let ablateFlag = false;
  const cluster = emptyClusterOptions();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--json') json = true;
    else if (isClusterFlag(flag)) {
      const problem = readClusterOption(cluster, flag, inline ?? argv[++i]);
      if (problem) return problem;
    }
    else if (flag === '--ablate') ablateFlag = true;
    else if (flag === '--schedule') {
      schedule = inline ?? argv[++i];
      if (schedule === undefined) return '--schedule needs a value';
      if (!(SCHEDULE_KINDS as readonly string[]).includes(schedule)) return `unknown --schedule '${schedule}' (one of ${SCHEDULE_KINDS.join(', ')})`;
    } else if (flag.startsWith('--')) return `unknown argument '${argv[i]}'`;
    else files.push(argv[i]);
  }
  if (files.length === 0) return 'FILE is required';
  return { files, schedule: schedule as ScheduleKind | undefined, json, ablate: ablateFlag, cluster };
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
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`${args}\n${USAGE}\n`);
    return 2;
  }
  const inputs: { file: string; text: string }[] = [];
  for (const file of args.files) {
    const text = readInput(io, file);
    if (text === undefined) return 1;
    inputs.push({ file, text });
  }
  const groups = configGroups(inputs);
  if (groups.length !== 1) {
    io.err(`these files are ${groups.length} configs, not one (simulate one at a time): ${groups.map((g) => g.map((f) => f.file).join(' + ')).join('; ')}\n${USAGE}\n`);
    return 2;
  }
  const [group] = groups;
  const name = group.map((f) => f.file).join(' + ');
  const together = group.length > 1 ? group.map((f) => ({ fileName: f.file, text: f.text })) : undefined;
  const language = createLanguageService();
  const defaults = clusterDefaults(args.cluster);
  // Each file's part of the check (one config), the first's result simulated.
  const parts = group.map((f) => ({ file: f.file, result: language.check(f.text, { fileName: f.file, defaults, group: together }) }));
  const checked = parts[0].result;
  const errorsText = () => parts.map((p) => formatDiagnostics(p.file, reportDiagnostics(p.result, (d) => d.severity === 'error'))).join('');
  const all = parts.flatMap((p) => p.result.diagnostics);
  const blockers = simulationBlockers(all);
  if (blockers.length > 0 || !checked.config) {
    // The errors as `tcs check` prints them, each with its best fix. "Does not fit" alone does not stop a simulation.
    const errors = errorCount(all);
    io.err(errorsText());
    io.err(errors > 0 ? `${name}: not simulated: ${errors} error${errors === 1 ? '' : 's'}\n` : `${name}: the config could not be resolved\n`);
    return 1;
  }
  io.err(unusedOptions(name, args.cluster, checked.config.cluster));
  // A Megatron-LM script, torchtitan TOML, …: what it lacks was assumed; say so beside the numbers.
  for (const d of checked.diagnostics) if (d.code === ASSUMED_CODE) io.err(`${parts[0].file}: ${d.message}\n`);
  if (checked.diagnostics.some((d) => d.code === ASSUMED_CODE && d.path === 'model')) {
    io.err(`${name}: not simulated: the file has no model, so the numbers would be a stand-in's\n`);
    return 1;
  }
  return simulateResolved(io, { ...args, file: name }, checked.config, all, errorsText);
};

/** Simulates a checked config; `diagnostics` are its check's, `errorsText` prints their errors as `tcs check` does. */
function simulateResolved(io: CliIO, args: Args & { file: string }, config: ResolvedConfig, diagnostics: readonly Diagnostic[], errorsText: () => string): number {
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
