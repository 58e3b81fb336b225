/**
 * "Find better layouts" for a document: check it, search the layouts of its model and token budget with the
 * language rules as the final validity check, and turn any result into one edit of every key it changes.
 * Pure: the CLI, the extension's search worker and the tests call it alike.
 */
import { checkText, type CheckOptions } from './check';
import { simulationBlockers, type Diagnostic, type Fix, type TextEdit } from './diagnostics';
import type { SourceDocument } from './formats/types';
import { RULES } from './rules';
import type { ResolvedConfig } from '../simulator/config';
import { searchLayouts, type LayoutChange, type SearchOptions, type SearchResult } from '../simulator/search';
import { pipelineLayout } from '../simulator/stages';

export type { LayoutChange, SearchOptions, SearchResult };

export type LayoutSearch =
  | { ok: true; result: SearchResult }
  /** The file does not check (other than "does not fit", which is what a search is for): its errors. */
  | { ok: false; diagnostics: Diagnostic[] };

/** The code of the first error the rules find in `config` (checked against `doc`'s source map), or undefined. */
export function ruleRejection(doc: SourceDocument, config: ResolvedConfig): string | undefined {
  const layout = pipelineLayout(config);
  for (const rule of RULES) {
    const error = rule({ doc, config, layout }).find((d) => d.severity === 'error');
    if (error) return error.code;
  }
  return undefined;
}

export function findLayouts(text: string, options: Omit<SearchOptions, 'reject'> = {}, checkOptions: CheckOptions = {}): LayoutSearch {
  const checked = checkText(text, checkOptions);
  const blockers = simulationBlockers(checked.diagnostics);
  if (blockers.length > 0 || !checked.config) return { ok: false, diagnostics: blockers.length > 0 ? blockers : checked.diagnostics };
  const doc = checked.document;
  return { ok: true, result: searchLayouts(checked.config, { ...options, reject: (config) => ruleRejection(doc, config) }) };
}

/**
 * One fix setting every key of `changes`, in the document's own syntax (edits into the same text; the keys are
 * distinct, so the edits do not overlap, except new keys inserted at one point, which are merged in order).
 * Undefined when the document's format cannot write one of them.
 */
export function layoutFix(doc: SourceDocument, changes: readonly LayoutChange[], title = 'Use this layout'): Fix | undefined {
  const edits: TextEdit[] = [];
  const same = (a: TextEdit['range'], b: TextEdit['range']) =>
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
  for (const c of changes) {
    const written = doc.edits.setValue(c.key, c.value);
    if (!written) return undefined;
    for (const edit of written) {
      const at = edits.find((e) => same(e.range, edit.range));
      const point = edit.range.start.line === edit.range.end.line && edit.range.start.character === edit.range.end.character;
      if (at && point) at.newText += edit.newText;
      else edits.push({ ...edit });
    }
  }
  return { title, edits };
}

/** The text with `changes` applied (unchanged when the format cannot write them). */
export function applyChanges(text: string, changes: readonly LayoutChange[], checkOptions: CheckOptions = {}): string {
  const doc = checkText(text, checkOptions).document;
  const fix = layoutFix(doc, changes);
  if (!fix) return text;
  const spans = fix.edits.map((e) => ({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = doc.text;
  for (const e of spans) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
