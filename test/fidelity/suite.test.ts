/**
 * Keeps the published-runs suite (test/fidelity/suite.ts) from regressing. The thresholds are the suite's own
 * (median and maximum |error| per group), set just above what the model reaches today; they tighten as terms are
 * added, and the targets (median ≤ 8%, max ≤ 20%, dense and MoE each) are listed beside them. Not per run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PUBLISHED, runSuite, summarise } from './suite';

/**
 * Today's ceiling per group: [median |error|, max |error|]. MoE, H800 and the all/H100 maxima were raised once, when
 * two MoE overcharges were removed (a permutation's backward moved its bytes twice; MoE layers paid a dense MLP's TP
 * collectives): the Megatron-Core MoE runs on H100 were fast already and are faster now (Qwen3-235B +21.5%). What
 * they miss is host-side time per MoE layer (launches and synchronisation) that no public figure pins; see README.
 * The H100 median was raised once, from 5% to 5.5%, when Megatron's unfused cross-entropy (FP32 passes over the logits)
 * was charged to the runs that ran it: the dense maximum fell below 20% (Nemotron-4 15B at 2,304 GPUs) while the
 * Megatron-Core r0.8 rows, already slow, moved further (1.7B −2.7% → −9.2%).
 */
const CEILING: Record<string, [number, number]> = {
  all: [0.05, 0.22],
  dense: [0.05, 0.195],
  MoE: [0.12, 0.22],
  A100: [0.07, 0.15],
  H100: [0.055, 0.22],
  H800: [0.025, 0.025],
};

const outcomes = runSuite();

test('the suite covers every published run: ≥ 30 runs, A100/H100/H800, dense and MoE, 8 to 16,384 GPUs', () => {
  assert.ok(PUBLISHED.length >= 30);
  for (const family of ['A100', 'H100', 'H800'] as const) assert.ok(PUBLISHED.some((r) => r.family === family), family);
  assert.ok(PUBLISHED.some((r) => r.moe) && PUBLISHED.some((r) => !r.moe));
  assert.equal(new Set(PUBLISHED.map((r) => r.file)).size, PUBLISHED.length, 'one config per run');
  const gpus = outcomes.map((o) => o.gpus);
  assert.equal(Math.min(...gpus), 8);
  assert.equal(Math.max(...gpus), 16384);
});

for (const s of summarise(outcomes)) {
  const [median, max] = CEILING[s.group];
  test(`${s.group}: median |error| ${(100 * s.medianAbs).toFixed(1)}% ≤ ${100 * median}%, max ${(100 * s.maxAbs).toFixed(1)}% ≤ ${100 * max}%`, () => {
    assert.ok(s.runs > 0);
    assert.ok(s.medianAbs <= median, `median |error| ${(100 * s.medianAbs).toFixed(1)}%`);
    assert.ok(s.maxAbs <= max, `max |error| ${(100 * s.maxAbs).toFixed(1)}%`);
  });
}

test('every simulated figure is finite and positive', () => {
  for (const o of outcomes) assert.ok(Number.isFinite(o.simulated) && o.simulated > 0, o.run.file);
});
