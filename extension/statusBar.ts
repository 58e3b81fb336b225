/**
 * Status bar: on a training config, the estimate "≈ 2.66M GPU-h · 54 d" (click opens the preview), or the error
 * and warning counts while the config has errors (click opens the Problems panel). Simulates off the keystroke
 * path (debounced) and once per document version.
 */
import * as vscode from 'vscode';
import { hasErrors } from '../language/service';
import type { ResolvedConfig } from '../simulator/config';
import type { SimulationOutcome } from '../simulator/result';
import { simulate } from '../simulator/simulate';
import type { AnalysisService } from './analysis';
import { onDidChangeSettings, settings } from './config';
import { escapeMarkdown, estimateText, estimateTooltip, problemsText } from './estimateFormat';
import { OPEN_PREVIEW_COMMAND } from './preview';
/**
 * Time after the last check before the status bar re-simulates. Longer than the check's debounce: the status bar
 * need not keep up with every keystroke, and a simulation of a large layout takes a while on the extension host.
 */
export const STATUS_DEBOUNCE_MS = 400;

interface Shown {
  uri: string;
  version: number;
}

export class EstimateStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('trainingConfig.estimate', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private shown: Shown | undefined;
  /** The last simulation, keyed by the resolved config it ran on: edits to comments or names do not re-simulate. */
  private lastSimulation: { config: string; outcome: SimulationOutcome } | undefined;

  constructor(private readonly analysis: AnalysisService) {
    this.item.name = 'Training Config Estimate';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refreshSoon(0)),
      analysis.onDidUpdate(({ document }) => {
        if (document === vscode.window.activeTextEditor?.document) this.refreshSoon(STATUS_DEBOUNCE_MS);
      }),
      analysis.onDidForget((uri) => {
        if (this.shown?.uri === uri.toString()) this.hide();
      }),
      onDidChangeSettings((affects) => {
        if (affects('statusBar.enable')) this.refreshSoon(0);
      }),
    );
    this.refreshSoon(0);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private refreshSoon(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.refresh();
      } catch {
        this.hide();
      }
    }, delayMs);
  }

  private hide(): void {
    this.shown = undefined;
    this.item.hide();
  }

  private refresh(): void {
    if (!settings().statusBar) return this.hide();
    const editor = vscode.window.activeTextEditor;
    // Focus in the preview or another panel: keep showing the last config, as the Markdown preview does.
    if (!editor) return;
    const document = editor.document;
    if (!this.analysis.isTrainingConfig(document)) return this.hide();
    const shown = { uri: document.uri.toString(), version: document.version };
    if (this.shown?.uri === shown.uri && this.shown.version === shown.version) return;
    this.shown = shown;

    const result = this.analysis.get(document);
    if (hasErrors(result.diagnostics)) {
      // Validation turned off: the errors are not shown anywhere else, so do not count them here either.
      if (!settings(document.uri).validate) return this.hide();
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
      this.item.text = `$(error) ${problemsText(errors.length, warnings)}`;
      this.item.tooltip = new vscode.MarkdownString(
        errors
          .slice(0, 5)
          .map((d) => `- line ${d.range.start.line + 1}: ${escapeMarkdown(d.message)}`)
          .concat(errors.length > 5 ? [`- … and ${errors.length - 5} more`] : [])
          .join('\n'),
      );
      this.item.command = 'workbench.actions.view.problems';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.show();
      return;
    }
    this.item.backgroundColor = undefined;
    if (!result.config) return this.hide();

    const outcome = this.simulate(result.config);
    if (!outcome.ok) {
      this.item.text = '$(pulse) no estimate';
      this.item.tooltip = `No estimate for this layout: ${outcome.reason}`;
      this.item.command = OPEN_PREVIEW_COMMAND;
      this.item.show();
      return;
    }
    this.item.text = `$(pulse) ${estimateText(outcome.result)}`;
    this.item.tooltip = new vscode.MarkdownString(estimateTooltip(outcome.result, result.config.name));
    this.item.command = OPEN_PREVIEW_COMMAND;
    this.item.show();
  }

  private simulate(config: ResolvedConfig): SimulationOutcome {
    const key = JSON.stringify({ ...config, name: '' });
    if (this.lastSimulation?.config !== key) this.lastSimulation = { config: key, outcome: simulate(config, { timeline: false }) };
    return this.lastSimulation.outcome;
  }
}

export function registerStatusBar(context: vscode.ExtensionContext, analysis: AnalysisService): void {
  context.subscriptions.push(new EstimateStatusBar(analysis));
}
