/**
 * The executor's fast path (typed columns, `fillSeconds`, a fixed transfer time: no object per op) against its
 * object path (op and transfer callbacks) and against a reference written here the obvious way (ranks visited in
 * turn until none can move, inputs looked up by name): every op's start and end must agree exactly, for every
 * schedule kind on small shapes with durations that differ per kind and per stage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../support/generate';
import { SCHEDULE_KINDS } from '../../simulator/config';
import { generateSchedule, stageOf } from '../../simulator/schedules/index';
import { KIND_CODES } from '../../simulator/schedules/program';
import type { OpRef, Schedule, ScheduleOp, ScheduleRequest } from '../../simulator/schedules/types';
import { executeSchedule, type OpDurations, timelineColumns, timelineOps } from '../../simulator/timeline';

/** Seconds of an op from its kind and stages: distinct per kind and stage, so a wrong stage shows. */
let secondsOf = (kind: number, stage: number, backStage: number) => 1 + kind * 0.37 + stage * 0.011 + backStage * 0.0007;
let TRANSFER = 0.05;

function stagesOf(schedule: Schedule, rank: number, op: ScheduleOp): [number, number] {
  const stage = stageOf(schedule, rank, op);
  return [stage, op.backward ? stageOf(schedule, rank, op.backward) : stage];
}

/** Reference: per rank, the next op runs once its inputs are done; loop until no rank can move. */
function reference(schedule: Schedule): number[][][] {
  const done = new Map<string, { at: number; rank: number }>();
  const streamOf = (ref: OpRef) => `${ref.direction ?? 0}/${ref.microBatch}`;
  const key = (ref: OpRef, stage: number, phase: 'act' | 'grad') => `${streamOf(ref)}@${stage}:${phase}`;
  const next = schedule.order.map(() => 0);
  const free = schedule.order.map(() => 0);
  const times = schedule.order.map((ops) => ops.map(() => [NaN, NaN]));
  for (let moved = true; moved; ) {
    moved = false;
    schedule.order.forEach((ops, rank) => {
      for (; next[rank] < ops.length; next[rank]++) {
        const op = ops[next[rank]];
        const [stage, backStage] = stagesOf(schedule, rank, op);
        const back = op.kind === 'FB' ? (op.backward as OpRef) : op;
        const needs: { key: string; fromOtherRank: boolean }[] = [];
        const outs: string[] = [];
        if (op.kind === 'F' || op.kind === 'FB') {
          if (stage > 0) needs.push({ key: key(op, stage - 1, 'act'), fromOtherRank: true });
          outs.push(key(op, stage, 'act'));
        }
        if (op.kind === 'B' || op.kind === 'b' || op.kind === 'FB') {
          needs.push({ key: key(back, backStage, 'act'), fromOtherRank: false });
          if (backStage < schedule.stages - 1) needs.push({ key: key(back, backStage + 1, 'grad'), fromOtherRank: true });
          outs.push(key(back, backStage, 'grad'));
        }
        if (op.kind === 'W') needs.push({ key: key(op, stage, 'grad'), fromOtherRank: false });
        if (!needs.every((n) => done.has(n.key))) break;
        let t = free[rank];
        for (const n of needs) {
          const d = done.get(n.key) as { at: number; rank: number };
          t = Math.max(t, d.at + (n.fromOtherRank && d.rank !== rank ? TRANSFER : 0));
        }
        const end = t + secondsOf(KIND_CODES[op.kind], stage, backStage);
        times[rank][next[rank]] = [t, end];
        free[rank] = end;
        for (const out of outs) done.set(out, { at: end, rank });
        moved = true;
      }
    });
  }
  assert.deepEqual(next, schedule.order.map((ops) => ops.length), 'the reference ran every op');
  return times;
}

/** Each op's [start, end], rank by rank. */
const startsAndEnds = (ranks: readonly (readonly { start: number; end: number }[])[]) => ranks.map((ops) => ops.map((op) => [op.start, op.end]));

