import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editMoves, unchangedSincePublished, type PublishedDiagnostic, type Span, type TextChange } from '../../extension/republish';

const span = (l0: number, c0: number, l1: number, c1: number): Span => ({ start: { line: l0, character: c0 }, end: { line: l1, character: c1 } });
const change = (range: Span, text: string): TextChange => ({ range, text });
const info = (range: Span, message = 'uneven'): PublishedDiagnostic => ({ range, message, severity: 2, code: 'parallelism/uneven-stages' });

// A diagnostic on line 38, columns 2–14 (the `pipeline: 16` key), as in the DeepSeek-V3 example.
const d = span(38, 2, 38, 14);

test('an edit after the diagnostic, or on earlier lines keeping the line count, does not move its decoration', () => {
  assert.equal(editMoves(change(span(44, 12, 44, 20), '1f1b'), d), false, 'a later line');
  assert.equal(editMoves(change(span(38, 14, 38, 14), '0'), d), false, 'typing at its end (never grows at the edges)');
  assert.equal(editMoves(change(span(10, 0, 10, 4), 'abcdefgh'), d), false, 'an earlier line, same line count');
  assert.equal(editMoves(change(span(10, 0, 11, 0), 'x\n'), d), false, 'an earlier line break replaced by another');
});

test('an edit before it on its line, inside it, or adding or removing earlier lines moves it', () => {
  assert.equal(editMoves(change(span(38, 0, 38, 0), ' '), d), true, 'same line, before it');
  assert.equal(editMoves(change(span(38, 5, 38, 6), ''), d), true, 'inside it');
  assert.equal(editMoves(change(span(10, 0, 10, 0), '\n'), d), true, 'a line added above');
  assert.equal(editMoves(change(span(10, 0, 12, 0), ''), d), true, 'lines removed above');
  assert.equal(editMoves(change(span(37, 3, 38, 4), 'z'), d), true, 'a change spanning into its line');
});

test('unchanged only with the same diagnostics in the same places and no edit that moved one', () => {
  const later = [change(span(44, 12, 44, 20), '1f1b')];
  assert.equal(unchangedSincePublished([info(d)], [info(d)], later), true);
  assert.equal(unchangedSincePublished([], [], later), true, 'clean stays clean');
  assert.equal(unchangedSincePublished([info(d)], [info(d, 'uneven: 2–5 per stage')], later), false, 'a new message');
  assert.equal(unchangedSincePublished([info(d)], [info(span(38, 2, 38, 15))], later), false, 'a new range');
  assert.equal(unchangedSincePublished([info(d)], [{ ...info(d), severity: 1 }], later), false, 'a new severity');
  assert.equal(unchangedSincePublished([info(d)], [], later), false, 'a problem gone');
  assert.equal(unchangedSincePublished([info(d)], [info(d)], [change(span(38, 0, 38, 0), ' ')]), false, 'an edit that moved its decoration');
});
