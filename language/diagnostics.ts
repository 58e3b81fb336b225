/** Diagnostics: the one shape every check produces, whatever adapter shows it. */

export type Severity = 'error' | 'warning' | 'info';

/** 0-based, as in the editor (character = UTF-16 code unit offset within the line). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A text edit that a quick fix applies; offsets are resolved to ranges so adapters need no text. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix most users want; editors may apply it with a single shortcut. */
  preferred?: boolean;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. `parallelism/world-size`; documented in README. */
  code: string;
  message: string;
  /** Dotted config path of the offending key, e.g. `parallelism.pipeline`; '' for the document. */
  path: string;
  range: Range;
  fixes?: Fix[];
}

/** The one code for a failure of the checker itself (a bug), whichever layer caught it. */
export const INTERNAL_ERROR_CODE = 'internal/error';

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((d) => d.severity === 'error').length;
}

/**
 * The memory rule's code. A layout over HBM is still priced (the simulator reports which ranks overflow), so this
 * error does not stop a simulation; every other error does.
 */
export const DOES_NOT_FIT_CODE = 'memory/exceeds-hbm';

/** Errors that leave nothing sensible to simulate: every error but "does not fit". */
export function simulationBlockers(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error' && d.code !== DOES_NOT_FIT_CODE);
}
