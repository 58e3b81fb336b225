/**
 * Executed timelines against the published bubbles: 1F1B and interleaved 1F1B (Narayanan et al., SC'21, arXiv
 * 2104.04473), Zero Bubble (arXiv 2401.10241) and the DualPipe README's table (https://github.com/deepseek-ai/DualPipe;
 * DeepSeek-V3, arXiv 2412.19437 Table 2). Unit costs are per chunk: F forward, b input-only backward, W weight
 * gradient, B = b + W, FB an overlapped forward+backward pair.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSchedule } from '../../simulator/schedules/index';
import type { Schedule, ScheduleRequest } from '../../simulator/schedules/types';
import { executeSchedule, type ExecutedTimeline, unitDurations } from '../../simulator/timeline';

type Costs = { F: number; B: number; b?: number; W: number; FB?: number };

function run(req: ScheduleRequest, costs: Costs): ExecutedTimeline {
  const generated = generateSchedule(req);
  assert.ok(generated.ok, generated.ok ? '' : generated.reason);
  const executed = executeSchedule(generated.value, unitDurations(costs));
  assert.ok(executed.ok, executed.ok ? '' : executed.reason);
  return executed.value;
}

const each = (P: number, value: number) => Array<number>(P).fill(value);
/** When rank 0 finishes its last op: for schedules whose ranks start staggered, the bubble inside rank 0's step. */
const rank0Finish = (t: ExecutedTimeline) => t.ranks[0][t.ranks[0].length - 1].end;

test('1F1B: every rank idles (P−1)(F+B); makespan (N+P−1)(F+B)', () => {
  for (const [P, N] of [[4, 8], [8, 24]])
    for (const c of [{ F: 1, B: 2, W: 1 }, { F: 1.5, B: 2.25, W: 1 }]) {
      const t = run({ kind: '1f1b', ranks: P, microBatches: N }, c);
      assert.deepEqual(t.idlePerRank, each(P, (P - 1) * (c.F + c.B)));
      assert.equal(t.makespan, (N + P - 1) * (c.F + c.B));
    }
});

test('GPipe has the same bubble as 1F1B, (P−1)(F+B)', () => {
  assert.deepEqual(run({ kind: 'gpipe', ranks: 4, microBatches: 8 }, { F: 1, B: 2, W: 1 }).idlePerRank, each(4, 9));
});

test('interleaved 1F1B: bubble (P−1)(F+B)/v of a full stage, i.e. (P−1)(F_chunk+B_chunk); fraction (P−1)/(v·N)', () => {
  for (const [P, N, v] of [[4, 8, 2], [4, 16, 3], [8, 32, 4]]) {
    const chunk = { F: 1, B: 2, W: 1 };
    const t = run({ kind: 'interleaved-1f1b', ranks: P, microBatches: N, virtualStages: v }, chunk);
    const stageF = v * chunk.F;
    const stageB = v * chunk.B;
    assert.deepEqual(t.idlePerRank, each(P, ((P - 1) * (stageF + stageB)) / v));
    const work = N * (stageF + stageB);
    assert.equal(t.idlePerRank[0] / work, (P - 1) / (v * N));
  }
});

test('ZB-H1: every rank idles (P−1)(T_F + T_b − T_W)', () => {
  for (const [P, N] of [[4, 8], [8, 24]])
    for (const c of [{ F: 1, b: 1, W: 1 }, { F: 2, b: 2, W: 1 }, { F: 1, b: 2, W: 1 }]) {
      const t = run({ kind: 'zb-h1', ranks: P, microBatches: N }, { ...c, B: c.b + c.W });
      assert.deepEqual(t.idlePerRank, each(P, (P - 1) * (c.F + c.b - c.W)), JSON.stringify(c));
    }
});

test('ZB-H2: rank 0 finishes after N(T_F+T_b+T_W) + (P−1)(T_F + T_b − 2T_W): zero bubble at equal costs', () => {
  for (const [P, N] of [[4, 12], [8, 24]])
    for (const c of [{ F: 1, b: 1, W: 1 }, { F: 2, b: 2, W: 1 }, { F: 1, b: 2, W: 1 }]) {
      const t = run({ kind: 'zb-h2', ranks: P, microBatches: N }, { ...c, B: c.b + c.W });
      assert.equal(rank0Finish(t), N * (c.F + c.b + c.W) + (P - 1) * (c.F + c.b - 2 * c.W), JSON.stringify(c));
    }
});

test('ZB-H2 at T_F = T_b = T_W is a parallelogram: no rank has a gap between its first and last op', () => {
  const t = run({ kind: 'zb-h2', ranks: 8, microBatches: 24 }, { F: 1, B: 2, W: 1 });
  for (const ops of t.ranks)
    for (let i = 1; i < ops.length; i++) assert.equal(ops[i].start, ops[i - 1].end, `gap before op ${i}`);
});

