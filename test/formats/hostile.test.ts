/**
 * Hostile inputs in each format: huge, binary, deeply nested, unterminated quotes, a 10^5-line script. Each gets a
 * clear diagnostic (or a clean parse) and never throws; the bounds are by construction (caps in each reader).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMPORT_FRONT_ENDS } from '../../language/formats/frontEnds';
import { parseMegatron } from '../../language/formats/megatron';
import { parseTorchtitan } from '../../language/formats/torchtitan';
import { parseHf } from '../../language/formats/hf';
import { parseDeepSpeed } from '../../language/formats/deepspeed';
import { parseNemo } from '../../language/formats/nemo';
import { tokenizeShell } from '../../language/formats/shell';

const parsers = { megatron: parseMegatron, torchtitan: parseTorchtitan, hf: parseHf, deepspeed: parseDeepSpeed, nemo: parseNemo };
const codes = (d: { diagnostics: { code: string }[] }) => d.diagnostics.map((x) => x.code);

test('every front end refuses a huge file and a binary one with a diagnostic', () => {
  const huge = '#'.repeat(1_100_000);
  for (const [name, parse] of Object.entries(parsers)) {
    assert.ok(codes(parse(huge)).includes('document/too-large'), name);
    assert.ok(codes(parse('{"a\u0000": 1}')).includes('document/binary'), name);
  }
});

test('detect never throws and stays cheap on junk', () => {
  const junk = ['\u0000\u0001\u0002', '{'.repeat(100_000), '[['.repeat(50_000), '"'.repeat(100_000), '--num-layers '.repeat(10_000)];
  for (const text of junk) for (const f of IMPORT_FRONT_ENDS) assert.doesNotThrow(() => f.detect(text, 'x'));
});

test('deep nesting is a syntax diagnostic, not a stack overflow', () => {
  assert.match(parseHf('{"a":' + '['.repeat(100_000)).diagnostics[0].message, /nesting deeper than 64/);
  assert.match(parseDeepSpeed('{"train_batch_size":' + '{"a":'.repeat(100_000)).diagnostics[0].message, /nesting deeper than 64/);
  assert.ok(codes(parseTorchtitan('[training]\nseq_len = ' + '['.repeat(100_000))).includes('toml/syntax'));
  const nemo = parseNemo('model:\n' + Array.from({ length: 400 }, (_, i) => ' '.repeat(2 * i + 2) + 'a:').join('\n'));
  assert.ok(nemo.diagnostics.some((d) => d.severity === 'error'));
  assert.ok(codes(parseMegatron('--moe-layer-freq "' + '('.repeat(10_000) + '" --num-experts 8 --num-layers 2')).length > 0);
});

test('unterminated quotes are reported where they open', () => {
  const sh = parseMegatron('#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 4 --hidden-size "1024\n');
  const d = sh.diagnostics.find((x) => x.code === 'shell/syntax')!;
  assert.match(d.message, /double quote is never closed/);
  assert.equal(d.range.start.line, 1);
  const toml = parseTorchtitan('[training]\nseq_len = 4096\ndescription = "open\n');
  assert.match(toml.diagnostics.find((x) => x.code === 'toml/syntax')!.message, /never closed/);
  assert.match(parseHf('{"model_type": "llama, "hidden_size": 1}').diagnostics[0].message, /cannot be read/);
  assert.ok(parseNemo('model:\n  num_layers: "4\ntrainer:\n').diagnostics.some((x) => x.severity === 'error'));
});

test('a script of 10^5 lines is read to the end', () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'B=$A' : '# c'));
  const text = `${lines.join('\n')}\ntorchrun pretrain_gpt.py --num-layers 32 --hidden-size 4096 --num-attention-heads 32\n`;
  const doc = parseMegatron(text);
  assert.equal((doc.value as { model: { layers: number } }).model.layers, 32);
});

test('variable expansion that doubles on every line stops at its cap', () => {
  const lines = ['A=--num-layers'];
  for (let i = 0; i < 40; i++) lines.push('A="$A $A"');
  const script = tokenizeShell(lines.join('\n') + '\ntorchrun pretrain_gpt.py $A\n');
  assert.ok(script.problems.some((p) => /Variable expansion produces over/.test(p.message)));
});
