/**
 * Blocking pipeline exchanges (Megatron-LM without --overlap-p2p-communication): each exchange is one `_communicate`
 * call in megatron/core/pipeline_parallel/p2p_communication.py — `torch.distributed.batch_isend_irecv` on its sends
 * and receives, then a wait on every request — so a message moves only once both neighbours have reached the calls
 * that hold it. The schedules place the calls as megatron/core/pipeline_parallel/schedules.py does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import type { ResolvedConfig } from '../../simulator/config';
import { buildCostModel } from '../../simulator/costs';
import { generateSchedule, registeredSchedules, stageOf } from '../../simulator/schedules/index';
import type { Schedule, ScheduleOp, ScheduleRequest, TimedOp } from '../../simulator/schedules/types';
import { simulate } from '../../simulator/simulate';
import { executeSchedule, type ExecutedTimeline, type OpDurations, unitDurations } from '../../simulator/timeline';

function schedule(req: ScheduleRequest): Schedule {
  const generated = generateSchedule(req);
  assert.ok(generated.ok, generated.ok ? '' : generated.reason);
  return generated.value;
}

function execute(s: Schedule, durations: OpDurations, blockingExchanges: boolean): ExecutedTimeline {
  const executed = executeSchedule(s, durations, { blockingExchanges });
  assert.ok(executed.ok, executed.ok ? '' : executed.reason);
  return executed.value;
}

const starts = (t: ExecutedTimeline) => t.ranks.map((ops) => ops.map((op) => `${op.kind}${op.microBatch}@${op.start}`).join(' '));

// 1F1B, P = 2, N = 2, F = 1, B = 2, every transfer 0.5. Rank 0: F0, send_forward, F1, send_forward_recv_backward,
// B0, recv_backward, B1. Rank 1: recv_forward, F0, B0, send_backward_recv_forward, F1, B1, send_backward.
const twoStage = { ...unitDurations({ F: 1, B: 2, W: 0 }), transferSeconds: 0.5 };

test('asynchronous sends (overlap on): the activation of F1 crosses while stage 1 computes B0, so its F1 starts when B0 ends', () => {
  const t = execute(schedule({ kind: '1f1b', ranks: 2, microBatches: 2 }), twoStage, false);
  // Rank 1: F0 at 1 + 0.5, B0 2.5–4.5, F1 at 4.5 (act1 arrived at 2.5). Rank 0: B0 when grad0 lands, 4.5 + 0.5.
  assert.deepEqual(starts(t), ['F0@0 F1@1 B0@5 B1@8', 'F0@1.5 B0@2.5 F1@4.5 B1@5.5']);
  assert.equal(t.makespan, 10);
  assert.equal(t.exchangeSecondsPerRank, undefined);
});

test('rendezvous (overlap off): stage 1 cannot take F1\'s activation before it reaches send_backward_recv_forward, so its F1 waits one transfer; stage 0 waits for its own sends', () => {
  const t = execute(schedule({ kind: '1f1b', ranks: 2, microBatches: 2 }), twoStage, true);
  // Rank 0: F0 0–1, send_forward ends 1.5, F1 1.5–2.5, send_forward_recv_backward posted at 2.5 meets rank 1's
  // send_backward_recv_forward posted at 4.5 (end of B0): both messages move 4.5–5.0. Rank 1: F1 5–6, B1 6–8,
  // send_backward posted at 8 meets rank 0's recv_backward posted at 7 (end of B0): 8.5. Rank 0: B1 8.5–10.5.
  assert.deepEqual(starts(t), ['F0@0 F1@1.5 B0@5 B1@8.5', 'F0@1.5 B0@2.5 F1@5 B1@6']);
  assert.equal(t.makespan, 10.5);
  // Beyond waiting for the data to be computed (the bubble), every exchange costs its transfer: three each.
  assert.deepEqual(t.exchangeSecondsPerRank, [1.5, 1.5]);
});

test('rendezvous: a sender waits for the receiver to post, not only for its transfer (1F1B warm-up send_forward, P = 3)', () => {
  // Stage 1's forward takes 3: rank 0's send_forward of F1 cannot complete before rank 1, busy with F0 until 4,
  // posts its recv_forward; with asynchronous sends rank 0 runs its F1 at 1 and is never held.
  const slowStage1: OpDurations = { op: (rank, op) => (op.kind === 'F' ? (rank === 1 ? 3 : 1) : 2), transferSeconds: 0 };
  const s = schedule({ kind: '1f1b', ranks: 3, microBatches: 3 });
  const rendezvous = execute(s, slowStage1, true);
  const async = execute(s, slowStage1, false);
  assert.equal(async.ranks[0][2].start, 2, 'overlap on: rank 0 F2 right after F1');
  // Rank 0: F0 0–1, send (rank 1 posted at 0) done 1, F1 1–2, send waits for rank 1's recv_forward at 4.
  assert.equal(rendezvous.ranks[0][1].start, 1);
  assert.equal(rendezvous.ranks[0][2].start, 4, 'overlap off: rank 0 F2 only after rank 1 took F1');
});

test('interleaved without overlap: a steady-state forward\'s activation leaves only after the paired backward (send_forward_backward_recv_forward_backward)', () => {
  const s = schedule({ kind: 'interleaved-1f1b', ranks: 2, microBatches: 4, virtualStages: 2 });
  const t = execute(s, unitDurations({ F: 1, B: 2, W: 0 }), true);
  // Rank 0's first steady step pairs F(mb 2, chunk 0) with B(mb 0, chunk 1); rank 1 receives mb 2's activation for
  // chunk 0 only when that pair is done, so its F(mb 2, chunk 0) starts no earlier than the pair's end.
  const find = (rank: number, kind: string, microBatch: number, chunk: number) => t.ranks[rank].find((op) => op.kind === kind && op.microBatch === microBatch && op.chunk === chunk) as TimedOp;
  const pairEnd = find(0, 'B', 0, 1).end;
  assert.equal(find(0, 'F', 2, 0).end, find(0, 'B', 0, 1).start, 'the pair runs back to back');
  assert.ok(find(1, 'F', 2, 0).start >= pairEnd, `${find(1, 'F', 2, 0).start} < ${pairEnd}`);
});

test('rendezvous: Megatron\'s schedules run to the end (no deadlock) and never finish earlier than with asynchronous sends', () => {
  const d = { ...unitDurations({ F: 1, B: 2, W: 1 }), transferSeconds: 0.25 };
  for (const [P, N, v] of [[2, 2, 1], [2, 2, 2], [3, 6, 1], [4, 4, 3], [4, 8, 2], [8, 24, 6]])
    for (const kind of ['1f1b', 'interleaved-1f1b'] as const) {
      const s = schedule({ kind, ranks: P, microBatches: N, virtualStages: v });
      const async = execute(s, d, false);
      const rendezvous = execute(s, d, true);
      assert.ok(rendezvous.makespan >= async.makespan - 1e-12, `${kind} P${P} N${N} v${v}: ${rendezvous.makespan} < ${async.makespan}`);
      // Every transfer now happens inside an exchange on both ends: each rank spends at least its sends there.
      for (const seconds of rendezvous.exchangeSecondsPerRank ?? []) assert.ok(seconds >= 0.25, `${kind} P${P}: ${seconds}`);
    }
});

test('overlap off under a schedule Megatron does not run (no exchangeAt): each op still waits for its own send, no rendezvous', () => {
  const example = examples().find((c) => Math.max(1, c.parallelism.pipeline) > 1) as ResolvedConfig;
  for (const kind of ['zb-h1', 'dualpipe'] as const) {
    const off = simulate({ ...example, parallelism: { ...example.parallelism, overlapP2pComm: false, schedule: kind } });
    const on = simulate({ ...example, parallelism: { ...example.parallelism, overlapP2pComm: true, schedule: kind } });
    if (!off.ok || !on.ok) continue;
    assert.ok(off.result.stepSeconds > on.result.stepSeconds, kind);
    assert.ok(off.result.breakdown.step.exposedPpSeconds > on.result.breakdown.step.exposedPpSeconds, kind);
  }
});

/**
 * A reference for asynchronous sends, written for reading: repeat until nothing moves, each op starting when its
 * rank's previous op ended and its inputs (previous stage's forward, own forward or b, next stage's backward) are
 * done, plus the transfer when they come from another rank.
 */
