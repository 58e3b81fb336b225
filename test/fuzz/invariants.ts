/**
 * Invariants the fuzz and hostile-input tests check on every result. Each returns the list of violations
 * (empty = fine) so a failing property prints what was wrong, not just "false".
 */
import type { Diagnostic } from '../../language/diagnostics';
import type { SimulationOutcome } from '../../simulator/result';

/** Line lengths as the editor counts them: lines break at \n, \r\n and a lone \r. */
export function editorLines(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

const SEVERITIES = new Set(['error', 'warning', 'info']);

export function diagnosticProblems(text: string, diagnostics: unknown): string[] {
  if (!Array.isArray(diagnostics)) return [`diagnostics is not an array: ${typeof diagnostics}`];
  const lines = editorLines(text);
  const problems: string[] = [];
  const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
  (diagnostics as Diagnostic[]).forEach((d, i) => {
    const at = `#${i} ${d?.code}`;
    if (!d || typeof d !== 'object') return problems.push(`${at}: not an object`);
    if (!SEVERITIES.has(d.severity)) problems.push(`${at}: severity ${String(d.severity)}`);
    if (typeof d.code !== 'string' || d.code.length === 0) problems.push(`${at}: empty code`);
    // checkText turns its own exceptions into this code: a crash in disguise.
    if (d.code === 'internal/error') problems.push(`${at}: ${d.message}`);
    if (typeof d.message !== 'string' || d.message.trim().length === 0) problems.push(`${at}: empty message`);
    if (typeof d.path !== 'string') problems.push(`${at}: path is ${typeof d.path}`);
    const r = d.range;
    for (const [name, p] of [['start', r?.start], ['end', r?.end]] as const) {
      if (!p || !isInt(p.line) || !isInt(p.character)) {
        problems.push(`${at}: ${name} is not an integer position: ${JSON.stringify(p)}`);
        continue;
      }
      if (p.line < 0 || p.line >= lines.length) problems.push(`${at}: ${name}.line ${p.line} outside 0..${lines.length - 1}`);
      else if (p.character < 0 || p.character > lines[p.line]) {
        problems.push(`${at}: ${name}.character ${p.character} outside 0..${lines[p.line]} on line ${p.line}`);
      }
    }
    if (r?.start && r?.end && (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character))) {
      problems.push(`${at}: start ${JSON.stringify(r.start)} after end ${JSON.stringify(r.end)}`);
    }
    for (const fix of d.fixes ?? []) {
      if (typeof fix.title !== 'string' || !fix.title) problems.push(`${at}: fix without title`);
      for (const e of fix.edits ?? []) {
        const s = e.range.start;
        const en = e.range.end;
        if (s.line < 0 || en.line >= lines.length || s.line > en.line) problems.push(`${at}: fix edit range ${JSON.stringify(e.range)}`);
        if (typeof e.newText !== 'string') problems.push(`${at}: fix edit text ${typeof e.newText}`);
      }
    }
  });
  return problems;
}

const finiteNonNegative = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** A simulation outcome is either a refusal with a reason, or numbers that are finite and in range. */
export function outcomeProblems(outcome: SimulationOutcome): string[] {
  const problems: string[] = [];
  if (!outcome || typeof outcome !== 'object') return [`outcome is ${typeof outcome}`];
  if (!outcome.ok) {
    if (typeof outcome.code !== 'string' || !outcome.code) problems.push('refusal without code');
    if (typeof outcome.reason !== 'string' || !outcome.reason.trim()) problems.push('refusal without reason');
    return problems;
  }
  const r = outcome.result;
  for (const key of ['gpuHours', 'wallClockDays', 'stepSeconds', 'steps', 'tokensPerSecond', 'tflopsPerGpu', 'bubbleFraction', 'exposedCommFraction'] as const) {
    if (!finiteNonNegative(r[key])) problems.push(`${key} = ${r[key]}`);
  }
  if (r.stepSeconds === 0) problems.push('stepSeconds = 0');
  if (!(typeof r.mfu === 'number' && r.mfu > 0 && r.mfu <= 1)) problems.push(`mfu = ${r.mfu} outside (0, 1]`);
  if (r.bubbleFraction > 1) problems.push(`bubbleFraction = ${r.bubbleFraction} > 1`);
  if (r.exposedCommFraction > 1) problems.push(`exposedCommFraction = ${r.exposedCommFraction} > 1`);
  if (r.costUsd !== undefined && !finiteNonNegative(r.costUsd)) problems.push(`costUsd = ${r.costUsd}`);
  const m = r.memory;
  if (!m) problems.push('no memory');
  else {
    if (!finiteNonNegative(m.peakGiB) || m.peakGiB === 0) problems.push(`memory.peakGiB = ${m.peakGiB}`);
    if (!finiteNonNegative(m.hbmGiB) || m.hbmGiB === 0) problems.push(`memory.hbmGiB = ${m.hbmGiB}`);
    if (typeof m.fits !== 'boolean') problems.push('memory.fits not boolean');
    for (const s of m.perStage ?? []) {
      for (const key of ['parametersGiB', 'gradientsGiB', 'optimizerGiB', 'activationsGiB', 'buffersGiB', 'totalGiB'] as const) {
        if (!finiteNonNegative(s[key])) problems.push(`memory.perStage[${s.rank}].${key} = ${s[key]}`);
      }
    }
  }
  for (const c of r.breakdown?.comm ?? []) {
    for (const key of ['totalSeconds', 'hiddenSeconds', 'exposedSeconds', 'interNodeBytes', 'intraNodeBytes'] as const) {
      if (!finiteNonNegative(c[key])) problems.push(`comm.${c.kind}.${key} = ${c[key]}`);
    }
  }
  for (const [k, v] of Object.entries(r.breakdown?.step ?? {})) if (!finiteNonNegative(v)) problems.push(`step.${k} = ${v}`);
  const t = r.timeline;
  if (t) {
    if (!finiteNonNegative(t.makespanSeconds)) problems.push(`timeline.makespanSeconds = ${t.makespanSeconds}`);
    let bad = 0;
    for (const rank of t.ops ?? []) for (const op of rank) if (!(finiteNonNegative(op.start) && finiteNonNegative(op.end) && op.start <= op.end)) bad++;
    if (bad) problems.push(`${bad} timeline ops with non-finite or reversed times`);
  }
  return problems.slice(0, 20);
}

/**
 * Makes a synchronous test body subject to node:test's `timeout`. The runner's timer only fires on the event loop,
 * so a synchronous body that overruns its timeout still passes; yielding to a timer after the body lets the
 * (already expired) timeout timer fire first and fail the test.
 */
export function bounded(body: () => void): () => Promise<void> {
  return async () => {
    body();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
}

/**
 * The seed for fast-check: fixed by default so CI is deterministic (a red build names a real regression, not a lucky
 * draw); FC_SEED=<n> replays a printed failure and FC_SEED=random explores new inputs.
 */
export function fuzzSeed(): { seed?: number } {
  const env = process.env.FC_SEED;
  if (env === 'random') return {};
  return { seed: env !== undefined && Number.isFinite(Number(env)) ? Number(env) : 20261128 };
}
