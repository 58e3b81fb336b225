/** What every rule gets, and the small helpers they share. */
import type { Diagnostic, Fix, Severity } from '../diagnostics';
import type { SourceDocument } from '../formats/types';
import type { ResolvedConfig } from '../../simulator/config';
import type { LayerSplit } from '../../simulator/stages';
import { written } from '../fixes';
import { rangeFor } from '../schema';

export interface RuleContext {
  doc: SourceDocument;
  config: ResolvedConfig;
  /** The layer split, computed once per check for every rule and the hover's derived values. */
  layerSplit: LayerSplit;
}

/** A rule returns its findings; it never throws and never simulates (it runs on every keystroke). */
export type Rule = (ctx: RuleContext) => Diagnostic[];

/**
 * A diagnostic on the key at `path` (or, when the user left it to its default, on the nearest key they wrote), with
 * the fixes the document's format could write.
 */
export function report(ctx: RuleContext, severity: Severity, code: string, path: string, message: string, fixes?: readonly (Fix | undefined)[]): Diagnostic {
  const d: Diagnostic = { severity, code, message, path, range: rangeFor(ctx.doc, path, 'key').range };
  const offered = fixes ? written(fixes) : [];
  if (offered.length > 0) d.fixes = offered;
  return d;
}

export const has = (ctx: RuleContext, path: string): boolean => ctx.doc.nodes.has(path);

/** 12345 → "12,345" (plain digits, no locale data needed). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (!Number.isInteger(n)) return String(Math.round(n * 100) / 100);
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const plural = (n: number, one: string, many = one + 's') => `${fmt(n)} ${n === 1 ? one : many}`;

/** Divisors of n (n ≤ a few million; trial division to √n). */
export function divisors(n: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  if (!Number.isInteger(n) || n < 1 || n > 1e12) return [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d === 0) {
      small.push(d);
      if (d * d !== n) large.unshift(n / d);
    }
  }
  return [...small, ...large];
}

/** The candidates closest to `target` (ties: the smaller first), at most `count`. */
export function nearest(candidates: number[], target: number, count = 2): number[] {
  return [...candidates]
    .filter((c) => c !== target)
    .sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b)
    .slice(0, count);
}
