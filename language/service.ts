/**
 * The language service: the one entry the extension, the CLI and the language server call. A document's text goes
 * in; diagnostics, hovers, completions and quick fixes (each tried against the whole config) come out, as plain
 * data in 0-based UTF-16 positions. Pure: no `vscode`, no DOM, no I/O. Never throws.
 */
import { checkText, type CheckResult } from './check';
import type { CompletionItem } from './completion';
import { completionsAt } from './completion';
import { errorCount, type Diagnostic, type Position } from './diagnostics';
import { candidateFixes, presentFixes, recheckBudget, type PresentedFix, type RecheckBudget } from './fixOutcomes';
import type { FormatId } from './formats/types';
import { hoverAt, type Hover } from './hover';

export type { CheckResult, CompletionItem, Diagnostic, FormatId, Hover, Position, PresentedFix, RecheckBudget };

export interface CheckOptions {
  fileName?: string;
  /** The format, when the caller knows it; otherwise recognised from the name and the text. */
  format?: FormatId;
}

export interface LanguageService {
  check(text: string, options?: CheckOptions): CheckResult;
  hover(result: CheckResult, position: Position): Hover | undefined;
  completions(result: CheckResult, position: Position): CompletionItem[];
  /** Quick fixes for one diagnostic of the result, fewest errors left first (not re-checked above MAX_RECHECK_CHARS). */
  fixes(result: CheckResult, diagnostic: Diagnostic, budget?: RecheckBudget): PresentedFix[];
}

export function createLanguageService(): LanguageService {
  return {
    check: (text) => checkText(text),
    hover: (result, position) => hoverAt(result, position),
    completions: (result, position) => completionsAt(result, position),
    fixes(result, diagnostic, budget = recheckBudget()) {
      // Warnings' fixes are re-checked too: a fix for a warning must not quietly add an error.
      const candidates = candidateFixes(diagnostic, result.diagnostics, result.document);
      return presentFixes(result.document, candidates, errorCount(result.diagnostics), budget);
    },
  };
}
