import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactNumber, estimateText, formatDuration, formatPercent, problemsText } from '../../extension/estimateFormat';

test('large numbers keep three significant digits with a suffix', () => {
  assert.equal(compactNumber(2_664_000), '2.66M');
  assert.equal(compactNumber(12_345), '12.3K');
  assert.equal(compactNumber(950), '950');
  assert.equal(compactNumber(30_840_000), '30.8M');
  assert.equal(compactNumber(1.5e12), '1.50T');
});

test('rounding up to the next unit switches the suffix', () => {
  assert.equal(compactNumber(999_950), '1.00M');
});

test('durations read in days from one day up, then hours', () => {
  assert.equal(formatDuration(54.2), '54 d');
  assert.equal(formatDuration(4.25), '4.3 d');
  assert.equal(formatDuration(0.5), '12.0 h');
});

test('the status text for DeepSeek-V3 pre-training (2.664M H800 GPU-hours on 2048 GPUs ≈ 54 days)', () => {
  assert.equal(estimateText({ gpuHours: 2_664_000, wallClockDays: 2_664_000 / 2048 / 24 }), '≈ 2.66M GPU-h · 54 d');
});

test('percentages have one decimal', () => {
  assert.equal(formatPercent(0.3912), '39.1%');
});

test('problem counts are pluralized', () => {
  assert.equal(problemsText(1), '1 problem');
  assert.equal(problemsText(3), '3 problems');
});
