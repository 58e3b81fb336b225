/**
 * Whether a document's new diagnostics can be left unpublished: each publication costs the window a marker update
 * (squiggle decorations, the tab's and the explorer's problem badges, a tab relayout) on the renderer thread that also
 * delivers the preview's messages, once per keystroke. Skipping is exact only if what the editor shows already equals
 * what publishing would show: the same diagnostics at the same positions, and no edit since the last publication that
 * moved the editor's decoration of one of them (decorations track edits; markers do not). Pure: no `vscode` import.
 */

export interface Pos {
  line: number;
  character: number;
}

export interface Span {
  start: Pos;
  end: Pos;
}

export interface PublishedDiagnostic {
  range: Span;
  message: string;
  severity: number;
  code?: string;
}

export interface TextChange {
  range: Span;
  text: string;
}

function atOrAfter(a: Pos, b: Pos): boolean {
  return a.line > b.line || (a.line === b.line && a.character >= b.character);
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Whether `change` can have moved or resized the decoration of a diagnostic at `range`. A change at or after its end
 * cannot (marker decorations never grow when typing at their edges); nor can one wholly on earlier lines that keeps
 * the line count. Anything else may have.
 */
export function editMoves(change: TextChange, range: Span): boolean {
  if (atOrAfter(change.range.start, range.end)) return false;
  const removed = change.range.end.line - change.range.start.line;
  if (change.range.end.line < range.start.line && lineBreaks(change.text) === removed) return false;
  return true;
}

function sameSpan(a: Span, b: Span): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Whether publishing `next` would change nothing the editor shows, given the `changes` made since `published` was. */
export function unchangedSincePublished(published: readonly PublishedDiagnostic[], next: readonly PublishedDiagnostic[], changes: readonly TextChange[]): boolean {
  if (published.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) {
    const a = published[i];
    const b = next[i];
    if (a.message !== b.message || a.severity !== b.severity || a.code !== b.code || !sameSpan(a.range, b.range)) return false;
  }
  for (const change of changes) for (const d of published) if (editMoves(change, d.range)) return false;
  return true;
}
