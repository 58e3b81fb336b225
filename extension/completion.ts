/**
 * Completion: keys not yet present, enum values, GPU presets, schedules, booleans — computed by the core on the
 * text as typed. Typing `:` or a space after a key asks for values only; a key list never pops up on indentation.
 */
import * as vscode from 'vscode';
import type { CompletionItem } from '../language/service';
import type { AfterPreviewPaint } from './afterPreviewPaint';
import type { AnalysisService } from './analysis';
import { fromVsPosition, toVsRange } from './convert';

export const TRIGGER_CHARACTERS = [':', ' '];
/** Text before the cursor where a value begins. */
const VALUE_START = /(:|:[ \t]+|[[,][ \t]*|^[ \t]*-[ \t]+)$/;

export function toVsCompletionItem(item: CompletionItem, position: vscode.Position): vscode.CompletionItem {
  const result = new vscode.CompletionItem(
    { label: item.label, description: item.detail },
    item.kind === 'key' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
  );
  result.insertText = item.insertText;
  const replacing = toVsRange(item.range);
  // Insert mode keeps the text after the cursor; replace mode (the user's choice) takes the whole word.
  const inserting = new vscode.Range(replacing.start, position.isAfter(replacing.start) ? position : replacing.start);
  result.range = replacing.contains(position) ? { inserting, replacing } : replacing;
  result.detail = item.detail;
  if (item.documentation) result.documentation = new vscode.MarkdownString(item.documentation);
  result.sortText = item.sortText;
  // The label is what the user types; insertText may carry a leading space or a trailing `: `.
  result.filterText = item.label;
  if (item.retrigger) result.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
  return result;
}

export class TrainingConfigCompletion implements vscode.CompletionItemProvider {
  constructor(
    private readonly analysis: AnalysisService,
    private readonly afterPreviewPaint?: AfterPreviewPaint,
  ) {}

  provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): vscode.ProviderResult<vscode.CompletionItem[]> {
    const items = this.items(document, position, context);
    if (items.length === 0 || !this.afterPreviewPaint) return items;
    // The list is computed on this version now; the widget that shows it lays out in the preview's thread, so it
    // waits, like the problems, until the preview has painted this keystroke (at most a few frames).
    return this.afterPreviewPaint.settled(document.uri.toString()).then(() => (token.isCancellationRequested ? [] : items));
  }

  private items(document: vscode.TextDocument, position: vscode.Position, context: vscode.CompletionContext): vscode.CompletionItem[] {
    try {
      if (!this.analysis.isTrainingConfig(document)) return [];
      const triggered = context.triggerKind === vscode.CompletionTriggerKind.TriggerCharacter;
      // A typed `:` or space asks only where a value starts (`key:`, `key: `, `[a, `, `- `), not mid-text.
      if (triggered && !VALUE_START.test(document.lineAt(position.line).text.slice(0, position.character))) return [];
      let items = this.analysis.language.completions(this.analysis.get(document), fromVsPosition(position));
      if (triggered) items = items.filter((item) => item.kind === 'value');
      return items.map((item) => toVsCompletionItem(item, position));
    } catch {
      return [];
    }
  }
}

export function registerCompletion(selector: vscode.DocumentSelector, analysis: AnalysisService, afterPreviewPaint?: AfterPreviewPaint): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    selector,
    new TrainingConfigCompletion(analysis, afterPreviewPaint),
    ...TRIGGER_CHARACTERS,
  );
}
