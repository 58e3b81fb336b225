/**
 * `tcs search FILE`: the layouts of a config's model and token budget that the rules accept, priced with the
 * preview's simulate(): the Pareto frontier (objective × peak memory × days) and the top K, each as the keys it
 * changes. Every number is what `tcs simulate` prints for the file with those changes applied.
 */
import { findLayouts, type SearchResult } from '../language/service';
import { formatCount } from '../simulator/format';
import { OBJECTIVES, type Objective, type PricedLayout } from '../simulator/search';
import { clusterDefaults, emptyClusterOptions, readClusterOption, type ClusterOptions } from './clusterOptions';
import { readInput, type CliIO, type Command } from './io';

export const SEARCH_USAGE = `usage: tcs search FILE [--objective gpu-hours|days|cost] [--gpus N | --nodes MIN-MAX]
                  [--memory-headroom 0.1] [--top K] [--max-simulations N] [--json]
                  [--gpu NAME] [--gpus-per-node G]
  Searches tensor, pipeline, virtual stages, context, expert, expert-tensor, ZeRO stage, micro-batch size,
  schedule, recompute and the MoE node limit (data derived) for the file's model and token budget.
  --gpus N          search on N GPUs (a multiple of gpus_per_node); default the file's cluster
  --nodes MIN-MAX   search every power-of-two node count in the range, and MIN and MAX
  --gpu NAME, --gpus-per-node G
                    the GPU and GPUs per node for a file in another format that names none (as \`tcs check\`)
  --json            {candidates, rejected, simulated, seconds, frontier: [{changes, gpuHours, days, peakGiB, fits}],
                    top: [...], ...}
  Exit code: 0 layouts found, 1 the file does not check or nothing is admitted, 2 usage error.`;

/** Node counts a range expands to, at most (log-spaced, so a wide range stays small). */
const MAX_NODE_COUNTS = 24;

interface Args {
  file: string;
  objective: Objective;
  gpus?: number;
  nodes?: [number, number];
  headroom: number;
  top: number;
  maxSimulations?: number;
  json: boolean;
  cluster: ClusterOptions;
}

function parseArgs(argv: string[]): Args | string {
  const out: Partial<Args> = { objective: 'gpu-hours', headroom: 0, top: 5, json: false, cluster: emptyClusterOptions() };
  const positive = (flag: string, v: string | undefined, integer = true): number | string => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return `${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${v ?? ''}'`;
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--json') out.json = true;
    else if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--objective') {
      const v = value();
      if (!(OBJECTIVES as readonly string[]).includes(v)) return `--objective must be one of ${OBJECTIVES.join(', ')}, got '${v ?? ''}'`;
      out.objective = v as Objective;
    } else if (flag === '--gpus') {
      const n = positive('--gpus', value());
      if (typeof n === 'string') return n;
      out.gpus = n;
    } else if (flag === '--nodes') {
      const v = value() ?? '';
      const m = /^(\d+)(?:-(\d+))?$/.exec(v);
      if (!m || Number(m[1]) < 1 || Number(m[2] ?? m[1]) < Number(m[1])) return `--nodes needs MIN-MAX (1 ≤ MIN ≤ MAX), got '${v}'`;
      out.nodes = [Number(m[1]), Number(m[2] ?? m[1])];
    } else if (flag === '--gpu' || flag === '--gpus-per-node') {
      const problem = readClusterOption(out.cluster!, flag, value());
      if (problem) return problem;
    } else if (flag === '--memory-headroom') {
      const v = value();
      const n = Number(v);
      if (v === undefined || !Number.isFinite(n) || n < 0 || n >= 0.9) return `--memory-headroom needs a share of HBM in [0, 0.9), got '${v ?? ''}'`;
      out.headroom = n;
    } else if (flag === '--top') {
      const n = positive('--top', value());
      if (typeof n === 'string') return n;
      out.top = Math.min(100, n);
    } else if (flag === '--max-simulations') {
      const n = positive('--max-simulations', value());
      if (typeof n === 'string') return n;
      out.maxSimulations = n;
    } else if (flag.startsWith('--')) return `unknown argument '${argv[i]}'`;
    else if (out.file === undefined) out.file = argv[i];
    else return `unexpected argument '${argv[i]}'`;
  }
  if (out.gpus !== undefined && out.nodes !== undefined) return 'give --gpus or --nodes, not both';
  if (!out.file) return 'FILE is required';
  return out as Args;
}

