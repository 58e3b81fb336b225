/**
 * `tcs schedule`: print a pipeline schedule's per-rank order (formatOp's notation); with --costs, execute it and print
 * makespan, idle per rank and an ASCII timeline; with --json, the ops (with start/end when executed).
 */
import { SCHEDULE_KINDS, type ScheduleKind } from '../simulator/config';
import { formatOrder, generateSchedule, scheduleSpec } from '../simulator/schedules/index';
import type { Schedule } from '../simulator/schedules/types';
import { executeSchedule, type ExecutedTimeline, unitDurations } from '../simulator/timeline';
import type { CliIO, Command } from './io';

const USAGE = `usage: tcs schedule --type <${SCHEDULE_KINDS.join('|')}> --ranks <P> --micro-batches <N>
                    [--virtual-stages <v>] [--costs F=1,B=2,W=1[,b=1,FB=3]] [--width <columns>] [--json]`;

/** Timeline columns: bounded so a 10^6-op schedule still prints one readable row per rank. */
const DEFAULT_WIDTH = 100;
const MAX_WIDTH = 400;

interface Options {
  kind: ScheduleKind;
  ranks: number;
  microBatches: number;
  virtualStages?: number;
  costs?: { F: number; B: number; W: number; b?: number; FB?: number };
  width: number;
  json: boolean;
}

function parseCosts(text: string): Options['costs'] | string {
  const costs: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const [name, value] = pair.split('=');
    const seconds = Number(value);
    if (!['F', 'B', 'W', 'b', 'FB'].includes(name) || value === undefined || !(seconds >= 0))
      return `bad cost '${pair}': expected NAME=number with NAME one of F, B, W, b, FB`;
    costs[name] = seconds;
  }
  if (costs.F === undefined || costs.B === undefined || costs.W === undefined) return '--costs needs at least F, B and W';
  return costs as Options['costs'];
}

function parseArgs(argv: string[]): Options | string {
  const values = new Map<string, string>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--json') {
      json = true;
      continue;
    }
    if (!['--type', '--ranks', '--micro-batches', '--virtual-stages', '--costs', '--width'].includes(flag))
      return `unknown argument '${argv[i]}'`;
    const value = inline ?? argv[++i];
    if (value === undefined) return `${flag} needs a value`;
    values.set(flag, value);
  }
  const kind = values.get('--type');
  if (!kind) return '--type is required';
  if (!(SCHEDULE_KINDS as readonly string[]).includes(kind)) return `unknown --type '${kind}' (one of ${SCHEDULE_KINDS.join(', ')})`;
  const count = (flag: string, fallback?: number): number | string => {
    const text = values.get(flag);
    if (text === undefined) return fallback ?? `${flag} is required`;
    const n = Number(text);
    return Number.isInteger(n) && n >= 1 ? n : `${flag} must be a positive integer, got '${text}'`;
  };
  const ranks = count('--ranks');
  const microBatches = count('--micro-batches');
  const virtualStages = values.has('--virtual-stages') ? count('--virtual-stages') : undefined;
  const width = count('--width', DEFAULT_WIDTH);
  for (const v of [ranks, microBatches, virtualStages, width]) if (typeof v === 'string') return v;
  const costs = values.has('--costs') ? parseCosts(values.get('--costs') as string) : undefined;
  if (typeof costs === 'string') return costs;
  return {
    kind: kind as ScheduleKind,
    ranks: ranks as number,
    microBatches: microBatches as number,
    virtualStages: virtualStages as number | undefined,
    costs,
    width: Math.min(width as number, MAX_WIDTH),
    json,
  };
}

const GLYPH = { F: 'F', B: 'B', b: 'b', W: 'W', FB: 'X' } as const;

/** One row per rank; each column shows the op running at the column's midpoint, '.' when idle. */
export function asciiTimeline(timeline: ExecutedTimeline, width: number): string[] {
  const columns = Math.max(1, Math.min(width, Math.ceil(timeline.makespan) || 1));
  const step = timeline.makespan / columns;
  const label = (rank: number) => `r${rank}`.padEnd(String(timeline.ranks.length - 1).length + 1);
  return timeline.ranks.map((ops, rank) => {
    let row = '';
    let i = 0;
    for (let c = 0; c < columns; c++) {
      const t = (c + 0.5) * step;
      while (i < ops.length && ops[i].end <= t) i++;
      row += i < ops.length && ops[i].start <= t ? GLYPH[ops[i].kind] : '.';
    }
    return `${label(rank)} |${row}|`;
  });
}

const round = (x: number) => Number(x.toPrecision(12));

function printText(io: CliIO, schedule: Schedule, timeline: ExecutedTimeline | undefined, width: number): void {
  const v = scheduleSpec(schedule.kind).usesVirtualStages ? ` v=${schedule.chunksPerRank}` : '';
  io.out(`${schedule.kind} P=${schedule.ranks} N=${schedule.microBatches}${v}\n`);
  formatOrder(schedule).forEach((line, rank) => io.out(`rank ${rank}: ${line}\n`));
  if (!timeline) return;
  io.out(`\nmakespan ${round(timeline.makespan)}\n`);
  io.out(`idle per rank ${timeline.idlePerRank.map(round).join(' ')}\n`);
  io.out(`peak activations per rank ${timeline.peakActivationsPerRank.join(' ')}\n\n`);
  for (const row of asciiTimeline(timeline, width)) io.out(`${row}\n`);
  io.out(`F forward, B backward, b input-only backward, W weight gradient, X overlapped F&B, . idle\n`);
}

export const scheduleCommand: Command = (argv, io) => {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    io.err(`tcs schedule: ${options}\n${USAGE}\n`);
    return 2;
  }
  const generated = generateSchedule({
    kind: options.kind,
    ranks: options.ranks,
    microBatches: options.microBatches,
    virtualStages: options.virtualStages,
  });
  if (!generated.ok) {
    io.err(`tcs schedule: ${generated.reason} [${generated.code}]\n`);
    return 2;
  }
  const schedule = generated.value;
  let timeline: ExecutedTimeline | undefined;
  if (options.costs) {
    const executed = executeSchedule(schedule, unitDurations(options.costs));
    if (!executed.ok) {
      io.err(`tcs schedule: ${executed.reason} [${executed.code}]\n`);
      return 1;
    }
    timeline = executed.value;
  }
  if (options.json) {
    const { order, ...shape } = schedule;
    const executed = timeline && {
      makespan: timeline.makespan,
      idlePerRank: timeline.idlePerRank,
      peakActivationsPerRank: timeline.peakActivationsPerRank,
    };
    io.out(`${JSON.stringify({ ...shape, order: timeline?.ranks ?? order, ...executed })}\n`);
  } else {
    printText(io, schedule, timeline, options.width);
  }
  return 0;
};