/** The object path's durations: a callback per op and per transfer. */
const objectDurations = (schedule: Schedule): OpDurations => ({
  op: (rank, op) => secondsOf(KIND_CODES[op.kind], ...stagesOf(schedule, rank, op)),
  transfer: () => TRANSFER,
});

/**
 * Runs `body` with `draw(schedule)` to set new random durations per kind and stage (some of them zero) and a new
 * transfer time (0 if `zeroTransfer`), from a generator seeded with `seed`; the fixed durations are restored after.
 */
function withRandomDurations(seed: number, body: (draw: (schedule: Schedule, zeroTransfer?: boolean) => void) => void): void {
  const saved = { secondsOf, TRANSFER };
  const random = prng(seed);
  try {
    body((schedule, zeroTransfer = false) => {
      const table = Array.from({ length: 5 * schedule.stages * schedule.stages }, () => (random() < 0.1 ? 0 : random() * 3));
      secondsOf = (k, stage, backStage) => table[(k * schedule.stages + stage) * schedule.stages + backStage];
      TRANSFER = zeroTransfer ? 0 : random();
    });
  } finally {
    ({ secondsOf, TRANSFER } = saved);
  }
}

const fast: OpDurations = {
  op: () => {
    throw new Error('the fast path builds no op object');
  },
  fillSeconds: ({ first, kind, stage, backStage, problem }, seconds) => {
    for (let g = 0; g < first[first.length - 1]; g++) if (problem[g] === 0) seconds[g] = secondsOf(kind[g], stage[g], backStage[g]);
  },
  transferSeconds: TRANSFER,
};

const shapes: Omit<ScheduleRequest, 'kind'>[] = [
  { ranks: 2, microBatches: 4, virtualStages: 2 },
  { ranks: 4, microBatches: 8, virtualStages: 2 },
  { ranks: 4, microBatches: 12, virtualStages: 3 },
  { ranks: 6, microBatches: 18, virtualStages: 3 },
];

test('fast path = object path = reference: every op of every schedule kind starts and ends at the same time', () => {
  let compared = 0;
  for (const kind of SCHEDULE_KINDS)
    for (const shape of shapes) {
      const generated = generateSchedule({ kind, ...shape });
      if (!generated.ok) continue;
      const schedule = generated.value;
      const a = executeSchedule(schedule, fast);
      const b = executeSchedule(schedule, objectDurations(schedule));
      assert.ok(a.ok && b.ok, `${kind} ${JSON.stringify(shape)}`);
      const expected = reference(schedule);
      const actual = startsAndEnds(a.value.ranks);
      assert.deepEqual(actual, expected, `${kind} ${JSON.stringify(shape)}: fast path vs reference`);
      assert.deepEqual(startsAndEnds(b.value.ranks), expected, `${kind}: object path vs reference`);
      assert.deepEqual({ ...a.value, ranks: [] }, { ...b.value, ranks: [] });
      // The typed columns hold the same times as the TimedOp lists.
      const columns = timelineColumns(a.value);
      assert.ok(columns);
      assert.deepEqual(Array.from(columns.end), actual.flat().map(([, end]) => end));
      compared++;
    }
  assert.ok(compared >= 2 * SCHEDULE_KINDS.length, `compared ${compared} schedules`);
});

test('the fast path asks for the durations once and never per op object; the wiring it caches does not leak between schedules', () => {
  let fills = 0;
  const counting: OpDurations = { ...fast, fillSeconds: (ops, seconds) => (fills++, fast.fillSeconds?.(ops, seconds)) };
  const one = generateSchedule({ kind: '1f1b', ranks: 4, microBatches: 8 });
  const other = generateSchedule({ kind: 'zb-h1', ranks: 4, microBatches: 8 });
  assert.ok(one.ok && other.ok);
  const first = executeSchedule(one.value, counting);
  const again = executeSchedule(one.value, counting);
  const third = executeSchedule(other.value, counting);
  assert.equal(fills, 3);
  assert.ok(first.ok && again.ok && third.ok);
  assert.deepEqual(again.value.ranks, first.value.ranks);
  assert.deepEqual(startsAndEnds(third.value.ranks), reference(other.value));
});

