import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlDocument as parseDocument, MAX_DOCUMENT_CHARS } from '../../language/formats/yaml';

test('positions are 0-based lines and UTF-16 characters, across CRLF, tabs and astral characters', () => {
  const text = 'name: "😀 run"\r\nmodel:\r\n\tx: 1\r\ncluster:\r\n  nodes: 2\r\n';
  const doc = parseDocument(text);
  // The emoji is two UTF-16 code units, as in the editor.
  assert.deepEqual(doc.nodes.get('name')?.value, { start: { line: 0, character: 6 }, end: { line: 0, character: 14 } });
  assert.deepEqual(doc.nodes.get('cluster.nodes')?.key, { start: { line: 4, character: 2 }, end: { line: 4, character: 7 } });
  assert.equal(doc.offsetAt(doc.positionAt(20)), 20);
  assert.deepEqual(doc.positionAt(text.length), { line: 5, character: 0 });
});

test('a lone \\r breaks lines like the editor', () => {
  const doc = parseDocument('a: 1\rb: 2\r');
  assert.deepEqual(doc.positionAt(5), { line: 1, character: 0 });
  assert.equal(doc.offsetAt({ line: 1, character: 3 }), 8);
});

test('an offset between \r and \n is the end of its line, and a character past the end clamps there', () => {
  const doc = parseDocument('a: 1\r\nbb: 2\r\n');
  assert.deepEqual(doc.positionAt(5), { line: 0, character: 4 });
  assert.equal(doc.offsetAt({ line: 0, character: 99 }), 4);
  assert.equal(doc.offsetAt({ line: 1, character: 99 }), 11);
});

test('array items are addressed by index and nested paths are dotted', () => {
  const doc = parseDocument('precision:\n  fp8:\n    high_precision: [embedding, norm]\n');
  assert.deepEqual(doc.nodes.get('precision.fp8.high_precision.1')?.value, { start: { line: 2, character: 32 }, end: { line: 2, character: 36 } });
  assert.deepEqual(doc.value, { precision: { fp8: { high_precision: ['embedding', 'norm'] } } });
});

test('pathAt finds the innermost key or value under the cursor', () => {
  const doc = parseDocument('parallelism:\n  pipeline: 16\n');
  assert.deepEqual(doc.pathAt({ line: 1, character: 4 }), { path: 'parallelism.pipeline', on: 'key' });
  assert.deepEqual(doc.pathAt({ line: 1, character: 13 }), { path: 'parallelism.pipeline', on: 'value' });
  assert.deepEqual(doc.pathAt({ line: 0, character: 2 }), { path: 'parallelism', on: 'key' });
});

test('a duplicate key is an error on the second key naming the first line', () => {
  const doc = parseDocument('cluster:\n  nodes: 1\n  nodes: 2\n');
  const d = doc.diagnostics.find((x) => x.code === 'yaml/duplicate-key');
  assert.ok(d);
  assert.deepEqual(d.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 7 } });
  assert.match(d.message, /line 2/);
  assert.equal((doc.value as { cluster: { nodes: number } }).cluster.nodes, 2);
});

test('a syntax error is reported where it is, not on line 0', () => {
  const doc = parseDocument('name: x\nmodel:\n  layers: [1, 2\ncluster: }\n');
  assert.ok(doc.diagnostics.length > 0);
  for (const d of doc.diagnostics) {
    assert.ok(d.range.start.line >= 2, JSON.stringify(d));
    assert.ok(!/at line \d+, column/.test(d.message), d.message);
  }
});

test('the empty document has no value and no diagnostics', () => {
  const doc = parseDocument('');
  assert.equal(doc.value, undefined);
  assert.deepEqual(doc.diagnostics, []);
});

test('a document over the size cap is refused with document/too-large at the cap', () => {
  const doc = parseDocument('#'.repeat(MAX_DOCUMENT_CHARS + 10));
  assert.equal(doc.diagnostics[0].code, 'document/too-large');
  assert.equal(doc.value, undefined);
});
