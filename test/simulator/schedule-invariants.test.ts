/**
 * Every schedule, over a grid of P and N: each micro-batch runs F, then B (or b, then W), exactly once per model stage,
 * on the rank that holds the stage, and the executed timeline respects every dependency.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { formatOp, generateSchedule, stageOf } from '../../simulator/schedules/index';
import type { OpRef, Schedule, ScheduleKind, TimedOp } from '../../simulator/schedules/types';
import { executeSchedule, unitDurations } from '../../simulator/timeline';

interface StageWork {
  F?: TimedOp;
  backward?: { op: TimedOp; inputOnly: boolean };
  W?: TimedOp;
}

/** Checks the executed timeline against the schedule's own stage map; returns the violations found. */
function violations(schedule: Schedule, ranks: TimedOp[][]): string[] {
  const problems: string[] = [];
  const streams = schedule.kind === 'dualpipe' ? [0, 1] : [0];
  const perStream = schedule.kind === 'dualpipe' ? schedule.microBatches / 2 : schedule.microBatches;
  const work = new Map<string, StageWork>();
  const key = (ref: OpRef, stage: number) => `${ref.direction ?? 0}/${ref.microBatch}@${stage}`;
  const at = (ref: OpRef, stage: number) => {
    const k = key(ref, stage);
    if (!work.has(k)) work.set(k, {});
    return work.get(k) as StageWork;
  };
  const once = <T>(existing: T | undefined, what: string): void => {
    if (existing !== undefined) problems.push(`${what} runs twice`);
  };
  ranks.forEach((ops, rank) => {
    for (const op of ops) {
      const name = `rank ${rank} ${formatOp(op)}`;
      const forwardRef: OpRef | undefined = op.kind === 'F' || op.kind === 'FB' ? op : undefined;
      const backwardRef: OpRef | undefined = op.kind === 'FB' ? op.backward : op.kind === 'B' || op.kind === 'b' ? op : undefined;
      if (forwardRef) {
        const w = at(forwardRef, stageOf(schedule, rank, forwardRef));
        once(w.F, name);
        w.F = op;
      }
      if (backwardRef) {
        const w = at(backwardRef, stageOf(schedule, rank, backwardRef));
        once(w.backward, name);
        w.backward = { op, inputOnly: op.kind === 'b' };
      }
      if (op.kind === 'W') {
        const w = at(op, stageOf(schedule, rank, op));
        once(w.W, name);
        w.W = op;
      }
    }
  });
  for (const direction of streams)
    for (let microBatch = 0; microBatch < perStream; microBatch++)
      for (let stage = 0; stage < schedule.stages; stage++) {
        const name = `micro-batch ${direction}.${microBatch} stage ${stage}`;
        const w = work.get(key({ microBatch, direction: direction as 0 | 1 }, stage));
        if (!w?.F || !w.backward) {
          problems.push(`${name}: missing ${w?.F ? 'backward' : 'forward'}`);
          continue;
        }
        const previous = stage > 0 ? work.get(key({ microBatch, direction: direction as 0 | 1 }, stage - 1)) : undefined;
        const next = work.get(key({ microBatch, direction: direction as 0 | 1 }, stage + 1));
        if (previous?.F && w.F.start < previous.F.end) problems.push(`${name}: forward starts before its input`);
        if (w.backward.op.start < w.F.end) problems.push(`${name}: backward starts before its forward ends`);
        if (next?.backward && w.backward.op.start < next.backward.op.end) problems.push(`${name}: backward before its gradient`);
        if (w.backward.inputOnly !== (w.W !== undefined)) problems.push(`${name}: W ${w.W ? 'without b' : 'missing after b'}`);
        if (w.W && w.W.start < w.backward.op.end) problems.push(`${name}: W before its b`);
      }
  return problems;
}

const grid: Record<ScheduleKind, [number, number][]> = {
  gpipe: [[1, 1], [2, 3], [4, 8], [5, 7], [8, 24]],
  '1f1b': [[1, 1], [2, 1], [4, 3], [4, 8], [5, 7], [8, 24]],
  'interleaved-1f1b': [[1, 2], [2, 2], [2, 6], [4, 4], [4, 8], [4, 12], [8, 16]],
  'zb-h1': [[1, 1], [2, 1], [4, 3], [4, 8], [5, 7], [8, 24]],
  'zb-h2': [[1, 1], [2, 1], [4, 3], [4, 8], [5, 7], [8, 24]],
  zbv: [[1, 2], [2, 4], [3, 7], [4, 8], [4, 13], [8, 16]],
  dualpipe: [[2, 4], [2, 6], [4, 8], [4, 10], [6, 12], [8, 16], [8, 22]],
  dualpipev: [[1, 2], [2, 4], [3, 7], [4, 8], [4, 13], [8, 16]],
};

for (const kind of SCHEDULE_KINDS) {
  test(`${kind}: every micro-batch runs F → B (or b → W) exactly once per stage, dependencies respected`, () => {
    for (const [ranks, microBatches] of grid[kind]) {
      for (const virtualStages of kind === 'interleaved-1f1b' ? [1, 2, 3] : [undefined]) {
        const label = `${kind} P=${ranks} N=${microBatches}${virtualStages ? ` v=${virtualStages}` : ''}`;
        const generated = generateSchedule({ kind, ranks, microBatches, virtualStages });
        assert.ok(generated.ok, `${label}: ${!generated.ok && generated.reason}`);
        // Uneven costs and transfers so that a wrong dependency shows as an overlap.
        const executed = executeSchedule(generated.value, {
          ...unitDurations({ F: 1, B: 2.5, W: 1.1, FB: 3.2 }),
          transfer: () => 0.3,
        });
        assert.ok(executed.ok, `${label}: ${!executed.ok && executed.reason}`);
        assert.deepEqual(violations(generated.value, executed.value.ranks), [], label);
      }
    }
  });
}

test('the invariant check catches a schedule that drops a backward', () => {
  const generated = generateSchedule({ kind: '1f1b', ranks: 2, microBatches: 2 });
  assert.ok(generated.ok);
  const broken = { ...generated.value, order: [generated.value.order[0].slice(0, -1), generated.value.order[1]] };
  const executed = executeSchedule(broken, unitDurations({ F: 1, B: 2, W: 1 }));
  assert.ok(executed.ok);
  assert.deepEqual(violations(broken, executed.value.ranks), ['micro-batch 0.1 stage 0: missing backward']);
});
