/** Quick fixes judged by the whole config: each fix applied and re-checked, ranked by the errors it leaves. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import { errorCount, type Fix } from '../../language/diagnostics';
import { applyFix, candidateFixes, MAX_RECHECK_CHARS, presentFixes, recheckBudget } from '../../language/fixOutcomes';
import { DEEPSEEK, only, setLine } from './helpers';

const errors = (text: string) => errorCount(checkText(text).diagnostics);
/** Time is not what these tests are about: a loaded machine must not run out of the editor's 50 ms. */
const ample = () => recheckBudget(64, 60_000);

test('pipeline 7 on DeepSeek-V3: the DualPipe error is offered the 16 that clears all three errors, first and preferred', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const errorsNow = errors(result.document.text);
  assert.equal(errorsNow, 3, JSON.stringify(result.diagnostics.map((d) => d.code)));
  const dualpipe = only(result, 'schedule/dualpipe-odd-ranks');
  assert.deepEqual((dualpipe.fixes ?? []).map((f) => f.title), ['Set pipeline to 6', 'Set pipeline to 8'], 'the rule alone proposes the nearest even values');

  const presented = presentFixes(result.document, candidateFixes(dualpipe, result.diagnostics, result.document), errorsNow, ample());
  assert.deepEqual(presented.map((p) => p.title), ['Set pipeline to 16 (clears all 3 errors)', 'Set pipeline to 6 (2 errors left)', 'Set pipeline to 8 (2 errors left)']);
  assert.deepEqual(presented.map((p) => p.preferred), [true, false, false]);
  // Every count is what a fresh check of the fixed text says.
  for (const p of presented) assert.equal(p.errorsLeft, errors(applyFix(result.document, p.fix)), p.title);
  assert.match(applyFix(result.document, presented[0].fix), /^\s*pipeline: 16\b/m);
});

test('the world-size error offers the data, pipeline and node counts that fill the cluster, ranked by what each leaves', () => {
  const result = checkText(setLine(DEEPSEEK(), 'data', '64'));
  const worldSize = only(result, 'parallelism/world-size');
  const presented = presentFixes(result.document, candidateFixes(worldSize, result.diagnostics, result.document), errors(result.document.text), ample());
  assert.deepEqual(presented.map((p) => p.title), ['Set data to 128 (clears all 2 errors)', 'Set pipeline to 32 (clears all 2 errors)', 'Set nodes to 128 (1 error left)']);
  assert.deepEqual(presented.map((p) => p.preferred), [true, false, false], 'only the first fix that clears everything is preferred');
});

test('when no fix clears every error, the rule keeps its preference and tied fixes keep the rule order', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const d = only(result, 'schedule/dualpipe-odd-ranks');
  // The rule's own two fixes each leave two errors: a tie, so the order is the rule's; make it prefer the second.
  const fixes: Fix[] = (d.fixes ?? []).map((f, i) => ({ ...f, preferred: i === 1 }));
  const presented = presentFixes(result.document, fixes, 3, ample());
  assert.deepEqual(presented.map((p) => p.errorsLeft), [2, 2]);
  assert.deepEqual(presented.map((p) => p.fix), fixes);
  assert.deepEqual(presented.map((p) => p.preferred), [false, true]);
});

test("among several fixes that clear everything, the rule's preferred one stays preferred", () => {
  const result = checkText(setLine(DEEPSEEK(), 'data', '64'));
  const d = only(result, 'parallelism/world-size');
  // Data 128 and pipeline 32 both clear both errors; say the rule preferred the pipeline fix.
  const fixes = candidateFixes(d, result.diagnostics, result.document).map((f) => ({ ...f, preferred: /pipeline/.test(f.title) }));
  const presented = presentFixes(result.document, fixes, 2, ample());
  assert.deepEqual(presented.filter((p) => p.errorsLeft === 0).map((p) => p.fix.title), ['Set data to 128', 'Set pipeline to 32']);
  assert.deepEqual(presented.filter((p) => p.preferred).map((p) => p.fix.title), ['Set pipeline to 32']);
});

