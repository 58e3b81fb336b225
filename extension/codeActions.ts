/**
 * Quick fixes: each fix the core attached to a diagnostic becomes a CodeAction whose WorkspaceEdit the user applies
 * (and can undo). The core decides what to fix and how; this only translates.
 */
import * as vscode from 'vscode';
import type { Diagnostic, Fix } from '../language/diagnostics';
import type { AnalysisService } from './analysis';
import { toVsRange } from './convert';
import { codeOf, DIAGNOSTIC_SOURCE } from './diagnostics';

function sameRange(a: vscode.Range, b: vscode.Range): boolean {
  return a.start.isEqual(b.start) && a.end.isEqual(b.end);
}

/** The core diagnostic a published VS Code diagnostic came from: same code, message and range. */
function coreDiagnosticFor(shown: vscode.Diagnostic, diagnostics: readonly Diagnostic[]): Diagnostic | undefined {
  const code = codeOf(shown);
  return diagnostics.find(
    (d) => d.code === code && d.message === shown.message && sameRange(toVsRange(d.range), shown.range),
  );
}

export function toCodeAction(document: vscode.TextDocument, fix: Fix, shown: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  const edit = new vscode.WorkspaceEdit();
  for (const change of fix.edits) edit.replace(document.uri, toVsRange(change.range), change.newText);
  action.edit = edit;
  action.diagnostics = [shown];
  action.isPreferred = fix.preferred === true;
  return action;
}

export class TrainingConfigCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly analysis: AnalysisService) {}

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const shown = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (shown.length === 0) return [];
    try {
      const diagnostics = this.analysis.get(document).diagnostics;
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of shown) {
        const core = coreDiagnosticFor(diagnostic, diagnostics);
        for (const fix of core?.fixes ?? []) actions.push(toCodeAction(document, fix, diagnostic));
      }
      return actions;
    } catch {
      return [];
    }
  }
}

export function registerCodeActions(selector: vscode.DocumentSelector, analysis: AnalysisService): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    selector,
    new TrainingConfigCodeActions(analysis),
    TrainingConfigCodeActions.metadata,
  );
}
