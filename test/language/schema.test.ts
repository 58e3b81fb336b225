import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPU_PRESET_IDS } from '../../simulator/hardware';
import { checkText } from '../../language/check';
import { hoverAt } from '../../language/hover';
import { MAX_SCHEMA_DIAGNOSTICS, schemaAt } from '../../language/schema';
import { applyFix, check, DEEPSEEK, only, setLine } from './helpers';

test('every schema property has a description, examples, and a default unless it is required', () => {
  const walk = (path: string) => {
    const node = schemaAt(path);
    assert.ok(node, path);
    const props = node.properties ?? (node.anyOf ?? []).find((b) => b.properties)?.properties ?? {};
    for (const key of Object.keys(props)) {
      const child = schemaAt(path === '' ? key : `${path}.${key}`);
      assert.ok(child?.description, `${path}.${key} description`);
      // A required key has no default: its absence is an error, not the default.
      const required = (node.required ?? (node.anyOf ?? []).find((b) => b.properties)?.required ?? []).includes(key);
      assert.equal(child.default !== undefined, !required, `${path}.${key} ${required ? 'is required and has a default' : 'has no default'}`);
      assert.ok(child.examples && child.examples.length > 0, `${path}.${key} examples`);
      if (key !== '$schema') walk(path === '' ? key : `${path}.${key}`);
    }
  };
  walk('');
});

test('the GPU preset enum matches simulator/hardware.ts', () => {
  assert.deepEqual(schemaAt('cluster.gpu')?.anyOf?.[0].enum, [...GPU_PRESET_IDS]);
});

test('schemaAt follows array items and the custom-GPU branch', () => {
  assert.ok(schemaAt('precision.fp8.high_precision.0')?.enum?.includes('output_head'));
  assert.match(schemaAt('cluster.gpu.hbm_gib')?.description ?? '', /GiB/);
});

test('an unknown key is an error on the key with a rename fix to the suggestion', () => {
  const r = check(DEEPSEEK().replace('  pipeline: 16', '  pipline: 16'));
  const d = only(r, 'schema/unknown-key');
  assert.match(d.message, /did you mean `pipeline`/);
  assert.deepEqual(d.range, { start: { line: 39, character: 2 }, end: { line: 39, character: 9 } });
  assert.equal(d.fixes?.[0].edits[0].newText, 'pipeline');
  assert.equal(check(applyFix(r, d)).diagnostics.filter((x) => x.severity === 'error').length, 0);
});

test('a wrong type is an error on the value, in words', () => {
  const r = check(setLine(DEEPSEEK(), 'pipeline', 'sixteen'));
  const d = only(r, 'schema/type');
  assert.equal(d.path, 'parallelism.pipeline');
  assert.deepEqual(d.range, { start: { line: 39, character: 12 }, end: { line: 39, character: 19 } });
  assert.match(d.message, /whole number, not the text "sixteen"/);
  assert.equal(r.config, undefined);
});

test('a missing required key is an error on the parent key with an add fix', () => {
  const r = check(DEEPSEEK().replace('  sequence_length: 4096\n', ''));
  const d = only(r, 'schema/missing-key');
  assert.equal(d.range.start.line, 19); // `training:`
  const fixed = applyFix(r, d);
  assert.match(fixed, /sequence_length: 4096/);
  assert.ok(!check(fixed).diagnostics.some((x) => x.code === 'schema/missing-key'));
});

test('a missing section gets an add-section fix that checks clean of missing keys', () => {
  const text = DEEPSEEK().replace(/cluster:[\s\S]*$/, '');
  const r = check(text);
  const d = r.diagnostics.find((x) => x.code === 'schema/missing-key' && x.path === 'cluster');
  assert.ok(d);
  assert.ok(!check(applyFix(r, d)).diagnostics.some((x) => x.code === 'schema/missing-key'));
});

