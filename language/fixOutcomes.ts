/**
 * What a quick fix leaves behind. Rules propose fixes one constraint at a time ("pipeline must be even": 6 or 8),
 * but a config's constraints meet: 6 may break the world size and overflow memory where 8 clears everything.
 * Each fix is applied to the text and the whole config checked again (parsed by the same front end, so a fix in
 * Megatron-LM arguments is judged as Megatron-LM arguments), so the editor can order the fixes, prefer the one that
 * leaves no error, and say in each title what remains.
 */
import { checkText } from './check';
import { errorCount, type Diagnostic, type Fix } from './diagnostics';
import type { SourceDocument } from './formats/types';

/** The diagnostics of a document's text after a fix; by default, the check of the document's own format. */
export type Recheck = (text: string) => readonly Diagnostic[];

const recheckAs = (document: SourceDocument): Recheck => (text) => checkText(text, { format: document.format }).diagnostics;

/** Fixes re-checked per request; a check costs about a millisecond on a real config. Beyond it, titles stay as they are. */
export const MAX_FIXES_RECHECKED = 16;
/** And milliseconds spent re-checking per request: a slow document stops early instead of holding the editor. */
export const RECHECK_BUDGET_MS = 50;

/** What a request may still spend on re-checks; shared by every diagnostic of the request. */
export interface RecheckBudget {
  left: number;
  /** Date.now() after which nothing more is re-checked. */
  until: number;
}

export function recheckBudget(fixes = MAX_FIXES_RECHECKED, ms = RECHECK_BUDGET_MS): RecheckBudget {
  return { left: fixes, until: Date.now() + ms };
}
/** Larger documents are not re-checked per fix (a check of a 50,000-line file takes tens of milliseconds). */
export const MAX_RECHECK_CHARS = 64 * 1024;

export interface FixOutcome {
  fix: Fix;
  /** Errors in the whole config after applying the fix; undefined when it was not re-checked (over the cap). */
  errorsLeft?: number;
}

/** The text after a fix's edits (non-overlapping, in any order). */
export function applyFix(document: SourceDocument, fix: Fix): string {
  const edits = fix.edits
    .map((e) => ({ start: document.offsetAt(e.range.start), end: document.offsetAt(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let text = document.text;
  for (const e of edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

/**
 * A diagnostic's own fixes, then other diagnostics' fixes that change the same key: rules see one constraint each,
 * so the value that satisfies them all may come from another rule ("DualPipe needs an even pipeline" offers 6 and 8;
 * the world-size rule offers the 16 that also fills the cluster). Duplicates (same edits) are dropped.
 */
export function candidateFixes(diagnostic: Diagnostic, all: readonly Diagnostic[], document: SourceDocument): Fix[] {
  const seen = new Set<string>();
  const out: Fix[] = [];
  const add = (fix: Fix) => {
    const key = JSON.stringify(fix.edits);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(fix);
  };
  for (const fix of diagnostic.fixes ?? []) add(fix);
  if (!diagnostic.path) return out;
  const targets = (fix: Fix) => fix.edits.length > 0 && fix.edits.every((e) => document.pathAt(e.range.start)?.path === diagnostic.path);
  for (const other of all) {
    if (other === diagnostic) continue;
    for (const fix of other.fixes ?? []) if (targets(fix)) add({ ...fix, preferred: false });
  }
  return out;
}

/**
 * The diagnostic's fixes, each with the errors it leaves, fewest first (ties keep the rule's order); `budget`
 * is what the request may still spend, and is spent here.
 */
export function fixOutcomes(
  document: SourceDocument,
  fixes: readonly Fix[],
  budget: RecheckBudget = recheckBudget(),
  recheck: Recheck = recheckAs(document),
): FixOutcome[] {
  const small = document.text.length <= MAX_RECHECK_CHARS;
  const outcomes: FixOutcome[] = fixes.map((fix) => {
    if (!small || budget.left <= 0 || Date.now() > budget.until) return { fix };
    budget.left--;
    try {
      return { fix, errorsLeft: errorCount(recheck(applyFix(document, fix))) };
    } catch {
      return { fix };
    }
  });
  const rank = (o: FixOutcome) => o.errorsLeft ?? Number.POSITIVE_INFINITY;
  return outcomes.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map(({ o }) => o);
}

export interface PresentedFix {
  fix: Fix;
  title: string;
  preferred: boolean;
  errorsLeft?: number;
}

/**
 * The fixes as an editor should offer them, fewest errors left first. A fix that leaves more errors than the file
 * has now (it adds more than it removes: "Set pipeline to 21" on an info, breaking the world size) is not offered;
 * when no fix is clean, none is. With errors in the file, the preferred fix is one that clears them all (the rule's
 * own choice among several, else the first); otherwise the rule's own preference stands. A title says what
 * remains, unless the fix obviously clears the only error. Fixes past the re-check budget are offered as they are.
 */
export function presentFixes(
  document: SourceDocument,
  fixes: readonly Fix[],
  errorsNow: number,
  budget: RecheckBudget = recheckBudget(),
  recheck: Recheck = recheckAs(document),
): PresentedFix[] {
  const outcomes = fixOutcomes(document, fixes, budget, recheck).filter((o) => o.errorsLeft === undefined || o.errorsLeft <= errorsNow);
  const rulePreferred = outcomes.findIndex((o) => o.fix.preferred === true);
  let preferredIndex = rulePreferred;
  if (errorsNow > 0) {
    const clearing = outcomes.flatMap((o, i) => (o.errorsLeft === 0 ? [i] : []));
    if (clearing.length > 0) preferredIndex = clearing.includes(rulePreferred) ? rulePreferred : clearing[0];
  }
  const errors = (n: number) => `${n} error${n === 1 ? '' : 's'}`;
  return outcomes.map(({ fix, errorsLeft }, i) => {
    let title = fix.title;
    if (errorsLeft === 0 && errorsNow > 1) title = `${fix.title} (clears all ${errorsNow} errors)`;
    else if (errorsLeft !== undefined && errorsLeft > 0) title = `${fix.title} (${errors(errorsLeft)} left)`;
    return { fix, title, preferred: i === preferredIndex, errorsLeft };
  });
}
