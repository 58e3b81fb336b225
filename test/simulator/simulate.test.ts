/** simulate(): outcome shape, failures as values, breakdowns that add up. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedConfig } from '../../simulator/config';
import { simulate } from '../../simulator/simulate';
import { deepSeekV3, llama3405B } from './fixtures';

test('an invalid schedule comes back as {ok:false, code, reason}: DualPipe with an odd number of ranks', () => {
  const c = deepSeekV3();
  const r = simulate({ ...c, parallelism: { ...c.parallelism, pipeline: 15 } });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.code, /^schedule\//);
});

test('a schedule too large for the engine is refused, not run', () => {
  const c = llama3405B();
  const r = simulate({ ...c, parallelism: { ...c.parallelism, schedule: '1f1b', pipeline: 1000, microBatches: 10_000 } });
  assert.equal(r.ok, false);
});

test('simulate never throws, even on nonsense', () => {
  const c = deepSeekV3();
  const broken = { ...c, model: { ...c.model, attention: undefined } } as unknown as ResolvedConfig;
  const r = simulate(broken);
  assert.equal(typeof r.ok, 'boolean');
});

test('--schedule override: the timeline reports the schedule it ran', () => {
  const r = simulate(deepSeekV3(), { schedule: 'zb-h1' });
  assert.ok(r.ok);
  assert.equal(r.result.timeline.schedule, 'zb-h1');
});

test('the headline agrees with its breakdown: tokens/s × step = tokens per step, the pipeline part is the executed makespan, no part is negative', () => {
  const c = deepSeekV3();
  const r = simulate(c);
  assert.ok(r.ok);
  const { result } = r;
  const s = result.breakdown.step;
  const tokensPerStep = c.training.globalBatchSize * c.training.sequenceLength;
  assert.ok(Math.abs(result.tokensPerSecond * result.stepSeconds - tokensPerStep) < 1e-6 * tokensPerStep);
  assert.equal(s.pipelineSeconds, result.timeline.makespanSeconds);
  assert.equal(s.stepSeconds, result.stepSeconds);
  assert.ok(result.stepSeconds >= result.timeline.makespanSeconds);
  for (const [part, seconds] of Object.entries(s)) assert.ok(seconds >= 0, `${part} = ${seconds}`);
  for (const x of result.breakdown.comm) assert.ok(x.hiddenSeconds <= x.totalSeconds + 1e-12 && x.exposedSeconds >= 0, x.kind);
});

test('the timeline is in seconds and ends at the makespan', () => {
  const r = simulate(llama3405B());
  assert.ok(r.ok);
  const t = r.result.timeline;
  const last = Math.max(...t.ops.map((ops) => ops[ops.length - 1].end));
  assert.ok(Math.abs(last - t.makespanSeconds) < 1e-9);
  assert.ok(t.opSeconds.F! > 0.001 && t.opSeconds.F! < 1);
});

test('MFU is model TFLOP/s over the dense BF16 peak', () => {
  const r = simulate(llama3405B());
  assert.ok(r.ok);
  assert.ok(Math.abs(r.result.mfu - r.result.tflopsPerGpu / 989) < 1e-12);
});

test('{ timeline: false } gives every number the full result gives, no ops, and leaves earlier full results intact', () => {
  const { timelineOpsOf, PipelineMemo } = require('../../simulator/simulate') as typeof import('../../simulator/simulate');
  const strip = (o: ReturnType<typeof simulate>) => {
    if (!o.ok) return o;
    const { ops: _ops, opSeconds: _opSeconds, ...timeline } = o.result.timeline;
    return { ...o, result: { ...o.result, timeline } };
  };
  const memo = new PipelineMemo();
  let compared = 0;
  for (const base of [deepSeekV3(), llama3405B()])
    for (const schedule of ['1f1b', 'interleaved-1f1b', 'zb-h1', 'zbv', 'dualpipe', 'dualpipev'] as const)
      for (const overlapP2pComm of [true, false]) {
        const config: ResolvedConfig = { ...base, parallelism: { ...base.parallelism, schedule, virtualStages: 2, overlapP2pComm } };
        // The first run of a schedule records its order, the later ones replay it (numbers-only ones in reused buffers).
        simulate(config, { timeline: false });
        const full = simulate(config);
        const columns = full.ok ? timelineOpsOf(full.result.timeline) : undefined;
        const kept = columns ? [Array.from(columns.start), Array.from(columns.end)] : [];
        for (let i = 0; i < 2; i++) {
          const alone = simulate(config, { timeline: false });
          const viaMemo = simulate(config, { timeline: false, pipelines: memo });
          assert.deepEqual(strip(alone), strip(full), `${base.name} ${schedule} overlap ${overlapP2pComm}`);
          assert.deepEqual(strip(viaMemo), strip(full));
          if (alone.ok) {
            assert.deepEqual(alone.result.timeline.ops, []);
            assert.equal(timelineOpsOf(alone.result.timeline), undefined);
          }
        }
        // Other durations, numbers only: they must not land in the full result's times.
        simulate({ ...config, model: { ...config.model, ffnHiddenSize: config.model.ffnHiddenSize + 256 } }, { timeline: false });
        if (columns) assert.deepEqual([Array.from(columns.start), Array.from(columns.end)], kept, 'the full result kept its own times');
        // A memo entry made without ops never serves a call that wants them.
        const again = simulate(config, { pipelines: memo });
        if (full.ok && again.ok) {
          assert.deepEqual(again.result.timeline.ops, full.result.timeline.ops);
          compared++;
        }
      }
  assert.ok(compared >= 12, `compared ${compared}`);
});
