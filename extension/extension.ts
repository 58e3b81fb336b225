/**
 * Entry point. Wires the adapters; every piece of intelligence lives in `language/` and `simulator/`.
 * Reads only the documents the editor hands over, edits only through WorkspaceEdits the user applies, never
 * touches the network and runs no workspace code.
 */
import * as vscode from 'vscode';
import { AnalysisService } from './analysis';
import { registerCodeActions } from './codeActions';
import { registerCompletion } from './completion';
import { documentSelector, onDidChangeSettings } from './config';
import { AfterPreviewPaint } from './afterPreviewPaint';
import { registerContextKeys } from './contextKeys';
import { registerConvertCommands } from './convertCommands';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { registerLayoutSearch } from './layoutSearch';
import { registerPreview } from './preview';
import { registerStatusBar } from './statusBar';

/** What `activate` returns: the integration tests drive the extension through it. */
export interface TrainingConfigApi {
  analysis: AnalysisService;
}

export const OUTPUT_CHANNEL_NAME = 'Training Config Studio';

/** Hover, completion and code actions, for the documents the current settings select. */
function registerLanguageFeatures(analysis: AnalysisService, afterPreviewPaint: AfterPreviewPaint): vscode.Disposable {
  const selector = documentSelector();
  return vscode.Disposable.from(
    registerHover(selector, analysis),
    registerCompletion(selector, analysis, afterPreviewPaint),
    registerCodeActions(selector, analysis),
  );
}

export function activate(context: vscode.ExtensionContext): TrainingConfigApi {
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  const analysis = new AnalysisService(log);
  context.subscriptions.push(log, analysis);

  // The preview first: its update is posted before the diagnostics of the same check (see registerPreview), and the
  // diagnostics and the completion list wait for the preview's paint of it (extension/afterPreviewPaint.ts).
  const afterPreviewPaint = new AfterPreviewPaint();
  registerPreview(context, analysis, afterPreviewPaint);
  registerDiagnostics(context, analysis, afterPreviewPaint);
  let features = registerLanguageFeatures(analysis, afterPreviewPaint);
  context.subscriptions.push(
    { dispose: () => features.dispose() },
    onDidChangeSettings((affects) => {
      if (!affects('files') && !affects('formats.files')) return;
      features.dispose();
      features = registerLanguageFeatures(analysis, afterPreviewPaint);
    }),
  );
  registerStatusBar(context, analysis);
  registerLayoutSearch(context, analysis);
  registerContextKeys(context, analysis);
  registerConvertCommands(context);

  return { analysis };
}

export function deactivate(): void {
  // Everything is on context.subscriptions.
}