function referenceAsync(s: Schedule, seconds: (rank: number, i: number) => number, transfer: number): number[][] {
  const where = new Map<string, [number, number]>();
  const key = (what: string, microBatch: number, direction: number | undefined, stage: number) => `${what}/${microBatch}/${direction ?? 0}/${stage}`;
  const outputs = (rank: number, op: ScheduleOp): string[] => {
    const out: string[] = [];
    if (op.kind === 'F' || op.kind === 'FB') out.push(key('act', op.microBatch, op.direction, stageOf(s, rank, op)));
    const back = op.kind === 'FB' ? op.backward : op;
    if (back && (op.kind === 'B' || op.kind === 'b' || op.kind === 'FB')) out.push(key('grad', back.microBatch, back.direction, stageOf(s, rank, back)));
    return out;
  };
  s.order.forEach((ops, rank) => ops.forEach((op, i) => outputs(rank, op).forEach((k) => where.set(k, [rank, i]))));
  const start = s.order.map((ops) => ops.map(() => 0));
  const end = s.order.map((ops, rank) => ops.map((_, i) => seconds(rank, i)));
  for (let changed = true, rounds = 0; changed && rounds < 10_000; rounds++) {
    changed = false;
    s.order.forEach((ops, rank) =>
      ops.forEach((op, i) => {
        const needs: string[] = [];
        if (op.kind === 'F' || op.kind === 'FB') needs.push(key('act', op.microBatch, op.direction, stageOf(s, rank, op) - 1));
        const back = op.kind === 'FB' ? op.backward : op;
        if (back && (op.kind === 'B' || op.kind === 'b' || op.kind === 'FB')) {
          const st = stageOf(s, rank, back);
          needs.push(key('act', back.microBatch, back.direction, st), key('grad', back.microBatch, back.direction, st + 1));
        }
        if (op.kind === 'W') needs.push(key('grad', op.microBatch, op.direction, stageOf(s, rank, op)));
        let t = i > 0 ? end[rank][i - 1] : 0;
        for (const k of needs) {
          const from = where.get(k);
          if (from) t = Math.max(t, end[from[0]][from[1]] + (from[0] === rank ? 0 : transfer));
        }
        if (t !== start[rank][i]) {
          start[rank][i] = t;
          end[rank][i] = t + seconds(rank, i);
          changed = true;
        }
      }),
    );
  }
  return start;
}