test('an unknown enum value suggests the nearest one', () => {
  const r = check(setLine(DEEPSEEK(), 'gpu', 'h80'));
  const d = only(r, 'schema/enum');
  assert.match(d.message, /did you mean `h800`/);
  assert.equal(r.diagnostics.length, 1);
});

test('a GPU preset named by its family suggests that family, not a neighbour one letter away', () => {
  const r = check(setLine(DEEPSEEK(), 'gpu', 'h100'));
  const d = only(r, 'schema/enum');
  assert.match(d.message, /did you mean `h100-sxm`/);
  assert.equal(check(applyFix(r, d)).config?.cluster.gpu.id, 'h100-sxm');
});

test('a number written with thousands separators offers the plain number', () => {
  for (const written of ['15,360', '15_360', '15 360']) {
    const r = check(setLine(DEEPSEEK(), 'global_batch_size', written));
    const d = only(r, 'schema/type');
    assert.equal(d.fixes?.[0]?.title, 'Change to 15360', written);
    const fixed = check(applyFix(r, d));
    assert.equal(fixed.config?.training.globalBatchSize, 15360, written);
    assert.deepEqual(fixed.diagnostics.filter((x) => x.code.startsWith('schema/')), [], written);
  }
  const tokens = check(setLine(DEEPSEEK(), 'tokens', '14,800,000,000,000'));
  assert.equal(only(tokens, 'schema/format').fixes?.[0]?.title, 'Change to 14800000000000');
  for (const notANumber of ['15,36', '1,5360', '15,360_000', '"big"']) {
    const r = check(setLine(DEEPSEEK(), 'global_batch_size', notANumber));
    assert.equal(only(r, 'schema/type').fixes, undefined, notANumber);
  }
  assert.equal(only(check(setLine(DEEPSEEK(), 'global_batch_size', '15,360.5')), 'schema/type').fixes, undefined, 'not a whole number');
});

test('a custom GPU object is accepted and its mistakes are reported inside it', () => {
  const ok = check(setLine(DEEPSEEK(), 'gpu', '{ name: X, family: hopper, bf16_tflops: 989, fp8_tflops: 1979, hbm_gib: 96, hbm_tbps: 4 }'));
  assert.deepEqual(ok.diagnostics.filter((d) => d.code.startsWith('schema/')), []);
  assert.equal(ok.config?.cluster.gpu.hbmGiB, 96);
  const bad = check(setLine(DEEPSEEK(), 'gpu', '{ bf16_tflops: 989, hbm_gib: 96 }'));
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['schema/missing-key']);
});

test('training.tokens takes a number or a K/M/B/T string', () => {
  assert.equal(check(DEEPSEEK()).config?.training.tokens, 14.8e12);
  assert.equal(check(setLine(DEEPSEEK(), 'tokens', '2e12')).config?.training.tokens, 2e12);
  assert.equal(only(check(setLine(DEEPSEEK(), 'tokens', 'lots')), 'schema/format').path, 'training.tokens');
});

test('schema errors stop at MAX_SCHEMA_DIAGNOSTICS, then one diagnostic counts the rest', () => {
  const items = Array.from({ length: 250 }, (_, i) => `      - ${i}`).join('\n');
  const { diagnostics } = checkText(`precision:\n  fp8:\n    high_precision:\n${items}\n`);
  assert.equal(diagnostics.length, MAX_SCHEMA_DIAGNOSTICS + 1);
  const rest = diagnostics.filter((d) => d.code === 'schema/too-many-errors');
  assert.equal(rest.length, 1);
  // 3 missing sections + 1 list too long + 250 items × (type + enum) = 504 errors.
  assert.match(rest[0].message, new RegExp(`^${504 - MAX_SCHEMA_DIAGNOSTICS} more schema errors`));
});

test('hover on a GPU value that names an Object.prototype member shows no preset table', () => {
  const result = checkText('cluster:\n  gpu: constructor\n');
  const hover = hoverAt(result, { line: 1, character: 8 });
  assert.ok(!hover || !hover.markdown.includes('undefined'), hover?.markdown);
});
