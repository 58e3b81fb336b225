/** `tcs simulate` through a fake CliIO. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCommand } from '../../cli/check';
import { simulateCommand } from '../../cli/simulate';
import { transcriptIO } from '../support/fakeIO';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

const fakeIO = (files: Record<string, string> = {}) => transcriptIO(files, (path) => readFileSync(join(EXAMPLES, path), 'utf8'));

test('tcs simulate prints the headline numbers and breakdowns of the DeepSeek-V3 example', () => {
  const io = fakeIO();
  assert.equal(simulateCommand(['deepseek-v3.train.yaml'], io), 0, io.stderr);
  for (const word of ['GPU-hours', 'TFLOP/s per GPU', 'exposed', 'hidden', 'rank', 'total GiB']) assert.ok(io.stdout.includes(word), word);
});

test('tcs simulate --json prints the documented keys', () => {
  const io = fakeIO();
  assert.equal(simulateCommand(['llama3-405b.train.yaml', '--json'], io), 0, io.stderr);
  const json = JSON.parse(io.stdout);
  for (const key of ['gpuHours', 'wallClockDays', 'costUsd', 'stepSeconds', 'tokensPerSecond', 'tflopsPerGpu', 'mfu', 'bubbleFraction', 'exposedCommFraction', 'memory', 'breakdown', 'timeline'])
    assert.ok(key in json, key);
  assert.ok(Array.isArray(json.memory.perStage) && json.memory.hbmGiB === 80);
});

test('tcs simulate --schedule overrides the config\'s schedule', () => {
  const io = fakeIO();
  assert.equal(simulateCommand(['deepseek-v3.train.yaml', '--schedule', '1f1b', '--json'], io), 0, io.stderr);
  assert.equal(JSON.parse(io.stdout).timeline.schedule, '1f1b');
});

test('tcs simulate exits 1 and prints the errors of an invalid config', () => {
  const io = fakeIO({ 'bad.train.yaml': 'model: {layers: -3}\n' });
  assert.equal(simulateCommand(['bad.train.yaml'], io), 1);
  assert.match(io.stderr, /error/);
});

test("tcs simulate prints a broken config's errors exactly as tcs check does, fix lines included", () => {
  const text = readFileSync(join(EXAMPLES, 'deepseek-v3.train.yaml'), 'utf8').replace('  pipeline: 16', '  pipeline: 7');
  const io = fakeIO({ 'p.train.yaml': text });
  assert.equal(simulateCommand(['p.train.yaml'], io), 1);
  const check = fakeIO({ 'p.train.yaml': text });
  checkCommand(['p.train.yaml'], check);
  const checkErrors = check.stdout.split('\n').filter((l, i, lines) => / error /.test(l) || (/^ {2}fix/.test(l) && / error /.test(lines[i - 1])));
  assert.ok(checkErrors.some((l) => l === '  fix: Set pipeline to 16 (clears all 3 errors)'), check.stdout);
  assert.deepEqual(io.stderr.split('\n').slice(0, checkErrors.length), checkErrors);
  assert.match(io.stderr, /p\.train\.yaml: not simulated: 3 errors\n$/);
  assert.equal(io.stdout, '');
});

test('tcs simulate exits 2 on a usage error', () => {
  const io = fakeIO();
  assert.equal(simulateCommand(['--schedule', 'nope', 'x.yaml'], io), 2);
});

test('tcs simulate --ablate prints one row per technique the config uses, with its ratio to the current config', () => {
  const io = fakeIO();
  assert.equal(simulateCommand(['deepseek-v3.train.yaml', '--ablate'], io), 0, io.stderr);
  for (const label of ['FP8 → BF16', 'DualPipe → 1F1B', 'node-limited routing → unlimited', 'DeepEP-style (flex) → all-to-all dispatch', 'communication overlap off', 'all of the above'])
    assert.match(io.stdout, new RegExp(`${label.replace(/[()]/g, '\\$&')}\\s+\\S+\\s+\\S+\\s+.*\\d\\.\\d\\d×`), label);
  const json = fakeIO();
  assert.equal(simulateCommand(['deepseek-v3.train.yaml', '--ablate', '--json'], json), 0, json.stderr);
  const rows = JSON.parse(json.stdout).ablation as { id: string; ratio: number; gpuHours: number }[];
  assert.equal(rows[0].id, 'current');
  assert.ok(rows.slice(1).every((r) => r.ratio > 1 && r.gpuHours > rows[0].gpuHours));
});

test('tcs simulate prices a layout that does not fit: every number, then which rank needs how much, exit 1', () => {
  // Llama 3 405B without pipeline parallelism: 405B parameters over TP 8 alone cannot fit in 80 GiB.
  const text = readFileSync(join(EXAMPLES, 'llama3-405b.train.yaml'), 'utf8')
    .replace('pipeline: 16', 'pipeline: 1')
    .replace('data: 128', 'data: 2048')
    .replace('schedule: interleaved-1f1b', 'schedule: 1f1b')
    .replace('virtual_stages: 4', 'virtual_stages: 1');
  const io = fakeIO({ 'big.train.yaml': text });
  assert.equal(simulateCommand(['big.train.yaml'], io), 1, io.stderr);
  for (const word of ['GPU-hours', 'TFLOP/s per GPU', 'total GiB']) assert.ok(io.stdout.includes(word), word);
  const line = /does not fit: rank (\d+) needs ([\d.]+) of ([\d.]+) GiB/.exec(io.stdout);
  assert.ok(line, io.stdout.slice(-400));
  assert.ok(Number(line[2]) > Number(line[3]));

  const json = fakeIO({ 'big.train.yaml': text });
  assert.equal(simulateCommand(['big.train.yaml', '--json'], json), 1);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.memory.fits, false);
  assert.ok(parsed.memory.overflow.length > 0 && parsed.memory.overflow[0].needBytes > parsed.memory.overflow[0].hbmBytes);
  assert.match(json.stderr, /does not fit/);
  assert.ok(parsed.gpuHours > 0);
});
