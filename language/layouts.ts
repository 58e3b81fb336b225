/**
 * "Find better layouts" for a document: check it, search the layouts of its model and token budget with the
 * language rules as the final validity check, and turn any result into one edit of every key it changes.
 * Pure: the CLI, the extension's search worker and the tests call it alike.
 */
import { checkText, type CheckOptions } from './check';
import { simulationBlockers, type Diagnostic, type Fix, type TextEdit } from './diagnostics';
import { applyFix } from './fixOutcomes';
import { frontEndFor } from './formats';
import { getPath } from './formats/source';
import type { SourceDocument } from './formats/types';
import { RULES } from './rules';
import type { ResolvedConfig } from '../simulator/config';
import { searchLayouts, type LayoutChange, type SearchOptions, type SearchResult } from '../simulator/search';
import { layerSplit, type LayerSplit } from '../simulator/stages';

export type { LayoutChange, SearchOptions, SearchResult };

export type LayoutSearch =
  | { ok: true; result: SearchResult }
  /** The file does not check (other than "does not fit", which is what a search is for): its errors. */
  | { ok: false; diagnostics: Diagnostic[] };

/** The code of the first error the rules find in `config` (checked against `doc`'s source map), or undefined.
 * `split`: `layerSplit(config)` when the caller already has it. */
export function ruleRejection(doc: SourceDocument, config: ResolvedConfig, split: LayerSplit = layerSplit(config)): string | undefined {
  for (const rule of RULES) {
    const error = rule({ doc, config, layerSplit: split }).find((d) => d.severity === 'error');
    if (error) return error.code;
  }
  return undefined;
}

export function findLayouts(text: string, options: Omit<SearchOptions, 'reject'> = {}, checkOptions: CheckOptions = {}): LayoutSearch {
  const checked = checkText(text, checkOptions);
  const blockers = simulationBlockers(checked.diagnostics);
  if (blockers.length > 0 || !checked.config) return { ok: false, diagnostics: blockers.length > 0 ? blockers : checked.diagnostics };
  const doc = checked.document;
  // A layout's layer split depends on its schedule, pipeline degree and virtual stages; the model, the precision and
  // the file's first/last-stage layers that it also reads are the file's for every layout (simulator/stages.ts).
  const splits = new Map<string, LayerSplit>();
  const reject = (config: ResolvedConfig) => {
    const p = config.parallelism;
    const key = `${p.schedule}/${p.pipeline}/${p.virtualStages}`;
    let split = splits.get(key);
    if (!split) splits.set(key, (split = layerSplit(config)));
    return ruleRejection(doc, config, split);
  };
  return { ok: true, result: searchLayouts(checked.config, { ...options, reject }) };
}

/**
 * One fix setting every key of `changes`, in the document's own syntax. The changes are written one at a time, each
 * into the text the previous one left (re-read by the same front end), so two new keys under a missing section
 * create the section once; the result is one edit spanning what changed. Undefined when the format cannot write one.
 */
export function layoutFix(doc: SourceDocument, changes: readonly LayoutChange[], title = 'Use this layout'): Fix | undefined {
  let current = doc;
  for (const c of changes) {
    // Turning off a flag the text (as the changes before left it) does not set is nothing to write: absent is off
    // (sequence_parallel at TP 1, the only boolean a layout changes; a TP 1 torchtitan file no longer implies it).
    if (c.value === false && getPath(current.value, c.key) === undefined) continue;
    const written = current.edits.setValue(c.key, c.value);
    if (!written) return undefined;
    current = frontEndFor({ format: doc.format, text: doc.text }).parse(applyFix(current, { title, edits: written }));
  }
  return { title, edits: [spanningEdit(doc, current.text)] };
}

/** The one edit turning `doc`'s text into `after`: the span between their common prefix and common suffix. */
function spanningEdit(doc: SourceDocument, after: string): TextEdit {
  const before = doc.text;
  let start = 0;
  while (start < before.length && start < after.length && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { range: { start: doc.positionAt(start), end: doc.positionAt(before.length - end) }, newText: after.slice(start, after.length - end) };
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