test('DualPipe with F=1, b=1, W=1, B=2, F&B=3: idle (P/2−1)(F&B+B−3W) = (P/2−1)·2 per rank', () => {
  const costs = { F: 1, B: 2, W: 1, FB: 3 };
  for (const [P, N] of [[4, 8], [4, 20], [8, 16], [8, 40], [16, 64]])
    assert.deepEqual(run({ kind: 'dualpipe', ranks: P, microBatches: N }, costs).idlePerRank, each(P, (P / 2 - 1) * 2));
});

test('DualPipe P=4, N=8 at unit costs: makespan 26, N·(F+B) = 24 of work per rank plus the README\'s idle of 2', () => {
  assert.equal(run({ kind: 'dualpipe', ranks: 4, microBatches: 8 }, { F: 1, B: 2, W: 1, FB: 3 }).makespan, 26);
});

test('DualPipeV on P devices (PP = 2P stages): idle (PP/2−1)(F&B+B−3W) = (P−1)·2 per rank', () => {
  const costs = { F: 1, B: 2, W: 1, FB: 3 };
  for (const [P, N] of [[2, 4], [4, 8], [4, 13], [8, 16]])
    assert.deepEqual(run({ kind: 'dualpipev', ranks: P, microBatches: N }, costs).idlePerRank, each(P, (P - 1) * 2));
});

test('ZB-V at T_F = T_b = T_W: the bubble does not grow with N and stays within one op of the fill skew (P−1)·T_F', () => {
  for (const P of [2, 4, 8]) {
    const idle = (N: number) => run({ kind: 'zbv', ranks: P, microBatches: N }, { F: 1, B: 2, W: 1 }).idlePerRank;
    assert.deepEqual(idle(2 * P), idle(6 * P));
    for (const rankIdle of idle(4 * P)) assert.ok(rankIdle >= P - 1 && rankIdle <= P, `P=${P}: idle ${rankIdle}`);
  }
});

test('peak activations: 1F1B holds P micro-batches on rank 0 and P−r on rank r (Narayanan et al.)', () => {
  assert.deepEqual(run({ kind: '1f1b', ranks: 4, microBatches: 8 }, { F: 1, B: 2, W: 1 }).peakActivationsPerRank, [4, 3, 2, 1]);
});

test('peak activations: ZB-H1 holds P on every rank, ZB-H2 2P−1 (Zero Bubble paper)', () => {
  assert.deepEqual(run({ kind: 'zb-h1', ranks: 4, microBatches: 12 }, { F: 1, B: 2, W: 1 }).peakActivationsPerRank, each(4, 4));
  assert.deepEqual(run({ kind: 'zb-h2', ranks: 4, microBatches: 12 }, { F: 1, B: 2, W: 1 }).peakActivationsPerRank, each(4, 7));
});

test('peak activations with b freeing M_B − M_W: ZB-H1 rank r holds (P−r)·M_B + r·M_W, rank 0 1F1B\'s P (Qi et al. 2024, §2.1, §3.1)', () => {
  // Zero Bubble Table 1 for a GPT layer without the s² scores: M_B = 34sbh, M_W = 32sbh.
  const retained = 32 / 34;
  const generated = generateSchedule({ kind: 'zb-h1', ranks: 4, microBatches: 12 });
  assert.ok(generated.ok);
  const executed = executeSchedule(generated.value, { ...unitDurations({ F: 1, B: 2, W: 1 }), retainedAfterInputBackward: retained });
  assert.ok(executed.ok);
  const peaks = executed.value.peakActivationsPerRank;
  for (let r = 0; r < 4; r++) assert.ok(Math.abs(peaks[r] - (4 - r + r * retained)) < 1e-9, `rank ${r}: ${peaks[r]}`);
  // With M_W → 0 (W keeping nothing) it is 1F1B's P, P−1, …, 1.
  const bare = executeSchedule(generated.value, { ...unitDurations({ F: 1, B: 2, W: 1 }), retainedAfterInputBackward: 0 });
  assert.ok(bare.ok);
  assert.deepEqual(bare.value.peakActivationsPerRank, [4, 3, 2, 1]);
});

test('peak activations: DualPipe holds P+1 chunks per rank, DualPipeV 2P+1 (PP+1 with PP = 2P); ZB-V 2P (P micro-batches)', () => {
  const costs = { F: 1, B: 2, W: 1, FB: 3 };
  assert.deepEqual(run({ kind: 'dualpipe', ranks: 8, microBatches: 32 }, costs).peakActivationsPerRank, each(8, 9));
  assert.deepEqual(run({ kind: 'dualpipev', ranks: 4, microBatches: 16 }, costs).peakActivationsPerRank, each(4, 9));
  assert.deepEqual(run({ kind: 'zbv', ranks: 4, microBatches: 16 }, costs).peakActivationsPerRank, each(4, 8));
});