test("timelineOps gives every op as its TimedOp would read, from the columns and from a hand-built order alike", () => {
  for (const kind of SCHEDULE_KINDS) {
    const generated = generateSchedule({ kind, ranks: 4, microBatches: 8, virtualStages: 2 });
    assert.ok(generated.ok, kind);
    const durations: OpDurations = { op: (rank, op) => secondsOf(KIND_CODES[op.kind], ...stagesOf(generated.value, rank, op)) };
    // Columns (generated) and objects (a copy whose order is the only truth).
    for (const schedule of [generated.value, { ...generated.value, order: generated.value.order.map((r) => r.map((op) => ({ ...op }))) }]) {
      const run = executeSchedule(schedule, durations);
      assert.ok(run.ok, kind);
      const ops = timelineOps(run.value);
      assert.ok(ops, kind);
      run.value.ranks.forEach((row, rank) => {
        row.forEach((timed, i) => {
          const g = ops.first[rank] + i;
          const strip = (o: object) => JSON.parse(JSON.stringify(o));
          assert.deepEqual(strip(ops.opAt(rank, g)), strip(timed), `${kind} rank ${rank} op ${i}`);
          assert.equal(ops.microBatch[g], timed.microBatch);
          assert.equal(ops.direction[g], timed.direction === 1 ? 1 : 0);
          assert.equal(ops.start[g], timed.start);
        });
      });
    }
  }
});

test('a recorded run replayed with other durations = the reference with those durations, with and without blocking exchanges', () => {
  let replayed = 0;
  withRandomDurations(7, (draw) => {
    for (const kind of SCHEDULE_KINDS)
      for (const shape of [...shapes, { ranks: 5, microBatches: 13, virtualStages: 2 }, { ranks: 8, microBatches: 16, virtualStages: 2 }]) {
        const generated = generateSchedule({ kind, ...shape });
        if (!generated.ok) continue;
        const schedule = generated.value;
        // The first run records (its wiring is kept with the generated columns); every later one replays. Each run
        // draws new durations per kind and stage, some of them zero, and a new transfer time.
        for (let run = 0; run < 4; run++) {
          draw(schedule, run === 2);
          const a = executeSchedule(schedule, { ...fast, transferSeconds: TRANSFER });
          assert.ok(a.ok, `${kind} ${JSON.stringify(shape)}`);
          const label = `${kind} ${JSON.stringify(shape)} run ${run}`;
          assert.deepEqual(startsAndEnds(a.value.ranks), reference(schedule), label);
          // Blocking exchanges: the fast path (recorded, then replayed) against the object path, which never replays.
          const x = executeSchedule(schedule, { ...fast, transferSeconds: TRANSFER }, { blockingExchanges: true });
          const y = executeSchedule(schedule, objectDurations(schedule), { blockingExchanges: true });
          assert.equal(x.ok, y.ok, label);
          if (x.ok && y.ok) {
            assert.deepEqual(x.value.ranks, y.value.ranks, `${label}: blocking exchanges`);
            assert.deepEqual({ ...x.value, ranks: [] }, { ...y.value, ranks: [] }, `${label}: blocking exchanges`);
          }
          if (run > 0) replayed++;
        }
      }
  });
  assert.ok(replayed >= 3 * 2 * SCHEDULE_KINDS.length, `replayed ${replayed} runs`);
});

