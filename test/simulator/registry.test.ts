/**
 * The schedule registry: a schedule is one spec. A test-only schedule registered here (no source file edited) is
 * generated, executed, simulated, validated with its own reasons and fixes, and documented like a built-in one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import { parallelismRules } from '../../language/rules/parallelism';
import { SCHEDULE_DISPLAY_NAMES, SCHEDULE_KINDS, type ScheduleKind } from '../../simulator/config';
import { estimateMemory } from '../../simulator/memory';
import { perRank } from '../../simulator/schedules/program';
import {
  findSchedule,
  formatOrder,
  generateSchedule,
  registeredSchedules,
  registerSchedule,
  stageOf,
  validateScheduleRequest,
} from '../../simulator/schedules/index';
import { BUILT_IN_SCHEDULES } from '../../simulator/schedules/registry';
import { oneStagePerRank, type ScheduleSpec } from '../../simulator/schedules/spec';
import { simulate } from '../../simulator/simulate';
import { layerSplit } from '../../simulator/stages';
import { executeSchedule, unitDurations } from '../../simulator/timeline';
import { repoRoot as root } from '../support/generate';

const repoRoot = root();
import { llama3405B } from './fixtures';

/** GPipe's forwards, then the backwards newest first (LIFO), and at most 4P micro-batches: a schedule no built-in is. */
const lifo: ScheduleSpec<'test-lifo'> = {
  kind: 'test-lifo',
  displayName: 'Test LIFO',
  docs: 'Test-only: all forwards, then the backwards newest first.',
  evenLayerSplit: false,
  splitsBackward: false,
  ...oneStagePerRank,
  validate: ({ ranks, microBatches }) =>
    microBatches > 4 * ranks
      ? { code: 'schedule/test-lifo-too-many', reason: `Test LIFO takes at most 4 × ${ranks} micro-batches, got ${microBatches}`, microBatches: 4 * ranks }
      : undefined,
  opBound: ({ ranks, microBatches }) => ranks * microBatches * 2,
  generate: ({ ranks, microBatches }) =>
    perRank(ranks, (_r, rank) => {
      for (let mb = 0; mb < microBatches; mb++) rank.forward(mb);
      for (let mb = microBatches - 1; mb >= 0; mb--) rank.backward(mb);
    }, undefined, 2 * microBatches),
  peakActivationChunks: ({ microBatches }) => microBatches,
};
const KIND = 'test-lifo' as ScheduleKind;

function withLifo(body: () => void): void {
  const unregister = registerSchedule(lifo);
  try {
    body();
  } finally {
    unregister();
  }
}

test('a registered schedule is generated, executed and validated with its own rule, and is gone once removed', () => {
  withLifo(() => {
    assert.equal(findSchedule('test-lifo'), lifo);
    assert.ok(registeredSchedules().includes(lifo));
    const generated = generateSchedule({ kind: KIND, ranks: 3, microBatches: 4 });
    assert.ok(generated.ok);
    assert.deepEqual(formatOrder(generated.value), ['F0 F1 F2 F3 B3 B2 B1 B0', 'F0 F1 F2 F3 B3 B2 B1 B0', 'F0 F1 F2 F3 B3 B2 B1 B0']);
    assert.equal(generated.value.stages, 3);
    assert.equal(stageOf(generated.value, 2, { microBatch: 0 }), 2);
    const executed = executeSchedule(generated.value, unitDurations({ F: 1, B: 2, W: 1 }));
    assert.ok(executed.ok);
    // Forwards fill in N + P − 1; the backwards drain from the last rank, 2 units per rank and per micro-batch.
    assert.equal(executed.value.makespan, 3 * (4 + 3 - 1));
    assert.deepEqual(executed.value.peakActivationsPerRank, [4, 4, 4]);

    const problem = validateScheduleRequest({ kind: KIND, ranks: 2, microBatches: 9 });
    assert.equal(problem?.code, 'schedule/test-lifo-too-many');
    const refused = generateSchedule({ kind: KIND, ranks: 2, microBatches: 9 });
    assert.equal(!refused.ok && refused.code, 'schedule/test-lifo-too-many');
  });
  assert.equal(findSchedule('test-lifo'), undefined);
  assert.equal(validateScheduleRequest({ kind: KIND, ranks: 2, microBatches: 8 })?.code, 'schedule/unknown-kind');
});

test('a registered schedule is simulated end to end: its order, its stage mapping and its memory rule', () => {
  withLifo(() => {
    const base = llama3405B();
    const config = { ...base, parallelism: { ...base.parallelism, schedule: KIND, virtualStages: 1 } };
    const outcome = simulate(config);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    const { timeline, memory } = outcome.result;
    assert.equal(timeline.schedule, KIND);
    const N = config.parallelism.microBatches;
    const last = timeline.ops[timeline.ranks - 1];
    assert.deepEqual(last.slice(N, N + 2).map((o) => [o.kind, o.microBatch]), [['B', N - 1], ['B', N - 2]]);
    // Without an executed timeline the memory estimate takes the spec's published peak (N chunks here).
    assert.deepEqual(estimateMemory(config).perStage.map((r) => r.peakActivationChunks), Array(timeline.ranks).fill(N));
    assert.equal(memory.perStage.length, timeline.ranks);
  });
});

test("the language rules report a registered schedule's problem with its reason and its fix", () => {
  withLifo(() => {
    const text = readFileSync(join(repoRoot, 'examples', 'llama3-405b.train.yaml'), 'utf8');
    const result = checkText(text);
    assert.ok(result.config);
    // 8 × the example's batch: 128 micro-batches over 16 ranks, above Test LIFO's 4 × 16.
    const config = { ...result.config, training: { ...result.config.training, globalBatchSize: 8 * result.config.training.globalBatchSize }, parallelism: { ...result.config.parallelism, schedule: KIND, virtualStages: 1 } };
    const found = parallelismRules({ doc: result.document, config, layerSplit: layerSplit(config) }).filter((d) => d.code === 'schedule/test-lifo-too-many');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /at most 4 × 16 micro-batches, got 128/);
    const perMicroBatch = config.parallelism.data * config.training.microBatchSize;
    assert.deepEqual(found[0].fixes?.map((f) => [f.title, f.preferred]), [[`Set global_batch_size to ${(64 * perMicroBatch).toLocaleString('en-US')} (64 micro-batches)`, true]]);
  });
});

test('the built-in list is the config contract: kinds, display names, and the JSON schema enum in step', () => {
  assert.deepEqual(SCHEDULE_KINDS, BUILT_IN_SCHEDULES.map((s) => s.kind));
  for (const spec of BUILT_IN_SCHEDULES) {
    assert.equal(SCHEDULE_DISPLAY_NAMES[spec.kind], spec.displayName);
    assert.ok(spec.docs.length > 20, spec.kind);
  }
  const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'parallelism.json'), 'utf8'));
  const schedule = schema.properties.schedule;
  assert.deepEqual(schedule.enum, [...SCHEDULE_KINDS]);
  assert.equal(schedule.enumDescriptions.length, SCHEDULE_KINDS.length);
});

test('a kind cannot be registered twice, so a built-in is never replaced', () => {
  assert.throws(() => registerSchedule({ ...lifo, kind: '1f1b' }), /already registered/);
  assert.equal(findSchedule('1f1b'), BUILT_IN_SCHEDULES[1]);
});