function examples(): ResolvedConfig[] {
  const dir = join(__dirname, '..', '..', '..', 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.train.yaml'))
    .map((f) => checkText(readFileSync(join(dir, f), 'utf8')).config)
    .filter((c): c is ResolvedConfig => c !== undefined);
}

test('overlap on: every example under every schedule executes exactly the asynchronous-send timeline (no exchange is modelled)', () => {
  const configs = examples();
  assert.ok(configs.length >= 3, `${configs.length} examples resolved`);
  let compared = 0;
  for (const example of configs)
    for (const spec of registeredSchedules()) {
      const config: ResolvedConfig = { ...example, parallelism: { ...example.parallelism, overlapP2pComm: true, schedule: spec.kind as ResolvedConfig['parallelism']['schedule'] } };
      const outcome = simulate(config);
      if (!outcome.ok) continue;
      const s = schedule({ kind: config.parallelism.schedule, ranks: Math.max(1, config.parallelism.pipeline), microBatches: config.parallelism.microBatches, virtualStages: config.parallelism.virtualStages });
      const ops = outcome.result.timeline.ops;
      const transfer = buildCostModel(config, s.stages).pipelineTransfer.seconds;
      const reference = referenceAsync(s, (rank, i) => ops[rank][i].end - ops[rank][i].start, transfer);
      ops.forEach((row, rank) => row.forEach((op, i) => assert.equal(op.start, reference[rank][i], `${spec.kind} rank ${rank} op ${i}`)));
      assert.equal(outcome.result.breakdown.step.exposedPpSeconds, Math.min(outcome.result.timeline.makespanSeconds, 2 * Math.max(0, s.stages - 1) * transfer), 'the fill-and-drain estimate, not a measured exchange');
      compared++;
    }
  assert.ok(compared >= 2 * registeredSchedules().length, `only ${compared} example × schedule runs compared`);
});

test('overlap off: the simulated step carries the exchange time of the critical rank as exposed PP time', () => {
  const config = examples().find((c) => Math.max(1, c.parallelism.pipeline) > 1) as ResolvedConfig;
  const off: ResolvedConfig = { ...config, parallelism: { ...config.parallelism, overlapP2pComm: false, schedule: '1f1b' } };
  const on: ResolvedConfig = { ...off, parallelism: { ...off.parallelism, overlapP2pComm: true } };
  const a = simulate(off);
  const b = simulate(on);
  assert.ok(a.ok && b.ok);
  assert.ok(a.result.stepSeconds > b.result.stepSeconds, `${a.result.stepSeconds} ≤ ${b.result.stepSeconds}`);
  assert.ok(a.result.breakdown.step.exposedPpSeconds > 0);
});
