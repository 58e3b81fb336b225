/**
 * Offsets ↔ positions for any front end's text, as the editor counts them: 0-based lines broken at \n, \r\n and a
 * lone \r, characters in UTF-16 code units.
 */
import type { Position, Range } from '../diagnostics';

export interface TextPositions {
  /** Offset of every line start. */
  starts: number[];
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  /** [start, end) as a range; an end before the start is the start. */
  range(start: number, end: number): Range;
}

/** Offsets of every line start. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The common case, at indexOf's speed.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function textPositions(text: string): TextPositions {
  const starts = lineStarts(text);
  /** The line found last: a parse asks for positions in text order, mostly on the same or the next line. */
  let hint = 0;
  /** Offset where line `line`'s text ends, before its line break. */
  const contentEnd = (line: number): number => {
    let end = line + 1 < starts.length ? starts[line + 1] : text.length;
    while (end > starts[line] && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
    return end;
  };
  const positionAt = (offset: number): Position => {
    const o = Math.max(0, Math.min(text.length, Math.floor(offset) || 0));
    let lo = 0;
    let hi = starts.length - 1;
    if (starts[hint] <= o) {
      if (hint === hi || starts[hint + 1] > o) hi = hint;
      else if (hint + 1 === hi || starts[hint + 2] > o) hi = hint + 1;
      lo = hint;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    hint = lo;
    // An offset inside a line break (between \r and \n) belongs at the end of the line's text, as in the editor.
    return { line: lo, character: Math.min(o, contentEnd(lo)) - starts[lo] };
  };
  const offsetAt = (p: Position): number => {
    if (p.line < 0) return 0;
    if (p.line >= starts.length) return text.length;
    return Math.max(starts[p.line], Math.min(contentEnd(p.line), starts[p.line] + Math.max(0, p.character)));
  };
  const range = (start: number, end: number): Range => ({ start: positionAt(start), end: positionAt(Math.max(start, end)) });
  return { starts, positionAt, offsetAt, range };
}

/** The text a range covers. */
export function sliceRange(doc: { text: string; offsetAt(p: Position): number }, r: Range): string {
  return doc.text.slice(doc.offsetAt(r.start), doc.offsetAt(r.end));
}
