/**
 * Quick fixes: each fix the core attached to a diagnostic becomes a CodeAction whose WorkspaceEdit the user applies
 * (and can undo). The core decides what to fix, how, and in what order (language/fixOutcomes.ts re-checks the
 * config under each fix); this only translates.
 */
import * as vscode from 'vscode';
import { MAX_RECHECK_CHARS, recheckBudget, type Diagnostic, type PresentedFix, type RecheckBudget } from '../language/service';
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

export function toCodeAction(document: vscode.TextDocument, presented: PresentedFix, shown: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(presented.title, vscode.CodeActionKind.QuickFix);
  const edit = new vscode.WorkspaceEdit();
  for (const change of presented.fix.edits) edit.replace(document.uri, toVsRange(change.range), change.newText);
  action.edit = edit;
  action.diagnostics = [shown];
  action.isPreferred = presented.preferred;
  return action;
}

export class TrainingConfigCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  /** Presented fixes per core diagnostic of the document's current version: the lightbulb asks on every cursor move. */
  private cache?: { uri: string; version: number; fixes: Map<Diagnostic, PresentedFix[]> };

  constructor(private readonly analysis: AnalysisService) {}

  private presented(document: vscode.TextDocument, core: Diagnostic, budget: RecheckBudget): PresentedFix[] {
    const uri = document.uri.toString();
    if (!this.cache || this.cache.uri !== uri || this.cache.version !== document.version) {
      this.cache = { uri, version: document.version, fixes: new Map() };
    }
    let fixes = this.cache.fixes.get(core);
    if (!fixes) {
      const result = this.analysis.get(document);
      fixes = this.analysis.language.fixes(result, core, budget);
      // A list the request's budget cut short is not kept: the next request (another cursor spot) completes it.
      const complete = result.document.text.length > MAX_RECHECK_CHARS || fixes.every((f) => f.errorsLeft !== undefined);
      if (complete) this.cache.fixes.set(core, fixes);
    }
    return fixes;
  }

  provideCodeActions(
    document: vscode.TextDocument,
    _range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const shown = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (shown.length === 0 || !this.analysis.isTrainingConfig(document)) return [];
    try {
      const diagnostics = this.analysis.get(document).diagnostics;
      // One action per distinct edit: two diagnostics on a key often share a fix ("Set pipeline to 16").
      const actions = new Map<string, vscode.CodeAction>();
      const budget = recheckBudget();
      for (const diagnostic of shown) {
        const core = coreDiagnosticFor(diagnostic, diagnostics);
        if (!core) continue;
        for (const presented of this.presented(document, core, budget)) {
          const key = JSON.stringify(presented.fix.edits);
          const existing = actions.get(key);
          if (existing) {
            existing.diagnostics = [...(existing.diagnostics ?? []), diagnostic];
            existing.isPreferred = existing.isPreferred || presented.preferred;
          } else {
            actions.set(key, toCodeAction(document, presented, diagnostic));
          }
        }
      }
      return [...actions.values()];
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
