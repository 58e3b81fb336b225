import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../language/check';
import { hoverAt } from '../../language/hover';

const CONFIG = `name: test
model:
  layers: 61
  hidden_size: 7168
  vocab_size: 129280
  attention: { type: mla, heads: 128 }
training:
  tokens: 14.8T
  sequence_length: 4096
  global_batch_size: 15360
parallelism:
  pipeline: 16
  schedule: dualpipe
  # a comment
  unknown_key: 3
cluster:
  gpu: h800
  nodes: 256
  gpus_per_node: 8
`;

/** Position of the first occurrence of `needle` on the line that contains `lineNeedle`, plus an offset. */
function at(text: string, lineNeedle: string, needle = lineNeedle, offset = 1) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(lineNeedle));
  assert.ok(line >= 0, `no line with ${lineNeedle}`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

test('hover on a key shows its schema description and default, and highlights the key', () => {
  const result = checkText(CONFIG);
  const hover = hoverAt(result, at(CONFIG, '  pipeline:', 'pipeline'));
  assert.ok(hover);
  assert.match(hover.markdown, /Pipeline-parallel degree/);
  assert.match(hover.markdown, /Default: `1`/);
  assert.match(hover.markdown, /`parallelism\.pipeline`/);
  assert.deepEqual(hover.range, { start: { line: 11, character: 2 }, end: { line: 11, character: 10 } });
});

test('hover on a required key says it is required and shows no default', () => {
  const result = checkText(CONFIG);
  for (const key of ['hidden_size', 'layers', 'global_batch_size', 'nodes']) {
    const hover = hoverAt(result, at(CONFIG, `  ${key}:`, key));
    assert.ok(hover, key);
    assert.doesNotMatch(hover.markdown, /Default:/, key);
    assert.match(hover.markdown, /Examples?:/, key);
  }
  assert.match(hoverAt(result, at(CONFIG, '  hidden_size:', 'hidden_size'))!.markdown, /Required/);
});

test('hover shows the derived value the checker computed for the path', () => {
  const result = { ...checkText(CONFIG), derived: { 'parallelism.pipeline': '61 layers over 16 stages: 3–4 per stage' } };
  const hover = hoverAt(result, at(CONFIG, '  pipeline:', 'pipeline'));
  assert.ok(hover);
  assert.match(hover.markdown, /\*\*Derived:\*\* 61 layers over 16 stages: 3–4 per stage/);
});

test('hover on a value still explains its key', () => {
  const result = checkText(CONFIG);
  const hover = hoverAt(result, at(CONFIG, '  pipeline:', '16'));
  assert.ok(hover);
  assert.match(hover.markdown, /Pipeline-parallel degree/);
  assert.equal(hover.range.start.character, CONFIG.split('\n')[11].indexOf('16'));
});

test('hover on an enum key lists the allowed values', () => {
  const hover = hoverAt(checkText(CONFIG), at(CONFIG, '  schedule:', 'schedule'));
  assert.ok(hover);
  assert.match(hover.markdown, /Allowed: `gpipe` · `1f1b` · `interleaved-1f1b`/);
});

test('hover on a schedule value explains that schedule', () => {
  const hover = hoverAt(checkText(CONFIG), at(CONFIG, '  schedule:', 'dualpipe'));
  assert.ok(hover);
  assert.match(hover.markdown, /DualPipe \(DeepSeek-V3\)/);
});

test('hover on a GPU preset value shows its peaks', () => {
  const hover = hoverAt(checkText(CONFIG), at(CONFIG, '  gpu:', 'h800'));
  assert.ok(hover);
  assert.match(hover.markdown, /NVIDIA H800/);
  assert.match(hover.markdown, /989 TFLOP\/s/);
  assert.match(hover.markdown, /1979 TFLOP\/s/);
});

test('hover inside a flow mapping documents the inner key', () => {
  const hover = hoverAt(checkText(CONFIG), at(CONFIG, 'attention:', 'heads'));
  assert.ok(hover);
  assert.match(hover.markdown, /`model\.attention\.heads`/);
});

test('hover on an unknown key shows nothing (its diagnostic says what is wrong)', () => {
  assert.equal(hoverAt(checkText(CONFIG), at(CONFIG, 'unknown_key')), undefined);
});

test('hover on a comment shows nothing', () => {
  assert.equal(hoverAt(checkText(CONFIG), at(CONFIG, '# a comment', 'comment')), undefined);
});

test('hover on a broken document does not throw', () => {
  const text = 'parallelism:\n  pipeline: [\n';
  assert.doesNotThrow(() => hoverAt(checkText(text), { line: 1, character: 4 }));
});
