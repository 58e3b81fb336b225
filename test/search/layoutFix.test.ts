/** "Use" on a found layout: one edit that writes every changed key, valid in the document's own syntax. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../language/check';
import { applyChanges, layoutFix } from '../../language/layouts';
import { fixture } from '../formats/helpers';
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

test('sequence parallelism turned off with TP 1 is written where the text sets it, and left out where TP 1 already implies it', () => {
  const off = [{ key: 'parallelism.tensor', value: 1 }, { key: 'parallelism.sequence_parallel', value: false }];
  // Our YAML writes sequence_parallel: true; at TP 1 it would be a leftover the rules warn about.
  const yaml = loadExample('llama3-405b.train.yaml');
  const edited = checkText(applyChanges(yaml, off));
  assert.equal(edited.document.nodes.has('parallelism.sequence_parallel'), true);
  assert.equal((edited.document.value as { parallelism: { sequence_parallel: unknown } }).parallelism.sequence_parallel, false);
  // torchtitan implies it from tensor_parallel_degree > 1: once that is 1 there is nothing to write (no `# tcs:` line).
  const name = 'torchtitan-tp4-pp4.toml';
  const toml = fixture(name);
  const before = checkText(toml, { fileName: name });
  assert.equal(before.config?.parallelism.sequenceParallel, true);
  const fix = layoutFix(before.document, off);
  assert.ok(fix);
  assert.deepEqual(fix.edits.map((e) => e.newText), ['1']);
  const after = checkText(applyChanges(toml, off, { fileName: name }), { fileName: name });
  assert.equal(after.config?.parallelism.tensor, 1);
  assert.equal(after.config?.parallelism.sequenceParallel, false);
});