test('in a file without errors the rule decides which fix is preferred, and a fix that breaks the config is not offered', () => {
  const result = checkText(DEEPSEEK());
  assert.equal(result.diagnostics.filter((x) => x.severity === 'error').length, 0);
  const range = result.document.nodes.get('parallelism.pipeline')!.value;
  const fixes: Fix[] = [
    { title: 'keep 16', edits: [{ range, newText: '16' }] },
    { title: 'also 16', edits: [{ range, newText: '16 ' }], preferred: true },
    { title: 'set 7', edits: [{ range, newText: '7' }], preferred: true },
  ];
  const presented = presentFixes(result.document, fixes, 0, ample());
  assert.deepEqual(presented.map((p) => p.title), ['keep 16', 'also 16']);
  assert.deepEqual(presented.map((p) => p.preferred), [false, true], 'clearing "all" of zero errors is no reason to prefer a fix');
});

test('a fix that leaves more errors than it removes is never offered; with no clean fix, none is', () => {
  // 63 layers over 16 stages: the rule proposes pipeline 21 and 9, each of which breaks the world size.
  const info = checkText(setLine(DEEPSEEK(), 'layers', '63'));
  const uneven = only(info, 'parallelism/uneven-stages');
  assert.equal(uneven.severity, 'info');
  assert.deepEqual((uneven.fixes ?? []).map((f) => f.title), ['Set pipeline to 21', 'Set pipeline to 9']);
  assert.deepEqual(presentFixes(info.document, candidateFixes(uneven, info.diagnostics, info.document), errors(info.document.text), ample()), []);
  // With errors in the file, a fix may trade one error for another but never add to them.
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const errorsNow = errors(result.document.text);
  const range = result.document.nodes.get('parallelism.tensor')!.value;
  const worse: Fix = { title: 'tensor 5', edits: [{ range, newText: '5' }] };
  assert.ok(errors(applyFix(result.document, worse)) > errorsNow);
  const dualpipe = only(result, 'schedule/dualpipe-odd-ranks');
  const presented = presentFixes(result.document, [...candidateFixes(dualpipe, result.diagnostics, result.document), worse], errorsNow, ample());
  assert.deepEqual(presented.map((p) => p.fix.title), ['Set pipeline to 16', 'Set pipeline to 6', 'Set pipeline to 8']);
  assert.ok(presented.every((p) => p.errorsLeft! <= errorsNow));
});

test('the re-check budget is shared and bounded by count and by time; past it, fixes keep their titles and go last', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  const d = only(result, 'schedule/dualpipe-odd-ranks');
  const candidates = candidateFixes(d, result.diagnostics, result.document);
  const budget = recheckBudget(1);
  const presented = presentFixes(result.document, candidates, 3, budget);
  assert.equal(budget.left, 0);
  assert.equal(presented.filter((p) => p.errorsLeft !== undefined).length, 1);
  assert.equal(presented[presented.length - 1].errorsLeft, undefined);
  const late = presentFixes(result.document, candidates, 3, recheckBudget(16, -1));
  assert.ok(late.every((p) => p.errorsLeft === undefined && p.title === p.fix.title), 'a spent time budget re-checks nothing');
});

test('a document over the re-check size is not re-checked per fix', () => {
  const padding = '# history\n'.repeat(Math.ceil(MAX_RECHECK_CHARS / 10) + 1);
  const result = checkText(padding + setLine(DEEPSEEK(), 'pipeline', '7'));
  const d = only(result, 'schedule/dualpipe-odd-ranks');
  const budget = recheckBudget(16);
  const presented = presentFixes(result.document, candidateFixes(d, result.diagnostics, result.document), 3, budget);
  assert.equal(budget.left, 16, 'no re-check spent');
  assert.ok(presented.every((p) => p.errorsLeft === undefined && p.title === p.fix.title));
});

test('a diagnostic borrows only fixes of its own key from other diagnostics', () => {
  const result = checkText(setLine(DEEPSEEK(), 'pipeline', '7'));
  // The world-size error sits on `data`: the DualPipe rule's pipeline fixes edit another key and are not borrowed.
  const worldSize = only(result, 'parallelism/world-size');
  assert.deepEqual(candidateFixes(worldSize, result.diagnostics, result.document).map((f) => f.title), (worldSize.fixes ?? []).map((f) => f.title));
  // The DualPipe error sits on `pipeline`: it borrows the world-size rule's pipeline fix, not its node fix.
  const dualpipe = only(result, 'schedule/dualpipe-odd-ranks');
  assert.deepEqual(candidateFixes(dualpipe, result.diagnostics, result.document).map((f) => f.title), ['Set pipeline to 6', 'Set pipeline to 8', 'Set pipeline to 16']);
});
