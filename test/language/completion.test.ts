import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../language/check';
import { completionsAt, type CompletionItem } from '../../language/completion';

/** Completions where `|` marks the cursor. */
function complete(textWithCursor: string): CompletionItem[] {
  const offset = textWithCursor.indexOf('|');
  assert.ok(offset >= 0, 'mark the cursor with |');
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1].length };
  return completionsAt(checkText(text), position);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const find = (items: CompletionItem[], label: string) => {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `expected ${label} in ${labels(items).join(', ')}`);
  return item;
};

test('a half-typed key inside a section completes to `key: ` replacing the typed word', () => {
  const items = complete('parallelism:\n  tensor: 1\n  pipe|\n');
  const pipeline = find(items, 'pipeline');
  assert.equal(pipeline.kind, 'key');
  assert.equal(pipeline.insertText, 'pipeline: ');
  assert.deepEqual(pipeline.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 6 } });
  assert.match(pipeline.documentation ?? '', /Pipeline-parallel degree/);
});

test('keys already present in the mapping are not offered', () => {
  const items = complete('parallelism:\n  tensor: 1\n  |\n  schedule: 1f1b\n');
  assert.ok(!labels(items).includes('tensor'));
  assert.ok(!labels(items).includes('schedule'));
  assert.ok(labels(items).includes('pipeline'));
});

test('keys are offered for the mapping the indentation puts the cursor in', () => {
  const items = complete('model:\n  layers: 61\nparallelism:\n  tensor: 1\n|\n');
  assert.ok(labels(items).includes('training'));
  assert.ok(!labels(items).includes('model'));
  assert.ok(!labels(items).includes('pipeline'));
});

test('a key whose value is a mapping opens an indented block', () => {
  const items = complete('model:\n  layers: 61\n|\n');
  assert.equal(find(items, 'parallelism').insertText, 'parallelism:\n  ');
});

test('the block indentation follows the document (4 spaces)', () => {
  const items = complete('model:\n    layers: 61\n|\n');
  assert.equal(find(items, 'parallelism').insertText, 'parallelism:\n    ');
});

test('required keys sort before optional ones', () => {
  const items = complete('|\n');
  const sorted = [...items].sort((a, b) => a.sortText.localeCompare(b.sortText)).map((i) => i.label);
  assert.deepEqual(sorted.slice(0, 3).sort(), ['cluster', 'model', 'training']);
});

test('editing the name of an existing key inserts the name only', () => {
  const items = complete('parallelism:\n  pipe|line: 16\n');
  const pipeline = find(items, 'pipeline');
  assert.equal(pipeline.insertText, 'pipeline');
  assert.deepEqual(pipeline.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 10 } });
});

test('an empty value after `schedule: ` offers every schedule, each with docs', () => {
  const items = complete('parallelism:\n  schedule: |\n');
  for (const kind of ['gpipe', '1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'zbv', 'dualpipe', 'dualpipev']) {
    const item = find(items, kind);
    assert.equal(item.kind, 'value');
    assert.equal(item.insertText, kind);
    assert.ok(item.documentation);
  }
});

test('right after the colon, values are inserted with a leading space', () => {
  const items = complete('parallelism:\n  schedule:|\n');
  assert.equal(find(items, 'dualpipe').insertText, ' dualpipe');
});

test('a half-typed value replaces the word typed so far', () => {
  const items = complete('parallelism:\n  schedule: dual|\n');
  const item = find(items, 'dualpipev');
  assert.deepEqual(item.range, { start: { line: 1, character: 12 }, end: { line: 1, character: 16 } });
});

test('the GPU offers the presets, documented with their peaks', () => {
  const items = complete('cluster:\n  gpu: |\n');
  const h800 = find(items, 'h800');
  assert.match(h800.documentation ?? '', /989 TFLOP\/s/);
  assert.equal(h800.detail, 'NVIDIA H800 SXM 80GB');
  for (const id of ['a100-80gb', 'h100-sxm', 'h200', 'b200']) find(items, id);
});

test('a boolean key offers true and false', () => {
  const items = complete('model:\n  tied_embeddings: |\n');
  assert.deepEqual(labels(items).filter((l) => l === 'true' || l === 'false').sort(), ['false', 'true']);
});

test('an enum nested two levels deep offers its values', () => {
  const items = complete('precision:\n  compute: fp8\n  fp8:\n    scaling: |\n');
  assert.ok(labels(items).includes('blockwise'));
  assert.ok(labels(items).includes('mxfp8'));
});

test('a key with value completions asks the editor to suggest again after insertion', () => {
  const items = complete('parallelism:\n  sch|\n');
  assert.equal(find(items, 'schedule').retrigger, true);
  const numbers = complete('parallelism:\n  pip|\n');
  assert.equal(find(numbers, 'pipeline').retrigger, false);
});

test('inside a flow mapping, missing keys are offered and present ones are not', () => {
  const items = complete('model:\n  attention: { type: mla, |}\n');
  assert.ok(labels(items).includes('heads'));
  assert.ok(!labels(items).includes('type'));
  assert.equal(find(items, 'heads').insertText, 'heads: ');
});

test('inside a flow mapping, a value after `key: ` is completed', () => {
  const items = complete('model:\n  attention: { type: |}\n');
  assert.ok(labels(items).includes('gqa'));
});

test('inside a flow sequence, items not yet listed are offered', () => {
  const items = complete('precision:\n  fp8:\n    high_precision: [embedding, |]\n');
  assert.ok(labels(items).includes('output_head'));
  assert.ok(!labels(items).includes('embedding'));
});

test('a block sequence item offers the item values', () => {
  const items = complete('precision:\n  fp8:\n    high_precision:\n      - embedding\n      - |\n');
  assert.ok(labels(items).includes('router'));
  assert.ok(!labels(items).includes('embedding'));
});

test('the custom GPU object offers its own keys', () => {
  const items = complete('cluster:\n  gpu:\n    name: X\n    |\n');
  assert.ok(labels(items).includes('bf16_tflops'));
});

test('nothing is offered inside a comment', () => {
  assert.deepEqual(complete('parallelism:\n  # pipe|\n'), []);
});

test('nothing is offered under a key that holds a scalar', () => {
  assert.deepEqual(complete('parallelism:\n  tensor: 1\n    |\n'), []);
});