/** Power-of-two node counts in [min, max], and both ends. */
export function nodeCounts(min: number, max: number): number[] {
  const out = new Set<number>([min, max]);
  for (let n = 1; n <= max && out.size < MAX_NODE_COUNTS; n *= 2) if (n >= min) out.add(n);
  return [...out].sort((a, b) => a - b);
}

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function changesText(p: PricedLayout): string {
  return p.changes.length === 0 ? '(the file as it is)' : p.changes.map((c) => `${c.key.replace(/^[a-z]+\./, '').replace(/^moe\./, '')}=${c.value}`).join(' ');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function layoutRows(points: readonly PricedLayout[], current?: PricedLayout): string {
  const rows = [['#', 'GPU-hours', 'days', 'cost USD', 'peak GiB', 'vs file', 'changes']];
  points.forEach((p, i) => {
    const delta = current && current.gpuHours > 0 ? `${p.gpuHours <= current.gpuHours ? '−' : '+'}${fixed(Math.abs(100 * (p.gpuHours / current.gpuHours - 1)), 1)}%` : '—';
    rows.push([String(i + 1), formatCount(p.gpuHours), fixed(p.days, 1), p.costUsd === undefined ? '—' : formatCount(p.costUsd), `${fixed(p.peakGiB, 1)}${p.fits ? '' : '!'}`, delta, changesText(p)]);
  });
  return table(rows);
}

function render(r: SearchResult, seconds: number): string {
  const lines = [
    `searched ${r.candidates.toLocaleString('en-US')} layouts in ${fixed(seconds, 2)} s: ${r.rejected.toLocaleString('en-US')} rejected by rules, ` +
      `${r.overMemory.toLocaleString('en-US')} over ${fixed(r.budgetGiB, 1)} GiB, ${r.pruned.toLocaleString('en-US')} beaten on every bound (not priced), ` +
      `${r.simulated.toLocaleString('en-US')} simulated${r.failed ? ` (${r.failed} failed: ${r.failures[0]})` : ''}`,
  ];
  if (r.incomplete) lines.push(`INCOMPLETE: ${r.incomplete}`);
  if (r.current) lines.push(`the file: ${formatCount(r.current.gpuHours)} GPU-hours, ${fixed(r.current.days, 1)} days, peak ${fixed(r.current.peakGiB, 1)} GiB${r.current.fits ? '' : ' (does not fit)'}`);
  if (r.nothingAdmitted) lines.push(`no layout admitted: ${r.nothingAdmitted}`);
  if (r.frontier.length > 0) lines.push('', `Pareto frontier (${r.objective} × peak memory × days), ${r.frontier.length} layouts:`, layoutRows(r.frontier, r.current));
  if (r.top.length > 0) lines.push('', `top ${r.top.length} by ${r.objective}:`, layoutRows(r.top, r.current));
  return lines.join('\n');
}

const pointJson = (p: PricedLayout) => ({ changes: p.changes, gpuHours: p.gpuHours, days: p.days, costUsd: p.costUsd, peakGiB: p.peakGiB, fits: p.fits });

export const searchCommand: Command = (argv: string[], io: CliIO) => {
  const args = parseArgs(argv);
  if (args === 'help') {
    io.out(`${SEARCH_USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    io.err(`${args}\n${SEARCH_USAGE}\n`);
    return 2;
  }
  const text = readInput(io, args.file);
  if (text === undefined) return 1;
  const nodes = args.nodes ? nodeCounts(args.nodes[0], args.nodes[1]) : undefined;
  const started = performance.now();
  const found = findLayouts(text, { objective: args.objective, nodes, gpus: args.gpus, memoryHeadroom: args.headroom, top: args.top, maxSimulations: args.maxSimulations }, { fileName: args.file, defaults: clusterDefaults(args.cluster) });
  const seconds = (performance.now() - started) / 1000;
  if (!found.ok) {
    for (const d of found.diagnostics) io.err(`${args.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}\n`);
    if (args.json) io.out(`${JSON.stringify({ diagnostics: found.diagnostics.map(({ severity, code, message, path, range }) => ({ severity, code, message, path, range })) })}\n`);
    return 1;
  }
  const r = found.result;
  if (args.json) {
    io.out(
      `${JSON.stringify({
        objective: r.objective,
        candidates: r.candidates,
        rejected: r.rejected,
        rejectedBy: r.rejectedBy,
        overMemory: r.overMemory,
        pruned: r.pruned,
        simulated: r.simulated,
        failed: r.failed,
        seconds,
        budgetGiB: r.budgetGiB,
        incomplete: r.incomplete,
        nothingAdmitted: r.nothingAdmitted,
        current: r.current && pointJson(r.current),
        frontier: r.frontier.map(pointJson),
        top: r.top.map(pointJson),
      })}\n`,
    );
  } else io.out(`${render(r, seconds)}\n`);
  return r.top.length > 0 ? 0 : 1;
};