/** Durations as a table (`fillRows`): row (kind, stage, backStage) of a dense table, optionally permuted. */
function rowDurations(schedule: Schedule, permute: number): { durations: OpDurations; calls: () => number } {
  const S = schedule.stages;
  const rowsCount = 5 * S * S;
  // Row r of the table holds the durations of (kind, stage, backStage) number (r + permute) mod rowsCount.
  const table = Float64Array.from({ length: rowsCount }, (_, r) => {
    const d = (r + permute) % rowsCount;
    return secondsOf(Math.floor(d / (S * S)), Math.floor(d / S) % S, d % S);
  });
  let rowOf: Int32Array | undefined;
  let calls = 0;
  const durations: OpDurations = {
    ...fast,
    fillRows: ({ first, kind, stage, backStage, problem }) => {
      calls++;
      // One array per table, as opWork.ts keeps its rows per schedule: the replay may look it up once.
      if (!rowOf) {
        rowOf = new Int32Array(first[first.length - 1]);
        for (let g = 0; g < rowOf.length; g++) rowOf[g] = problem[g] !== 0 ? -1 : ((kind[g] * S * S + stage[g] * S + backStage[g]) - permute + rowsCount) % rowsCount;
      }
      return { rowOf, seconds: table };
    },
  };
  return { durations, calls: () => calls };
}

test('a replay reading durations from a table (fillRows) = the reference, also when the table changes between runs of one schedule', () => {
  for (const kind of SCHEDULE_KINDS) {
    const generated = generateSchedule({ kind, ranks: 4, microBatches: 8, virtualStages: 2 });
    assert.ok(generated.ok, kind);
    const schedule = generated.value;
    const expected = reference(schedule);
    // Records the run (the first run never replays), then replays it with two tables mapping ops to rows differently.
    assert.ok(executeSchedule(schedule, fast).ok);
    const a = rowDurations(schedule, 0);
    const b = rowDurations(schedule, 7);
    for (const [label, rows] of [['a', a], ['a again', a], ['b', b], ['a after b', a]] as const) {
      const run = executeSchedule(schedule, rows.durations);
      assert.ok(run.ok, `${kind} ${label}`);
      assert.deepEqual(startsAndEnds(run.value.ranks), expected, `${kind}: table ${label}`);
    }
    assert.equal(a.calls() + b.calls(), 4, `${kind}: every replay asked for the table once`);
  }
});

test('a numbers-only replay (reuseBuffers) gives the numbers the full run reads off its ops, for every kind, with random durations', () => {
  withRandomDurations(11, (draw) => {
    for (const kind of SCHEDULE_KINDS)
      for (const shape of shapes) {
        const generated = generateSchedule({ kind, ...shape });
        if (!generated.ok) continue;
        const schedule = generated.value;
        for (let run = 0; run < 3; run++) {
          draw(schedule);
          const full = executeSchedule(schedule, { ...fast, transferSeconds: TRANSFER });
          const numbers = executeSchedule(schedule, { ...rowDurations(schedule, 3).durations, transferSeconds: TRANSFER }, { reuseBuffers: true });
          const byKind = executeSchedule(schedule, { ...fast, fillSeconds: undefined, secondsByKind: { F: 1.5, B: 2.25, b: 1.125, W: 1.0625, FB: 3.5 }, transferSeconds: TRANSFER }, { reuseBuffers: true });
          const byKindFull = executeSchedule(schedule, { ...fast, fillSeconds: undefined, secondsByKind: { F: 1.5, B: 2.25, b: 1.125, W: 1.0625, FB: 3.5 }, transferSeconds: TRANSFER });
          const label = `${kind} ${JSON.stringify(shape)} run ${run}`;
          assert.ok(full.ok && numbers.ok && byKind.ok && byKindFull.ok, label);
          const strip = (t: typeof full.value) => ({ makespan: t.makespan, idle: t.idlePerRank, peaks: t.peakActivationsPerRank, ends: t.endsPerRank });
          assert.deepEqual(strip(numbers.value), strip(full.value), label);
          assert.deepEqual(strip(byKind.value), strip(byKindFull.value), `${label}: durations by kind`);
          assert.deepEqual(numbers.value.ranks, schedule.order.map(() => []), `${label}: no ops kept`);
        }
      }
  });
});
