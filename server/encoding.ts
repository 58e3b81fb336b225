/**
 * Position encodings (LSP 3.17 `general.positionEncodings`): the core counts characters in UTF-16 code units, as
 * VS Code does; Neovim, Helix and Emacs may prefer UTF-8 bytes. The server speaks whichever the client lists first
 * of the two, and converts at its edge, one line at a time.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#positionEncodingKind
 */
import type { Position } from '../language/service';

export type Encoding = 'utf-16' | 'utf-8';

/** The client's first listed encoding the server speaks; UTF-16 (mandatory for every client) otherwise. */
export function negotiateEncoding(offered: readonly string[] | undefined): Encoding {
  for (const kind of offered ?? []) if (kind === 'utf-16' || kind === 'utf-8') return kind;
  return 'utf-16';
}

/** UTF-8 bytes of the UTF-16 code unit at `i` of `line` (a surrogate pair is 4 bytes, 2 per unit). */
function bytesAt(line: string, i: number): number {
  const c = line.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdfff) return 2;
  return 3;
}

/** The UTF-8 column of a UTF-16 column within one line's text (clamped to the line). */
export function utf16ToUtf8Column(line: string, character: number): number {
  const end = Math.min(character, line.length);
  let bytes = 0;
  for (let i = 0; i < end; i++) bytes += bytesAt(line, i);
  return bytes;
}

/** The UTF-16 column of a UTF-8 column within one line's text; a column inside a character moves to its start. */
export function utf8ToUtf16Column(line: string, bytes: number): number {
  let seen = 0;
  let i = 0;
  while (i < line.length) {
    // A surrogate pair is one character: step over both units or neither.
    const width = line.charCodeAt(i) >= 0xd800 && line.charCodeAt(i) <= 0xdbff && i + 1 < line.length ? 2 : 1;
    let next = seen;
    for (let k = 0; k < width; k++) next += bytesAt(line, i + k);
    if (next > bytes) break;
    seen = next;
    i += width;
  }
  return i;
}

/** Converts positions between the core (UTF-16) and the client, given a way to read one line of the text. */
export class PositionCodec {
  constructor(
    readonly encoding: Encoding,
    private readonly lineText: (line: number) => string,
  ) {}

  toClient(p: Position): Position {
    if (this.encoding === 'utf-16') return p;
    return { line: p.line, character: utf16ToUtf8Column(this.lineText(p.line), p.character) };
  }

  fromClient(p: Position): Position {
    if (this.encoding === 'utf-16') return p;
    return { line: p.line, character: utf8ToUtf16Column(this.lineText(p.line), p.character) };
  }

  rangeToClient(r: { start: Position; end: Position }): { start: Position; end: Position } {
    return this.encoding === 'utf-16' ? r : { start: this.toClient(r.start), end: this.toClient(r.end) };
  }

  rangeFromClient(r: { start: Position; end: Position }): { start: Position; end: Position } {
    return this.encoding === 'utf-16' ? r : { start: this.fromClient(r.start), end: this.fromClient(r.end) };
  }
}
