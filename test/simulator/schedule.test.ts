/** Schedule generation: the published DualPipe order, the notation, and the reasons invalid requests get. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEDULE_KINDS } from '../../simulator/config';
import {
  formatOrder,
  generateSchedule,
  MAX_SCHEDULE_OPS,
  stageOf,
  validateScheduleRequest,
} from '../../simulator/schedules/index';
import type { Schedule, ScheduleRequest } from '../../simulator/schedules/types';

function schedule(req: ScheduleRequest): Schedule {
  const result = generateSchedule(req);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.value;
}

// The order DualPipe.step runs: https://github.com/deepseek-ai/DualPipe/blob/main/dualpipe/dualpipe.py
test('DualPipe P=4, N=8 reproduces the reference order op for op', () => {
  assert.deepEqual(formatOrder(schedule({ kind: 'dualpipe', ranks: 4, microBatches: 8 })), [
    'F0.0 F0.1 F0.2 F1.0 b1.0 W1.0 F1.1 (F0.3&B1.1) (F1.2&B0.0) B1.2 (F1.3&B0.1) B1.3 b0.2 W0.2 b0.3 W0.3',
    'F0.0 F1.0 F0.1 F1.1 F0.2 B1.0 (F1.2&B0.0) (F0.3&B1.1) (F1.3&B0.1) B1.2 B0.2 b1.3 b0.3 W1.3 W0.3',
    'F1.0 F0.0 F1.1 F0.1 F1.2 B0.0 (F0.2&B1.0) (F1.3&B0.1) (F0.3&B1.1) B0.2 B1.2 b0.3 b1.3 W0.3 W1.3',
    'F1.0 F1.1 F1.2 F0.0 b0.0 W0.0 F0.1 (F1.3&B0.1) (F0.2&B1.0) B0.2 (F0.3&B1.1) B0.3 b1.2 W1.2 b1.3 W1.3',
  ]);
});

test('1F1B order: rank r warms up with P−r−1 forwards, then alternates, then drains', () => {
  assert.deepEqual(formatOrder(schedule({ kind: '1f1b', ranks: 3, microBatches: 4 })), [
    'F0 F1 F2 B0 F3 B1 B2 B3',
    'F0 F1 B0 F2 B1 F3 B2 B3',
    'F0 B0 F1 B1 F2 B2 F3 B3',
  ]);
});

test('interleaved 1F1B visits chunks in groups of P micro-batches (Megatron-LM order)', () => {
  const [rank0] = formatOrder(schedule({ kind: 'interleaved-1f1b', ranks: 2, microBatches: 4, virtualStages: 2 }));
  // Warm-up (P−1)·2 + (v−1)·P = 4 forwards: micro-batches 0,1 on chunk 0, then 0,1 on chunk 1.
  assert.ok(rank0.startsWith('F0.0 F0.1 F1.0 F1.1 F0.2 B1.0'), rank0);
});

test('DualPipe rank r computes stage r of direction 0 and stage P−1−r of direction 1', () => {
  const s = schedule({ kind: 'dualpipe', ranks: 8, microBatches: 16 });
  assert.equal(stageOf(s, 2, { microBatch: 0, direction: 0 }), 2);
  assert.equal(stageOf(s, 2, { microBatch: 0, direction: 1 }), 5);
});

test('V schedules: rank r holds stage r (leg 0) and 2P−1−r (leg 1) of a 2P-stage model', () => {
  for (const kind of ['zbv', 'dualpipev'] as const) {
    const s = schedule({ kind, ranks: 4, microBatches: 8 });
    assert.equal(s.stages, 8);
    assert.equal(stageOf(s, 1, { microBatch: 3, chunk: 0 }), 1);
    assert.equal(stageOf(s, 1, { microBatch: 3, chunk: 1 }), 6);
  }
});

test('interleaved: chunk c on rank r is model stage c·P + r', () => {
  const s = schedule({ kind: 'interleaved-1f1b', ranks: 4, microBatches: 8, virtualStages: 3 });
  assert.equal(s.stages, 12);
  assert.equal(stageOf(s, 1, { microBatch: 0, chunk: 2 }), 9);
});

const invalid: [string, ScheduleRequest, string, RegExp][] = [
  ['DualPipe with odd P', { kind: 'dualpipe', ranks: 3, microBatches: 12 }, 'schedule/dualpipe-odd-ranks', /even.*got 3/],
  ['DualPipe with odd N', { kind: 'dualpipe', ranks: 4, microBatches: 9 }, 'schedule/dualpipe-odd-micro-batches', /got 9/],
  ['DualPipe with N < 2P', { kind: 'dualpipe', ranks: 4, microBatches: 6 }, 'schedule/too-few-micro-batches', /8 micro-batches, got 6/],
  ['DualPipeV with N < 2P', { kind: 'dualpipev', ranks: 4, microBatches: 7 }, 'schedule/too-few-micro-batches', /8 micro-batches, got 7/],
  ['ZB-V with N < 2P', { kind: 'zbv', ranks: 4, microBatches: 7 }, 'schedule/too-few-micro-batches', /got 7/],
  [
    'interleaved with N not a multiple of P',
    { kind: 'interleaved-1f1b', ranks: 4, microBatches: 6, virtualStages: 2 },
    'schedule/interleaved-micro-batches',
    /6 is not a multiple of 4/,
  ],
  ['interleaved with v = 0', { kind: 'interleaved-1f1b', ranks: 4, microBatches: 8, virtualStages: 0 }, 'schedule/invalid-virtual-stages', /got 0/],
  ['zero ranks', { kind: '1f1b', ranks: 0, microBatches: 8 }, 'schedule/invalid-ranks', /got 0/],
  ['fractional micro-batches', { kind: 'gpipe', ranks: 2, microBatches: 2.5 }, 'schedule/invalid-micro-batches', /got 2.5/],
  ['NaN ranks', { kind: 'zb-h1', ranks: NaN, microBatches: 8 }, 'schedule/invalid-ranks', /NaN/],
  ['unknown kind', { kind: 'pipedream' as never, ranks: 2, microBatches: 8 }, 'schedule/unknown-kind', /pipedream/],
];
for (const [name, req, code, reason] of invalid) {
  test(`invalid request returns a reason, never throws: ${name}`, () => {
    const problem = validateScheduleRequest(req);
    assert.equal(problem?.code, code);
    assert.match(problem.reason, reason);
    const result = generateSchedule(req);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, code);
  });
}

test(`past MAX_SCHEDULE_OPS (${MAX_SCHEDULE_OPS}) the engine refuses with schedule/too-large instead of running`, () => {
  const req: ScheduleRequest = { kind: 'dualpipe', ranks: 64, microBatches: 20_000 }; // ≤ 64·(2·20000+64) ops
  const result = generateSchedule(req);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'schedule/too-large');
  assert.match(!result.ok ? result.reason : '', /64 ranks × 20000 micro-batches/);
});

test('valid requests of every kind pass the pre-check', () => {
  for (const kind of SCHEDULE_KINDS)
    assert.equal(validateScheduleRequest({ kind, ranks: 4, microBatches: 8, virtualStages: 2 }), undefined, kind);
});
