/** "Use" on a found layout: one edit that writes every changed key, valid in the document's own syntax. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import { applyChanges, layoutFix } from '../../language/layouts';
import { loadExample } from '../support/generate';

const withoutParallelism = (text: string) => text.replace(/^parallelism:\n(?:[ #].*\n|\n)*/m, '');

test('two new keys under a missing parallelism section write the section once, and the result checks as the changes say', () => {
  const text = withoutParallelism(loadExample('llama3-8b.train.yaml'));
  assert.ok(!/^parallelism:/m.test(text));
  const out = applyChanges(text, [
    { key: 'parallelism.tensor', value: 2 },
    { key: 'parallelism.zero_stage', value: 1 },
  ]);
  assert.equal(out.match(/^parallelism:/gm)?.length, 1, out);
  const checked = checkText(out);
  assert.deepEqual(checked.diagnostics.filter((d) => d.code.startsWith('yaml/')), []);
  assert.equal(checked.config?.parallelism.tensor, 2);
  assert.equal(checked.config?.parallelism.zeroStage, 1);
});

test('the fix is one edit spanning only what changed', () => {
  const text = loadExample('llama3-8b.train.yaml');
  const doc = checkText(text).document;
  const fix = layoutFix(doc, [
    { key: 'parallelism.tensor', value: 2 },
    { key: 'parallelism.zero_stage', value: 1 },
  ]);
  assert.ok(fix);
  assert.equal(fix.edits.length, 1);
  const [edit] = fix.edits;
  assert.equal(edit.range.start.line, doc.nodes.get('parallelism.tensor')?.value.start.line);
  assert.equal(edit.range.end.line, doc.nodes.get('parallelism.zero_stage')?.value.end.line);
});
