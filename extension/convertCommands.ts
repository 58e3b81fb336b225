/**
 * "Training Config: Import as Training Config" and "Export as Megatron-LM / torchtitan TOML / torchtitan Python
 * recipe / torchtitan JSON / NeMo": the active editor's text through language/'s importer or an exporter, into a new untitled document
 * (nothing is saved or overwritten; the user decides where it goes). Warnings the target cannot express are shown, and stay as # WARN lines in it.
 */
import * as vscode from 'vscode';
import { createLanguageService, errorCount, EXPORTERS, importFiles, type ExportTarget } from '../language/service';

export const IMPORT_COMMAND = 'trainingConfig.importAsTrainingConfig';
export const EXPORT_COMMANDS: Record<ExportTarget, { command: string; language: string }> = {
  megatron: { command: 'trainingConfig.exportAsMegatron', language: 'shellscript' },
  torchtitan: { command: 'trainingConfig.exportAsTorchtitan', language: 'toml' },
  'torchtitan-python': { command: 'trainingConfig.exportAsTorchtitanPython', language: 'python' },
  'torchtitan-json': { command: 'trainingConfig.exportAsTorchtitanJson', language: 'json' },
  nemo: { command: 'trainingConfig.exportAsNemo', language: 'yaml' },
};

async function openUntitled(content: string, language: string): Promise<void> {
  // TOML has no built-in language in VS Code: plain text unless an extension provides it.
  const known = (await vscode.languages.getLanguages()).includes(language);
  const document = await vscode.workspace.openTextDocument({ content, language: known ? language : 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: false });
}

function activeText(): { name: string; text: string } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showErrorMessage('Open the file to convert first.');
    return undefined;
  }
  const uri = editor.document.uri;
  return { name: uri.path.slice(uri.path.lastIndexOf('/') + 1) || 'untitled', text: editor.document.getText() };
}

async function importActive(): Promise<void> {
  const input = activeText();
  if (!input) return;
  const outcome = importFiles([input]);
  if (!outcome.ok) {
    void vscode.window.showErrorMessage(`${input.name}: ${outcome.message}.`);
    return;
  }
  await openUntitled(outcome.yaml, 'yaml');
  const errors = outcome.diagnostics.filter((d) => d.diagnostic.severity === 'error').length;
  if (outcome.assumed.length > 0 || errors > 0) {
    const parts = [];
    if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'} reading ${input.name}`);
    if (outcome.assumed.length > 0) parts.push(`assumed (not in the file): ${outcome.assumed.map((a) => a.path).join(', ')}`);
    void vscode.window.showWarningMessage(`Imported with ${parts.join('; ')}. Add a "# tcs: cluster.gpu=… cluster.nodes=…" line to the source to give the cluster.`);
  }
}

async function exportActive(target: ExportTarget): Promise<void> {
  const input = activeText();
  if (!input) return;
  const result = createLanguageService().check(input.text, { fileName: input.name });
  if (result.document.value === undefined || errorCount(result.diagnostics) > 0) {
    void vscode.window.showErrorMessage(`${input.name} has errors; fix them (see Problems) before exporting.`);
    return;
  }
  const exported = EXPORTERS[target].run(result.document.value);
  await openUntitled(exported.text, EXPORT_COMMANDS[target].language);
  if (exported.warnings.length > 0) {
    const keys = [...new Set(exported.warnings.map((w) => w.path))];
    void vscode.window.showWarningMessage(`${EXPORTERS[target].label} cannot express ${keys.join(', ')}; see the # WARN lines at the top.`);
  }
}

export function registerConvertCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand(IMPORT_COMMAND, () => importActive()));
  for (const [target, { command }] of Object.entries(EXPORT_COMMANDS) as [ExportTarget, { command: string }][]) {
    context.subscriptions.push(vscode.commands.registerCommand(command, () => exportActive(target)));
  }
}
