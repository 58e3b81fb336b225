/** Quick fixes judged by the whole config: each fix applied and re-checked, ranked by the errors it leaves. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import type { Diagnostic, Fix } from '../../language/diagnostics';
import { applyFix, candidateFixes, MAX_RECHECK_CHARS, presentFixes } from '../../language/fixOutcomes';
import { DEEPSEEK, only, setLine } from './helpers';

const errors = (text: string) => checkText(text).diagnostics.filter((d) => d.severity === 'error').length;

test('pipeline 7 on DeepSeek-V3: the DualPipe error is offered the 16 that clears all three errors, first and preferred', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const errorsNow = errors(result.document.text);
  assert.equal(errorsNow, 3, JSON.stringify(result.diagnostics.map((d) => d.code)));
  const dualpipe = only(result, 'schedule/dualpipe-odd-ranks');
  assert.deepEqual((dualpipe.fixes ?? []).map((f) => f.title), ['Set pipeline to 6', 'Set pipeline to 8'], 'the rule alone proposes the nearest even values');

  const presented = presentFixes(result.document, candidateFixes(dualpipe, result.diagnostics, result.document), errorsNow);
  assert.deepEqual(presented.map((p) => p.title), ['Set pipeline to 16 (clears all 3 errors)', 'Set pipeline to 6 (2 errors left)', 'Set pipeline to 8 (2 errors left)']);
  assert.deepEqual(presented.map((p) => p.preferred), [true, false, false]);
  // Every count is what a fresh check of the fixed text says.
  for (const p of presented) assert.equal(p.errorsLeft, errors(applyFix(result.document, p.fix)), p.title);
  assert.match(applyFix(result.document, presented[0].fix), /^\s*pipeline: 16\b/m);
});

test('the world-size error offers the data, pipeline and node counts that fill the cluster, ranked by what each leaves', () => {
  const result = checkText(setLine(DEEPSEEK(), 'data', '64'));
  const worldSize = only(result, 'parallelism/world-size');
  const presented = presentFixes(result.document, candidateFixes(worldSize, result.diagnostics, result.document), errors(result.document.text));
  assert.deepEqual(presented.map((p) => p.title), ['Set data to 128 (clears all 2 errors)', 'Set pipeline to 32 (clears all 2 errors)', 'Set nodes to 128 (1 error left)']);
  assert.deepEqual(presented.map((p) => p.preferred), [true, false, false], 'only the first fix that clears everything is preferred');
});

test('with no fix clearing every error, the rule keeps its own preference and ties keep the rule order', () => {
  const result = checkText(setLine(DEEPSEEK(), 'global_batch_size', '15000'));
  const d = only(result, 'parallelism/micro-batches');
  const fixes: Fix[] = (d.fixes ?? []).map((f, i) => ({ ...f, preferred: i === 1 }));
  // Re-check nothing: every outcome is unknown, so the order and the preference are the rule's.
  const presented = presentFixes(result.document, fixes, 1, { left: 0 });
  assert.deepEqual(presented.map((p) => p.fix), fixes);
  assert.deepEqual(presented.map((p) => p.preferred), [false, true]);
  assert.deepEqual(presented.map((p) => p.title), fixes.map((f) => f.title), 'unknown outcomes leave titles alone');
});

test('the re-check budget is shared and bounded; past it, fixes keep their titles and go last', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const d = only(result, 'schedule/dualpipe-odd-ranks');
  const budget = { left: 1 };
  const presented = presentFixes(result.document, candidateFixes(d, result.diagnostics, result.document), 3, budget);
  assert.equal(budget.left, 0);
  assert.equal(presented.filter((p) => p.errorsLeft !== undefined).length, 1);
  assert.equal(presented[presented.length - 1].errorsLeft, undefined);
});

test('a document over the re-check size is not re-checked per fix', () => {
  const padding = `${'# history\n'.repeat(Math.ceil(MAX_RECHECK_CHARS / 10) + 1)}`;
  const result = checkText(padding + setLine(DEEPSEEK(), 'pipeline', '7'));
  const d: Diagnostic = only(result, 'schedule/dualpipe-odd-ranks');
  const budget = { left: 16 };
  const presented = presentFixes(result.document, candidateFixes(d, result.diagnostics, result.document), 3, budget);
  assert.equal(budget.left, 16, 'no re-check spent');
  assert.ok(presented.every((p) => p.errorsLeft === undefined && !/left|clears/.test(p.title)));
});

test('candidates from other diagnostics are only fixes of the same key, without duplicates', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const worldSize = only(result, 'parallelism/world-size');
  const candidates = candidateFixes(worldSize, result.diagnostics, result.document);
  // The world-size error sits on `data`: the DualPipe rule's pipeline fixes edit another key and are not borrowed.
  assert.deepEqual(candidates.map((f) => f.title), (worldSize.fixes ?? []).map((f) => f.title));
  const keys = candidates.map((f) => JSON.stringify(f.edits));
  assert.equal(new Set(keys).size, keys.length);
});
