/** Publishes the core's diagnostics to the Problems panel and the editor, one to one. */
import * as vscode from 'vscode';
import type { Diagnostic } from '../language/service';
import type { AnalysisService } from './analysis';
import { onDidChangeSettings, settings } from './config';
import { toVsRange, toVsSeverity } from './convert';

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

export function registerDiagnostics(context: vscode.ExtensionContext, analysis: AnalysisService): void {
  const collection = vscode.languages.createDiagnosticCollection('trainingConfig');

  const publish = (document: vscode.TextDocument, diagnostics: readonly Diagnostic[]): void => {
    if (!settings(document.uri).validate) {
      collection.delete(document.uri);
      return;
    }
    // A clean file that stays clean: nothing to tell the editor. Each publication costs the window a marker update
    // (problems panel, decorations) on the thread that also runs the preview, once per keystroke.
    if (diagnostics.length === 0 && (collection.get(document.uri)?.length ?? 0) === 0) return;
    collection.set(document.uri, diagnostics.map(toVsDiagnostic));
  };

  const republishAll = (): void => {
    collection.clear();
    for (const document of vscode.workspace.textDocuments) {
      if (!document.isClosed && analysis.isTrainingConfig(document)) publish(document, analysis.get(document).diagnostics);
    }
  };

  context.subscriptions.push(
    collection,
    analysis.onDidUpdate(({ document, result }) => publish(document, result.diagnostics)),
    analysis.onDidForget((uri) => collection.delete(uri)),
    onDidChangeSettings((affects) => {
      if (affects('validate.enable')) republishAll();
    }),
  );
}
