/**
 * Property: whatever text the editor hands the checker — random strings, YAML-shaped noise, or the examples
 * broken the ways people break them — `checkText` returns diagnostics without throwing, and every diagnostic
 * points inside the document (0 ≤ line < lineCount, 0 ≤ character ≤ line length, start ≤ end).
 *
 * Time bound: each test carries a runner timeout sized to its run count (≈ 1 s per input at most), so a
 * checker that hangs or goes quadratic on some input fails here. fast-check prints the seed and the
 * shrunk counterexample on failure; re-run with FC_SEED=<seed> to reproduce (FC_SEED=random explores beyond the fixed seed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkText } from '../../language/check';
import { loadExamples } from '../support/generate';
import { bounded, fuzzSeed, diagnosticProblems } from './invariants';
import { mutate, splitValue, type Mutation } from './mutations';

const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, includeErrorInReport: true, ...fuzzSeed() });

const examples = loadExamples();

function checkOk(text: string): void {
  let result: ReturnType<typeof checkText>;
  try {
    result = checkText(text);
  } catch (e) {
    throw new Error(`checkText threw: ${(e as Error)?.stack ?? String(e)}`);
  }
  assert.ok(result && typeof result === 'object', 'checkText returned no result');
  const problems = diagnosticProblems(text, result.diagnostics);
  assert.deepEqual(problems, [], `invalid diagnostics for input ${JSON.stringify(text.slice(0, 200))}…`);
}

test('the examples check clean (the baseline the mutations start from)', () => {
  assert.ok(examples.length >= 2, 'examples/ holds at least the two published configs');
  for (const e of examples) {
    const { diagnostics, config } = checkText(e.text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${d.code} ${d.path}: ${d.message}`), [], e.name);
    assert.ok(config, `${e.name} resolves`);
  }
});

test('any string: checkText returns valid diagnostics without throwing', { timeout: 30_000 }, bounded(() => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    // Characters that matter to YAML, to get past the first syntax error more often.
    fc.string({
      unit: fc.constantFrom(...': -?[]{},#&*!|>\'"%@`\n\r\t \\0123456789.eE+naif_'.split(''), 'key', 'layers', '.nan', '.inf', '<<', '---', '...'),
      maxLength: 300,
    }),
  );
  fc.assert(fc.property(anyText, checkOk), params(300));
}));

// ---------------------------------------------------------------------------------------------------------------
// Mutations of the examples: what half-typed and broken configs look like.

const NUMBERS = ['0', '-1', '-7168', '.nan', 'NaN', '.inf', '-.inf', '1e308', '1e309', '-1e308', '9007199254740993', '0.5', '1_000', '0x10', '1e-320', '"16"', 'null', '~', '[]', '{}', 'true'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('number' as const),
    line: fc.nat(),
    value: fc.oneof(fc.constantFrom(...NUMBERS), fc.integer().map(String), fc.double().map(String)),
  }),
  fc.record({ kind: fc.constant('huge' as const), line: fc.nat(), length: fc.integer({ min: 1_000, max: 20_000 }), char: fc.constantFrom('a', '9', '[', '"', ' ', '-') }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('tab' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 20 }) }),
);

test('the mutator really changes values (so the property below is not vacuous)', () => {
  const text = 'model:\n  layers: 61   # note\n  hidden_size: 7168\n';
  assert.equal(mutate(text, [{ kind: 'number', line: 0, value: '.nan' }]), 'model:\n  layers: .nan   # note\n  hidden_size: 7168\n');
  assert.equal(mutate(text, [{ kind: 'swap', a: 1, b: 2 }]), 'model:\n  layers: 7168   # note\n  hidden_size: 61\n');
  assert.equal(mutate(text, [{ kind: 'delete', line: 1 }]), 'model:\n  hidden_size: 7168\n');
});

test('any mutation of the examples: no throw, diagnostics inside the document', { timeout: 60_000 }, bounded(() => {
  const input = fc.record({
    example: fc.integer({ min: 0, max: examples.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }),
    crlf: fc.boolean(),
  });
  fc.assert(
    fc.property(input, ({ example, mutations, crlf }) => {
      let text = mutate(examples[example].text, mutations);
      if (crlf) text = text.replace(/\n/g, '\r\n');
      checkOk(text);
    }),
    params(200),
  );
}));

test('a single wrong number is reported on its own line, not on line 0', { timeout: 30_000 }, bounded(() => {
  // Invalid values for a positive integer: each must yield an error whose range sits on the edited line.
  const base = examples.find((e) => e.name.startsWith('deepseek'))!.text;
  const lines = base.split('\n');
  const targets = ['  layers:', '  hidden_size:', '  sequence_length:', '  global_batch_size:', '  pipeline:', '  nodes:'].map((p) =>
    lines.findIndex((l) => l.startsWith(p)),
  );
  assert.ok(targets.every((i) => i > 0));
  fc.assert(
    fc.property(fc.constantFrom(...targets), fc.constantFrom('0', '-1', '.nan', '.inf', '-.inf', '1e308', '2.5', '"many"', 'null'), (line, value) => {
      const parts = splitValue(lines[line])!;
      const edited = [...lines];
      edited[line] = parts[0] + value + parts[2];
      const text = edited.join('\n');
      const { diagnostics } = checkText(text);
      const onLine = diagnostics.filter((d) => d.severity === 'error' && d.range.start.line === line);
      assert.ok(
        onLine.length > 0,
        `no error on line ${line} (${edited[line].trim()}); got ${diagnostics.map((d) => `${d.range.start.line}:${d.code}`).join(', ')}`,
      );
    }),
    params(60),
  );
}));
