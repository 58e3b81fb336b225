import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeOp,
  formatCount,
  formatDays,
  formatGiB,
  formatGpuHours,
  formatInteger,
  formatPercent,
  formatSeconds,
  formatTflops,
  formatUsd,
  opLabel,
  scheduleName,
} from '../../webview/format';

test('DeepSeek-V3 headline reads "2.66M GPU-h · 55 d" (report Table 1: 2,664K H800 GPU-hours; ≈55 days)', () => {
  // 3.7 days per trillion tokens on 2,048 GPUs × 14.8T tokens.
  assert.equal(`${formatGpuHours(2.664e6)} · ${formatDays(3.7 * 14.8)}`, '2.66M GPU-h · 55 d');
  assert.equal(formatDays(55.2), '55 d');
  assert.equal(formatUsd(5.328e6), '$5.33M');
});

test('counts take three significant digits and a suffix', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(950), '950');
  assert.equal(formatCount(1234), '1.23K');
  assert.equal(formatCount(999_999), '1M');
  assert.equal(formatCount(14.8e12), '14.8T');
  assert.equal(formatCount(30.84e6), '30.8M');
  assert.equal(formatCount(180e3), '180K');
  assert.equal(formatCount(-2500), '−2.5K');
  assert.equal(formatCount(NaN), '—');
});

test('days, hours and weeks of wall clock', () => {
  assert.equal(formatDays(3.7), '3.7 d');
  assert.equal(formatDays(0.5), '12 h');
  assert.equal(formatDays(120.4), '120 d');
  assert.equal(formatDays(Infinity), '—');
  assert.equal(formatDays(1234.5), '1,235 d');
});

test('integers take thousands separators, rounded', () => {
  assert.equal(formatInteger(1234567), '1,234,567');
  assert.equal(formatInteger(999.6), '1,000');
  assert.equal(formatInteger(-5000), '-5,000');
  assert.equal(formatInteger(NaN), '—');
});

test('percentages', () => {
  assert.equal(formatPercent(0.0321), '3.2%');
  assert.equal(formatPercent(0.43), '43%');
  assert.equal(formatPercent(0.0004), '0.04%');
  assert.equal(formatPercent(0), '0%');
});

test('seconds pick a unit', () => {
  assert.equal(formatSeconds(12.34), '12.3 s');
  assert.equal(formatSeconds(0.0452), '45.2 ms');
  assert.equal(formatSeconds(1.2e-4), '120 µs');
  assert.equal(formatSeconds(250), '4.17 min');
  assert.equal(formatSeconds(0), '0 s');
});

test('memory, throughput and schedule names', () => {
  assert.equal(formatGiB(61.24), '61.2 GiB');
  assert.equal(formatGiB(141), '141 GiB');
  assert.equal(formatTflops(343.2), '343 TFLOP/s');
  assert.equal(scheduleName('dualpipe'), 'DualPipe');
  assert.equal(scheduleName('interleaved-1f1b'), 'Interleaved 1F1B');
  assert.equal(formatUsd(undefined), '—');
});

test('op labels follow the schedule notation (direction.microBatch, F&B pairs)', () => {
  assert.equal(opLabel({ kind: 'F', microBatch: 3, start: 0, end: 1 }), 'F3');
  assert.equal(opLabel({ kind: 'b', microBatch: 2, direction: 1, start: 0, end: 1 }), 'b1.2');
  assert.equal(opLabel({ kind: 'FB', microBatch: 3, direction: 0, backward: { microBatch: 1, direction: 1 }, start: 0, end: 1 }), 'F0.3&B1.1');
  assert.equal(opLabel({ kind: 'W', microBatch: 5, chunk: 1, start: 0, end: 1 }), 'W5c1');
});

test('the hover names the op, micro-batch, direction, start and duration', () => {
  const lines = describeOp({ kind: 'B', microBatch: 7, direction: 1, start: 0.012, end: 0.0165 }, 4);
  assert.equal(lines[0], 'Backward B1.7 · rank 4');
  assert.equal(lines[1], 'micro-batch 7, direction 1');
  assert.equal(lines[2], 'start 12 ms · duration 4.5 ms');
  const pair = describeOp({ kind: 'FB', microBatch: 3, direction: 0, backward: { microBatch: 1, direction: 1 }, start: 0, end: 3 }, 0);
  assert.deepEqual(pair.slice(1, 3), ['forward: micro-batch 3, direction 0', 'backward: micro-batch 1, direction 1']);
});
