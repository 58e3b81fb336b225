/**
 * "Training Config: Find Better Layouts": searches the active config's layouts in a worker thread (see
 * searchWorker.ts), shows progress once a search takes longer than PROGRESS_AFTER_MS (cancellable), then lists the
 * cheapest layouts and the memory/cost frontier; picking one applies every key it changes as one undoable edit.
 */
import * as vscode from 'vscode';
import { layoutFix, type LayoutChange } from '../language/service';
import { formatCount } from '../simulator/format';
import type { PricedLayout } from '../simulator/search';
import type { AnalysisService } from './analysis';
import { disposeSearchWorkers, searchInWorker } from './layoutSearchMessages';

export const FIND_LAYOUTS_COMMAND = 'trainingConfig.findLayouts';
/** Searches shorter than this show no progress notification (it would only flash). */
export const PROGRESS_AFTER_MS = 300;

/** A layout as a pick: its numbers against the file's, and the keys it changes. */
function pickItem(p: PricedLayout, current: PricedLayout | undefined, tag: string): vscode.QuickPickItem & { changes: LayoutChange[] } {
  const delta = current && current.gpuHours > 0 ? ` (${p.gpuHours <= current.gpuHours ? '−' : '+'}${(Math.abs(p.gpuHours / current.gpuHours - 1) * 100).toFixed(1)}%)` : '';
  return {
    label: `${formatCount(p.gpuHours)} GPU-h${delta} · ${p.days.toFixed(1)} d · ${p.peakGiB.toFixed(1)} GiB`,
    description: tag,
    detail: p.changes.length === 0 ? 'the file as it is' : p.changes.map((c) => `${c.key} = ${c.value}`).join(', '),
    changes: p.changes,
  };
}

/** One WorkspaceEdit setting every key of `changes` (one undo step). */
export async function applyLayoutChanges(document: vscode.TextDocument, analysis: AnalysisService, changes: readonly LayoutChange[]): Promise<boolean> {
  if (changes.length === 0 || document.isClosed) return false;
  const fix = layoutFix(analysis.get(document).document, changes);
  if (!fix) return false;
  const edit = new vscode.WorkspaceEdit();
  const label = { label: `Use layout: ${changes.map((c) => `${c.key.split('.').pop()}=${c.value}`).join(', ')}`, needsConfirmation: false };
  for (const e of fix.edits) {
    const range = document.validateRange(new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character));
    edit.replace(document.uri, range, e.newText, label);
  }
  return vscode.workspace.applyEdit(edit);
}

export function registerLayoutSearch(context: vscode.ExtensionContext, analysis: AnalysisService): void {
  const script = vscode.Uri.joinPath(context.extensionUri, 'dist', 'searchWorker.js').fsPath;
  context.subscriptions.push(
    { dispose: disposeSearchWorkers },
    vscode.commands.registerCommand(FIND_LAYOUTS_COMMAND, async () => {
      const editor = vscode.window.activeTextEditor;
      const document = editor && analysis.isTrainingConfig(editor.document) ? editor.document : vscode.window.visibleTextEditors.map((e) => e.document).find((d) => analysis.isTrainingConfig(d));
      if (!document) {
        void vscode.window.showInformationMessage('Open a training config (*.train.yaml) to search its layouts.');
        return;
      }
      const version = document.version;
      let report: ((examined: number, total: number) => void) | undefined;
      const search = searchInWorker(script, { text: document.getText(), fileName: document.fileName, options: {} }, (examined, total) => report?.(examined, total));
      // Progress only for a search that is still running after PROGRESS_AFTER_MS.
      const timer = setTimeout(() => {
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Searching layouts', cancellable: true }, (progress, token) => {
          token.onCancellationRequested(() => search.cancel());
          let shown = 0;
          report = (examined, total) => {
            const pct = total > 0 ? (100 * examined) / total : 0;
            progress.report({ increment: pct - shown, message: `${examined.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} valid layouts examined` });
            shown = pct;
          };
          return search.done;
        });
      }, PROGRESS_AFTER_MS);
      const outcome = await search.done;
      clearTimeout(timer);
      if (outcome.type === 'cancelled') return;
      if (outcome.type === 'failed') {
        void vscode.window.showErrorMessage(`The layout search failed: ${outcome.message}`);
        return;
      }
      if (outcome.type === 'invalid') {
        const first = outcome.diagnostics[0];
        void vscode.window.showWarningMessage(`Fix the config's errors first (${outcome.diagnostics.length}): line ${first.line + 1}: ${first.message}`);
        return;
      }
      const r = outcome.result;
      if (r.top.length === 0) {
        void vscode.window.showWarningMessage(`No layout admitted: ${r.nothingAdmitted ?? r.incomplete ?? 'nothing passed the rules'}`);
        return;
      }
      const items: (vscode.QuickPickItem & { changes?: LayoutChange[] })[] = [
        { label: `Cheapest by ${r.objective}`, kind: vscode.QuickPickItemKind.Separator },
        ...r.top.map((p, i) => pickItem(p, r.current, i === 0 ? 'best' : '')),
        { label: 'Cost vs peak memory (Pareto frontier)', kind: vscode.QuickPickItemKind.Separator },
        ...r.frontier.map((p) => pickItem(p, r.current, 'frontier')),
      ];
      const summary = `${r.candidates.toLocaleString('en-US')} layouts: ${r.rejected.toLocaleString('en-US')} rejected, ${r.overMemory.toLocaleString('en-US')} over memory, ${r.simulated.toLocaleString('en-US')} simulated${r.incomplete ? ` — ${r.incomplete}` : ''}`;
      const picked = await vscode.window.showQuickPick(items, { title: 'Find Better Layouts', placeHolder: `Use a layout (one undoable edit) — ${summary}`, matchOnDetail: true });
      if (!picked?.changes) return;
      if (document.version !== version) {
        const again = await vscode.window.showWarningMessage('The config changed while the search ran; its numbers may no longer hold.', 'Apply anyway');
        if (again !== 'Apply anyway') return;
      }
      if (!(await applyLayoutChanges(document, analysis, picked.changes))) void vscode.window.showWarningMessage('Could not apply the layout.');
    }),
  );
}
