/** setValueFix: the one edit behind quick fixes and the preview's "use this schedule", checked through the real parser. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setValueFix } from '../../language/fixes';
import { yamlScalar } from '../../language/formats/yaml';
import { parseYamlDocument as parseDocument } from '../../language/formats/yaml';

/** Sets parallelism.schedule and returns the new text. */
function setSchedule(text: string, schedule: string): string {
  const doc = parseDocument(text);
  const [edit] = setValueFix(doc, 'parallelism.schedule', schedule)!.edits;
  return text.slice(0, doc.offsetAt(edit.range.start)) + edit.newText + text.slice(doc.offsetAt(edit.range.end));
}
const parallelismOf = (text: string) => (parseDocument(text).value as { parallelism: Record<string, unknown> }).parallelism;
const example = () => readFileSync(join(__dirname, '..', '..', '..', 'examples', 'deepseek-v3.train.yaml'), 'utf8');

test('on the DeepSeek-V3 example only the schedule changes', () => {
  const text = example();
  assert.equal(setSchedule(text, 'zb-h2'), text.replace('schedule: dualpipe', 'schedule: zb-h2'));
});

test('a schedule whose name starts with a digit stays a plain scalar', () => {
  assert.equal(setSchedule('parallelism:\n  schedule: dualpipe\n', '1f1b'), 'parallelism:\n  schedule: 1f1b\n');
  assert.equal(yamlScalar('1e5'), '"1e5"');
  assert.equal(yamlScalar('on'), '"on"');
});

test('an empty value gets a space after the colon, so the key keeps its value', () => {
  assert.equal(setSchedule('parallelism:\n  schedule:\n', 'dualpipev'), 'parallelism:\n  schedule: dualpipev\n');
});

test('a missing schedule is inserted after the last key of the block, before the next section', () => {
  const text = example().replace(/^ {2}schedule: dualpipe\n/m, '');
  const out = setSchedule(text, '1f1b');
  assert.equal(parallelismOf(out).schedule, '1f1b');
  assert.equal(parallelismOf(out).virtual_stages, 1);
  assert.equal((parseDocument(out).value as { cluster: { gpu: string } }).cluster.gpu, 'h800');
});

test('a block that ends the file without a newline takes the key too', () => {
  assert.deepEqual(parallelismOf(setSchedule('name: x\nparallelism:\n  pipeline: 4\n  data: 2', 'dualpipe')), { pipeline: 4, data: 2, schedule: 'dualpipe' });
});

test('a flow mapping gets ", schedule: …" before its brace', () => {
  assert.equal(setSchedule('parallelism: { pipeline: 4 }\n', '1f1b'), 'parallelism: { pipeline: 4, schedule: 1f1b }\n');
  assert.deepEqual(parallelismOf(setSchedule('parallelism: {pipeline: 4, data: 2}\ncluster: {nodes: 1}\n', 'zbv')), { pipeline: 4, data: 2, schedule: 'zbv' });
});

test('without a parallelism section, one is appended', () => {
  assert.equal(setSchedule('name: x\n', 'gpipe'), 'name: x\nparallelism:\n  schedule: gpipe\n');
});
