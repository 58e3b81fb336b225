/**
 * parseDocument joins runs of comment lines before handing the text to yaml (a speed-up: yaml's parser costs about
 * 2 µs per comment line; by default only when enough lines are joined to pay off). The contract is that this changes nothing: value, source map, diagnostics and pathAt are
 * identical to parsing the text as written. These tests compare the two on tricky hand-written cases, on the
 * examples and generated configs, and on random YAML-shaped texts full of comment runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseYamlDocument as parseDocument } from '../../language/formats/yaml';
import type { SourceDocument as ParsedDocument } from '../../language/formats/types';
import { generateConfig, loadExamples } from '../support/generate';
import { fuzzSeed } from '../fuzz/invariants';

function observable(doc: ParsedDocument, everyOffset: boolean) {
  const paths: unknown[] = [];
  const step = everyOffset ? 1 : Math.max(1, Math.floor(doc.text.length / 2000));
  for (let o = 0; o <= doc.text.length; o += step) paths.push(doc.pathAt(doc.positionAt(o)));
  return { value: doc.value, nodes: [...doc.nodes], diagnostics: doc.diagnostics, paths };
}

function assertSameAsWritten(text: string, everyOffset = true): void {
  const written = observable(parseDocument(text, { joinComments: false }), everyOffset);
  const joined = observable(parseDocument(text, { joinComments: true }), everyOffset);
  assert.deepStrictEqual(joined, written, `joined comments changed the parse of ${JSON.stringify(text)}`);
  assert.deepStrictEqual(observable(parseDocument(text), everyOffset), written, `the default parse of ${JSON.stringify(text)}`);
}

const TRICKY = [
  // Trailing comments more indented than the map are absorbed into the last value's end; less indented ones are not.
  'model:\n  moe:\n    experts: 8\n      # deeper\n      # deeper\n    # same\n    # same\n  # parent\n  # parent\n# root\n# root\ntraining: 1\n',
  'a:\n  b:\n    c: 1\n      # x\n      # y\n',
  // Empty values followed by comment runs (yaml hands newline-separated comments to the next key).
  'a:\n# c1\n# c2\nb: 1\n',
  'x:\n  a:\n  # c1\n  # c2\n  b: 1\n',
  'x:\n  a:\n    # c1\n    # c2\n  b:\n# c3\n# c4\n',
  'x:\n  a:\n\n  # c1\n  # c2\n\n  b: 1\n',
  '- a\n# c\n# d\n- b\n  # e\n  # f\n-\n  # g\n  # h\n',
  // Block scalars: comment-looking lines inside are content; a less indented one ends the scalar.
  'a: |\n  x\n  # not a comment\n  # not a comment\nb: 1\n',
  'a: |+\n  x\n# c\n# d\n\nb: 1\n',
  'a: >-\n  # c\n  # d\n  x\n',
  'a: |\n  x\n    # deeper content\n    # deeper content\n',
  // Quoted and plain scalars over several lines.
  'a: "x\n  # in\n  # in"\nb: 1\n',
  "a: 'x\n  # in\n  # in'\n",
  'a: "x\n  # in"\n  # out\n  # out\nb: 1\n',
  'a: x\n  # c\n  # d\n  y\n',
  'a: x\n  y\n  # c\n  # d\n',
  // Flow collections over several lines.
  'a: [1,\n  # c\n  # d\n  2]\nb: {x: 1,\n# c\n# d\n y: 2}\n',
  // Document markers, directives, anchors, CRLF, tabs, indentation mistakes.
  '# c\n# d\n%YAML 1.2\n---\na: 1\n# e\n# f\n...\n# g\n# h\n',
  '# c\n# d\n---\na: &x {b: 1}\n# c\n# d\nc: *x\n',
  'a: 1\r\n# c\r\n# d\r\nb: 2\r\n',
  'a:\n\t# c\n\t# d\n  b: 1\n',
  'a: 1\n # c\n # d\n b: 2\n',
  'a:\n  - 1\n  # c\n  # d\n - 2\n',
  '? a\n# c\n# d\n: 1\n',
  '? |\n  k\n  # c\n  # d\n: 1\n',
  'a: 1\n# c\n# d',
  '# only\n# comments\n',
  'a: 1 # c\n# d\n# e\nb: 2 # f\n',
];

test('joining comment runs parses every tricky case exactly as the text as written', () => {
  for (const text of TRICKY) assertSameAsWritten(text);
});

test('joining comment runs parses the examples and the generated configs exactly as written', () => {
  for (const e of loadExamples()) assertSameAsWritten(e.text);
  for (const lines of [1000, 5000]) {
    assertSameAsWritten(generateConfig(lines, 'history'), false);
    assertSameAsWritten(generateConfig(lines, 'unknown-keys'), false);
  }
});

const LINE_PIECES = [
  'a:', 'b: 1', 'c: x', 'd: [1, 2]', 'e: {x: 1}', '- 1', '- a: 1', '-', 'f: |', 'g: >-', 'h: "q', 'q"', "i: 'q", "q'",
  'j: &k 1', 'l: *k', '? m', ': 2', '---', '...', 'n: [', ']', 'o: {', '}', 'p: 1 # c', 'x', 'a: 1', 'a: 2', '',
];

test('joining comment runs parses random YAML-shaped texts with comment runs exactly as written', () => {
  const line = fc.oneof(
    fc.record({ indent: fc.nat(6), piece: fc.constantFrom(...LINE_PIECES) }).map(({ indent, piece }) => ' '.repeat(indent) + piece),
    // A run of comment lines at one indentation, sometimes a mixed one.
    fc.record({ indent: fc.nat(6), count: fc.integer({ min: 1, max: 4 }), other: fc.nat(6) }).map(({ indent, count, other }) =>
      Array.from({ length: count }, (_, i) => ' '.repeat(i === count - 1 && count > 2 ? other : indent) + `# c${i}`).join('\n'),
    ),
    fc.constantFrom('\t# tab', '#', '  #', '# "', "# '", '# |'),
  );
  const doc = fc.record({ lines: fc.array(line, { maxLength: 14 }), crlf: fc.boolean(), end: fc.constantFrom('\n', '') }).map(
    ({ lines, crlf, end }) => (lines.join('\n') + end).replace(/\n/g, crlf ? '\r\n' : '\n'),
  );
  fc.assert(fc.property(doc, (text) => assertSameAsWritten(text)), { numRuns: 1500, ...fuzzSeed() });
});
