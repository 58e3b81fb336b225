/**
 * The language service: the one entry the extension, the CLI, the bench and the language server call. A document's
 * text goes in; diagnostics, hovers, completions and quick fixes (each tried against the whole config) come out, as
 * plain data in 0-based UTF-16 positions. The format is the caller's or recognised from the file name and text
 * (language/formats/index.ts). Pure: no `vscode`, no DOM, no I/O. Never throws.
 */
import { checkText, type CheckOptions, type CheckResult } from './check';
import type { CompletionItem } from './completion';
import { completionsAt } from './completion';
import { DOES_NOT_FIT_CODE, errorCount, hasErrors, INTERNAL_ERROR_CODE, simulationBlockers, ZERO_RANGE, type Diagnostic, type Fix, type Position, type Range, type Severity, type TextEdit } from './diagnostics';
import { candidateFixes, MAX_RECHECK_CHARS, presentFixes, recheckBudget, type PresentedFix, type RecheckBudget } from './fixOutcomes';
import { frontEndFor, FRONT_ENDS } from './formats';
import { plainTextDocument } from './formats/plain';
import type { FormatId, FrontEnd, SourceDocument } from './formats/types';
import { hoverAt, type Hover } from './hover';

export type { CheckOptions, CheckResult, CompletionItem, Diagnostic, Fix, FormatId, FrontEnd, Hover, Position, PresentedFix, Range, RecheckBudget, Severity, SourceDocument, TextEdit };
export { DOES_NOT_FIT_CODE, errorCount, hasErrors, INTERNAL_ERROR_CODE, MAX_RECHECK_CHARS, recheckBudget, simulationBlockers, ZERO_RANGE };
/** Layout search: the file's layouts priced, the rules as the final check, and one edit for a found layout. */
export { applyChanges, findLayouts, layoutFix, ruleRejection, type LayoutChange, type LayoutSearch, type SearchOptions, type SearchResult } from './layouts';
// Other formats: import, export and checking a file in its own format (language/formats/, language/export/).
export { ASSUMED_CODE } from './formats/assumed';
export { importFiles, type ImportFile, type ImportOutcome } from './formats/importFiles';
export type { ImportOptions } from './formats/combine';
export { EXPORTERS, type ExportResult, type ExportTarget, type ExportWarning } from './export';
/** Which files are training configs without any setting (the extension's selector, the language server's). */
export { DEFAULT_PATTERNS, defaultClusterSetting, FORMAT_IDS, formatFilesSetting } from './files';

export interface LanguageService {
  check(text: string, options?: CheckOptions): CheckResult;
  /** The document alone, unchecked: its source map and edit writer. Never throws (a failing front end gives plain text). */
  parse(text: string, options?: CheckOptions): SourceDocument;
  hover(result: CheckResult, position: Position): Hover | undefined;
  /** Completions read the text as typed, which is format syntax: YAML only for now; none for other formats. */
  completions(result: CheckResult, position: Position): CompletionItem[];
  /** Quick fixes for one diagnostic of the result, fewest errors left first (not re-checked above MAX_RECHECK_CHARS). */
  fixes(result: CheckResult, diagnostic: Diagnostic, budget?: RecheckBudget): PresentedFix[];
  /** Edits that set one config path in the document's own syntax (the preview's "use this schedule"). */
  setValue(result: CheckResult, path: string, value: unknown): TextEdit[] | undefined;
  /**
   * The format a front end other than our YAML claims for this document, from its name and its first
   * FORMAT_PROBE_CHARS; undefined when none does (a plain YAML, JSON or shell file). Bounded, never throws.
   */
  formatOf(text: string, fileName?: string): FormatId | undefined;
}

/** How much of a document `formatOf` reads: every front end's markers sit in a file's first lines. */
export const FORMAT_PROBE_CHARS = 64 * 1024;

export interface LanguageServiceOptions {
  /** The formats read, most specific first (default: every front end in language/formats/index.ts). */
  frontEnds?: readonly FrontEnd[];
}

export function createLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  const frontEnds = options.frontEnds ?? FRONT_ENDS;
  // The options each result was checked with, so a fix is re-checked the same way (with the same defaults).
  const checkedWith = new WeakMap<CheckResult, CheckOptions>();
  return {
    check(text, checkOptions) {
      const result = checkText(text, checkOptions, frontEnds);
      if (checkOptions) checkedWith.set(result, checkOptions);
      return result;
    },
    parse(text, parseOptions = {}) {
      const frontEnd = frontEndFor({ ...parseOptions, text }, frontEnds);
      try {
        return frontEnd.parse(text, { fileName: parseOptions.fileName, defaults: parseOptions.defaults });
      } catch {
        return plainTextDocument(text, frontEnd.format);
      }
    },
    hover: (result, position) => hoverAt(result, position),
    completions: (result, position) => (result.document.format === 'yaml' ? completionsAt(result, position) : []),
    fixes(result, diagnostic, budget = recheckBudget()) {
      const { document } = result;
      // Warnings' fixes are re-checked too: a fix for a warning must not quietly add an error.
      const candidates = candidateFixes(diagnostic, result.diagnostics, document);
      const options = checkedWith.get(result);
      const defaults = options?.defaults;
      // A file of several checked as one config is re-checked with the others, as it was checked.
      const group = options?.group?.map((f) => (f.fileName === options.fileName ? { fileName: f.fileName } : f));
      const recheck = (text: string) =>
        checkText(text, group ? { format: document.format, defaults, fileName: options!.fileName, group: group.map((f) => ({ fileName: f.fileName, text: 'text' in f ? f.text : text })) } : { format: document.format, defaults }, frontEnds).diagnostics;
      return presentFixes(document, candidates, errorCount(result.diagnostics), budget, recheck);
    },
    setValue: (result, path, value) => result.document.edits.setValue(path, value),
    formatOf(text, fileName) {
      const head = typeof text === 'string' ? text.slice(0, FORMAT_PROBE_CHARS) : '';
      for (const f of frontEnds) {
        if (f.format === 'yaml') continue;
        try {
          if (f.detect(head, fileName)) return f.format;
        } catch {
          // detect must not throw; one that does claims nothing.
        }
      }
      return undefined;
    },
  };
}
