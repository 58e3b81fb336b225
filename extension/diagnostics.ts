/** Publishes the core's diagnostics to the Problems panel and the editor, one to one. */
import * as vscode from 'vscode';
import type { Diagnostic } from '../language/service';
import type { AfterPreviewPaint } from './afterPreviewPaint';
import type { AnalysisService } from './analysis';
import { onDidChangeSettings, settings } from './config';
import { toVsRange, toVsSeverity } from './convert';
import { unchangedSincePublished, type PublishedDiagnostic, type TextChange } from './republish';

/** `source` of every diagnostic this extension reports; code actions look for it. */
export const DIAGNOSTIC_SOURCE = 'tcs';

export function toVsDiagnostic(diagnostic: Diagnostic): vscode.Diagnostic {
  const result = new vscode.Diagnostic(toVsRange(diagnostic.range), diagnostic.message, toVsSeverity(diagnostic.severity));
  result.source = DIAGNOSTIC_SOURCE;
  result.code = diagnostic.code;
  return result;
}

/** The code of a VS Code diagnostic, whichever of its three shapes it has. */
export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

function published(diagnostic: vscode.Diagnostic): PublishedDiagnostic {
  return { range: diagnostic.range, message: diagnostic.message, severity: diagnostic.severity, code: codeOf(diagnostic) };
}

/** Edits tracked per document between publications; past this many, the next check is published regardless. */
const MAX_TRACKED_CHANGES = 256;

/** The edits made to a document since its diagnostics were last published (see republish.ts). */
interface SincePublished {
  /** Document version the tracked changes lead to. */
  version: number;
  changes: TextChange[];
  /** An edit event was missed or too many were tracked: the next check must be published. */
  lost: boolean;
}

export function registerDiagnostics(context: vscode.ExtensionContext, analysis: AnalysisService, afterPreviewPaint?: AfterPreviewPaint): void {
  const collection = vscode.languages.createDiagnosticCollection('trainingConfig');
  const since = new Map<string, SincePublished>();

  const publish = (document: vscode.TextDocument, diagnostics: readonly Diagnostic[]): void => {
    const key = document.uri.toString();
    if (!settings(document.uri).validate) {
      collection.delete(document.uri);
      since.delete(key);
      return;
    }
    const next = diagnostics.map(toVsDiagnostic);
    // Nothing the editor shows would change (a clean file that stays clean, or the same problems at the same places
    // after an edit that moved none of them): do not publish. Each publication costs the window a marker update on
    // the thread that also delivers the preview's messages, once per keystroke.
    const tracked = since.get(key);
    const current = collection.get(document.uri) ?? [];
    const known = current.length === 0 || (tracked !== undefined && !tracked.lost && tracked.version === document.version);
    if (!known || !unchangedSincePublished(current.map(published), next.map(published), tracked?.changes ?? [])) collection.set(document.uri, next);
    since.set(key, { version: document.version, changes: [], lost: false });
  };

  const track = (event: vscode.TextDocumentChangeEvent): void => {
    const entry = since.get(event.document.uri.toString());
    if (!entry || event.contentChanges.length === 0) return;
    if (event.document.version !== entry.version + 1 || entry.changes.length + event.contentChanges.length > MAX_TRACKED_CHANGES) entry.lost = true;
    else for (const c of event.contentChanges) entry.changes.push({ range: c.range, text: c.text });
    entry.version = event.document.version;
  };

  const republishAll = (): void => {
    collection.clear();
    since.clear();
    for (const document of vscode.workspace.textDocuments) {
      if (!document.isClosed && analysis.isTrainingConfig(document)) publish(document, analysis.get(document).diagnostics);
    }
  };

  context.subscriptions.push(
    collection,
    vscode.workspace.onDidChangeTextDocument(track),
    analysis.onDidUpdate(({ document, result }) => {
      const version = document.version;
      const now = () => {
        // A newer version's own check publishes in its turn.
        if (!document.isClosed && document.version === version) publish(document, result.diagnostics);
      };
      if (afterPreviewPaint) afterPreviewPaint.run(document.uri.toString(), now);
      else now();
    }),
    analysis.onDidForget((uri) => {
      collection.delete(uri);
      since.delete(uri.toString());
    }),
    onDidChangeSettings((affects) => {
      if (affects('validate.enable')) republishAll();
    }),
  );
}