test('peak activations: GPipe holds all N micro-batches', () => {
  assert.deepEqual(run({ kind: 'gpipe', ranks: 2, microBatches: 5 }, { F: 1, B: 2, W: 1 }).peakActivationsPerRank, [5, 5]);
});

test('point-to-point transfer time delays the receiver: 1F1B P=2, N=1 with 0.5 per hop takes F+t+F+B+t+B', () => {
  const generated = generateSchedule({ kind: '1f1b', ranks: 2, microBatches: 1 });
  assert.ok(generated.ok);
  const seen: string[] = [];
  const executed = executeSchedule(generated.value, {
    ...unitDurations({ F: 1, B: 2, W: 1 }),
    transfer: (from, to, ref, kind) => {
      seen.push(`${kind} ${from}→${to} mb${ref.microBatch}`);
      return 0.5;
    },
  });
  assert.ok(executed.ok);
  assert.equal(executed.value.makespan, 1 + 0.5 + 1 + 2 + 0.5 + 2);
  assert.deepEqual(seen.sort(), ['activation 0→1 mb0', 'gradient 1→0 mb0']);
});

test('keepOps: false gives the same makespan, idle and peak activations without the per-op lists', () => {
  for (const req of [{ kind: 'dualpipe', ranks: 8, microBatches: 24 }, { kind: 'zbv', ranks: 4, microBatches: 12 }] as const) {
    const generated = generateSchedule(req);
    assert.ok(generated.ok);
    const costs = unitDurations({ F: 1, B: 2, W: 1, FB: 3 });
    const full = executeSchedule(generated.value, costs);
    const numbers = executeSchedule(generated.value, costs, { keepOps: false });
    assert.ok(full.ok && numbers.ok);
    assert.deepEqual({ ...numbers.value, ranks: [] }, { ...full.value, ranks: [] });
    assert.deepEqual(numbers.value.ranks, Array.from({ length: req.ranks }, () => []));
  }
});

test('unitDurations: b defaults to B − W and FB to F + B', () => {
  const d = unitDurations({ F: 1, B: 3, W: 1 });
  assert.equal(d.op(0, { kind: 'b', microBatch: 0 }), 2);
  assert.equal(d.op(0, { kind: 'FB', microBatch: 0, backward: { microBatch: 1 } }), 4);
});

function handBuilt(order: Schedule['order']): Schedule {
  return { kind: '1f1b', ranks: order.length, microBatches: 2, chunksPerRank: 1, stages: order.length, order };
}

test('deadlock: a hand-built order where each rank waits for the other is reported, naming the stuck ranks and ops', () => {
  // Rank 1 wants micro-batch 1 first, rank 0 will not send it until it has micro-batch 0's gradient.
  const result = executeSchedule(
    handBuilt([
      [{ kind: 'F', microBatch: 0 }, { kind: 'B', microBatch: 0 }, { kind: 'F', microBatch: 1 }, { kind: 'B', microBatch: 1 }],
      [{ kind: 'F', microBatch: 1 }, { kind: 'B', microBatch: 1 }, { kind: 'F', microBatch: 0 }, { kind: 'B', microBatch: 0 }],
    ]),
    unitDurations({ F: 1, B: 2, W: 1 }),
  );
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'schedule/deadlock');
  assert.match(!result.ok ? result.reason : '', /rank 0 at B0 \(op 2 of 4\); rank 1 at F1 \(op 1 of 4\)/);
});

test('a W whose b never runs is a deadlock, not a hang', () => {
  const result = executeSchedule(
    handBuilt([[{ kind: 'F', microBatch: 0 }, { kind: 'W', microBatch: 0 }, { kind: 'b', microBatch: 0 }]]),
    unitDurations({ F: 1, B: 2, W: 1 }),
  );
  assert.equal(!result.ok && result.code, 'schedule/deadlock');
});

test('an op naming a micro-batch outside the schedule is rejected, not indexed', () => {
  const result = executeSchedule(handBuilt([[{ kind: 'F', microBatch: 7 }]]), unitDurations({ F: 1, B: 2, W: 1 }));
  assert.equal(!result.ok && result.code, 'schedule/invalid-op');
  assert.match(!result.ok ? result.reason : '', /rank 0: F7/);
});

test('an op that runs twice is rejected', () => {
  const result = executeSchedule(
    handBuilt([[{ kind: 'F', microBatch: 0 }, { kind: 'F', microBatch: 0 }]]),
    unitDurations({ F: 1, B: 2, W: 1 }),
  );
  assert.equal(!result.ok && result.code, 'schedule/invalid-op');
});
