import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerFreqText, parseLayerFreq, parseLayout } from '../../language/formats/layerSpec';

test('--moe-layer-freq: list expressions and integers are parsed, never evaluated', () => {
  const r = parseLayerFreq('([0]*3+[1]*58)');
  assert.ok(r.ok);
  assert.equal(r.value.length, 61);
  assert.equal(r.value.indexOf(1), 3);
  assert.deepEqual(parseLayerFreq('[0, 1, 1]'), { ok: true, value: [0, 1, 1] });
  assert.deepEqual(parseLayerFreq('2', 4), { ok: true, value: [1, 0, 1, 0] });
  assert.deepEqual(parseLayerFreq(layerFreqText(3, 61)), r);
  assert.equal(parseLayerFreq('__import__("os")').ok, false);
  assert.equal(parseLayerFreq('[1]*999999999').ok, false, 'expansion is capped');
  assert.equal(parseLayerFreq('((((' .repeat(50)).ok, false);
  assert.equal(parseLayerFreq('[2]*3').ok, false);
});

test('pipeline layouts: stages, layers, MTP and loss', () => {
  const r = parseLayout('Et*3|(tt|)*29m|L');
  assert.ok(r.ok);
  assert.equal(r.value.length, 32);
  assert.equal(r.value.reduce((s, x) => s + x.layers, 0), 61);
  assert.deepEqual(r.value[0], { embedding: true, layers: 3, mtp: 0, loss: false });
  assert.deepEqual(r.value[31], { embedding: false, layers: 0, mtp: 0, loss: true });
  assert.equal(r.value[30].mtp, 1);
  assert.equal(parseLayout('Et|t*99999999999').ok, false);
  assert.equal(parseLayout('Et|(t').ok, false);
  assert.equal(parseLayout('Ex|L').ok, false);
});
