/**
 * The core's plain data (0-based UTF-16 positions, diagnostics with codes, completion items, fixes) as LSP types, in
 * the document's negotiated encoding. Translation only: what to report, suggest and fix is decided by the core.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  InsertTextFormat,
  MarkupKind,
  type CodeAction,
  type CompletionItem as LspCompletionItem,
  type Diagnostic as LspDiagnostic,
  type Hover as LspHover,
  type Position as LspPosition,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { CompletionItem, Diagnostic, Hover, PresentedFix } from '../language/service';
import type { PositionCodec } from './encoding';

/** `source` of every diagnostic the server reports (the same as in VS Code); code actions look for it. */
export const DIAGNOSTIC_SOURCE = 'tcs';

/** What the client can show, from its capabilities at initialize. */
export interface ClientFeatures {
  hoverMarkdown: boolean;
  completionMarkdown: boolean;
  insertReplace: boolean;
  labelDetails: boolean;
  documentChanges: boolean;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toLspDiagnostic(d: Diagnostic, codec: PositionCodec): LspDiagnostic {
  return { range: codec.rangeToClient(d.range), severity: SEVERITY[d.severity], code: d.code, source: DIAGNOSTIC_SOURCE, message: d.message };
}

export function toLspHover(hover: Hover, codec: PositionCodec, features: ClientFeatures): LspHover {
  return {
    contents: { kind: features.hoverMarkdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: hover.markdown },
    range: codec.rangeToClient(hover.range),
  };
}

const before = (a: LspPosition, b: LspPosition) => a.line < b.line || (a.line === b.line && a.character < b.character);

export function toLspCompletion(item: CompletionItem, position: LspPosition, codec: PositionCodec, features: ClientFeatures): LspCompletionItem {
  const replace = codec.rangeToClient(item.range);
  // Insert mode keeps the text after the cursor; replace mode (the user's choice) takes the whole word.
  const insertEnd = before(replace.start, position) && !before(replace.end, position) ? position : replace.start;
  const contains = !before(position, replace.start) && !before(replace.end, position);
  const result: LspCompletionItem = {
    label: item.label,
    kind: item.kind === 'key' ? CompletionItemKind.Property : CompletionItemKind.EnumMember,
    detail: item.detail,
    sortText: item.sortText,
    // The label is what the user types; the inserted text may carry a leading space or a trailing `: `.
    filterText: item.label,
    insertTextFormat: InsertTextFormat.PlainText,
    textEdit:
      features.insertReplace && contains
        ? { newText: item.insertText, insert: { start: replace.start, end: insertEnd }, replace }
        : { newText: item.insertText, range: replace },
  };
  if (features.labelDetails && item.detail) result.labelDetails = { description: item.detail };
  if (item.documentation) {
    result.documentation = { kind: features.completionMarkdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: item.documentation };
  }
  return result;
}

/** One code action per fix, with the same title, preference and edits as the VS Code quick fix. */
export function toCodeAction(
  uri: string,
  version: number,
  presented: PresentedFix,
  diagnostics: LspDiagnostic[],
  codec: PositionCodec,
  features: ClientFeatures,
): CodeAction {
  const edits: LspTextEdit[] = presented.fix.edits.map((e) => ({ range: codec.rangeToClient(e.range), newText: e.newText }));
  const edit: WorkspaceEdit = features.documentChanges
    ? { documentChanges: [{ textDocument: { uri, version }, edits }] }
    : { changes: { [uri]: edits } };
  return { title: presented.title, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: presented.preferred, edit };
}
