/** Hover: the core's markdown for the key or value under the cursor. */
import * as vscode from 'vscode';
import type { AnalysisService } from './analysis';
import { fromVsPosition, toVsRange } from './convert';

export class TrainingConfigHover implements vscode.HoverProvider {
  constructor(private readonly analysis: AnalysisService) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      if (!this.analysis.isTrainingConfig(document)) return undefined;
      const hover = this.analysis.language.hover(this.analysis.get(document), fromVsPosition(position));
      if (!hover) return undefined;
      // Untrusted markdown: the text comes from schemas and the user's own file; no command links, no HTML.
      const markdown = new vscode.MarkdownString(hover.markdown);
      markdown.isTrusted = false;
      markdown.supportHtml = false;
      return new vscode.Hover(markdown, toVsRange(hover.range));
    } catch {
      return undefined;
    }
  }
}

export function registerHover(selector: vscode.DocumentSelector, analysis: AnalysisService): vscode.Disposable {
  return vscode.languages.registerHoverProvider(selector, new TrainingConfigHover(analysis));
}
