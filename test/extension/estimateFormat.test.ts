import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateText, estimateTooltip, problemsText } from '../../extension/estimateFormat';

test('the status text for DeepSeek-V3 pre-training (2.664M H800 GPU-hours on 2048 GPUs ≈ 54 days)', () => {
  assert.equal(estimateText({ gpuHours: 2_664_000, wallClockDays: 2_664_000 / 2048 / 24 }), '≈ 2.66M GPU-h · 54 d');
});

test('problem counts say what they count, errors then warnings, and add up to the tab decoration (errors + warnings)', () => {
  assert.equal(problemsText(1), '1 error');
  assert.equal(problemsText(3, 0), '3 errors');
  assert.equal(problemsText(2, 1), '2 errors, 1 warning');
  assert.equal(problemsText(1, 4), '1 error, 4 warnings');
});

test('the tooltip says when no price is set instead of showing a cost', () => {
  const result = {
    gpuHours: 1e6, wallClockDays: 20, costUsd: undefined, mfu: 0.4, tokensPerSecond: 1e6, stepSeconds: 10,
    bubbleFraction: 0.1, exposedCommFraction: 0.05, memory: { peakGiB: 70, hbmGiB: 80, fits: true, overflow: [], perStage: [] },
  } as unknown as Parameters<typeof estimateTooltip>[0];
  assert.match(estimateTooltip(result), /no price set/);
  assert.match(estimateTooltip({ ...result, costUsd: 2e6 }), /\$2M/);
});
