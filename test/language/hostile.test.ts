/**
 * Bad input never throws, stays bounded, and gets a clear diagnostic. Bounded is shown by the caps the diagnostics
 * report (nodes, sizes), not by a clock: a wall-clock limit here failed under a loaded machine; a test that never
 * settles is cancelled, and fails the run, by the runner's per-test timeout (scripts/test.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../language/check';
import { MAX_NODES } from '../../language/formats/yaml';
import { DEEPSEEK, setLine } from './helpers';

const bounded = (text: string) => checkText(text);
const codes = (text: string) => bounded(text).diagnostics.map((d) => d.code);

test('an empty file gets document/empty', () => {
  assert.deepEqual(codes(''), ['document/empty']);
  assert.deepEqual(codes('# only a comment\n'), ['document/empty']);
});

test('binary junk gets a diagnostic, not an exception', () => {
  let junk = '';
  for (let i = 0; i < 4096; i++) junk += String.fromCharCode((i * 7919) % 256);
  assert.ok(codes(junk).length > 0);
  assert.deepEqual(codes('\u0000\u0001\u0002'), ['document/binary']);
});

test('a 10 MB file is refused quickly with document/too-large', () => {
  const big = DEEPSEEK() + '# padding\n'.repeat(1_100_000);
  assert.deepEqual(codes(big), ['document/too-large']);
});

test('10,000-deep nesting is refused before the YAML parser recurses', () => {
  for (const text of [
    `model: ${'['.repeat(10000)}1${']'.repeat(10000)}`,
    `model: ${'{a: '.repeat(10000)}1${'}'.repeat(10000)}`,
    `model:\n  ${'- '.repeat(10000)}1\n`,
  ]) {
    assert.deepEqual(codes(text), ['document/too-deep']);
  }
});

test('an alias bomb stops at the node cap', () => {
  const lines = ['name: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++) lines.push(`x${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
  const r = bounded(lines.join('\n'));
  assert.ok(r.diagnostics.some((d) => d.code === 'document/too-many-nodes' && d.message.includes(MAX_NODES.toLocaleString('en-US'))));
});

test('.nan, .inf, negative, 1e308 and strings where numbers go are each a clear error on the value', () => {
  const cases: [string, RegExp][] = [
    ['.nan', /\.nan \(not a number\)/],
    ['.inf', /\.inf \(infinite\)/],
    ['-4', /at least 1, not -4/],
    ['1e308', /at most 1024, not 1e\+308/],
    ['"16"', /whole number, not the text "16"/],
  ];
  for (const [value, message] of cases) {
    const r = bounded(setLine(DEEPSEEK(), 'pipeline', value));
    assert.equal(r.diagnostics.length, 1, value);
    assert.match(r.diagnostics[0].message, message);
    assert.equal(r.diagnostics[0].range.start.line, 39);
    assert.equal(r.config, undefined);
  }
});

test('a scalar or a list at the top level is a type error, not an exception', () => {
  assert.deepEqual(codes('hello'), ['schema/type']);
  assert.deepEqual(codes('- 1\n- 2\n'), ['schema/type']);
});

test('__proto__ as a key stays data', () => {
  const r = bounded('__proto__: { polluted: 1 }\n');
  assert.ok(r.diagnostics.some((d) => d.code === 'schema/unknown-key'));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a line longer than the cap is refused on that line before yaml slows down', () => {
  const text = DEEPSEEK().replace('layers: 61', `layers: ${'"'.repeat(200_000)}`);
  const r = bounded(text);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['document/line-too-long']);
  assert.equal(r.diagnostics[0].range.start.line, 4);
});
