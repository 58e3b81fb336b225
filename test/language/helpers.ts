/** Shared test helpers: the examples, a YAML edit by path, and diagnostics by code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkText, type CheckResult } from '../../language/check';
import type { Diagnostic } from '../../language/diagnostics';
import { applyFix as applyCoreFix } from '../../language/fixOutcomes';

export const EXAMPLES_DIR = join(__dirname, '..', '..', '..', 'examples');
export const example = (name: string) => readFileSync(join(EXAMPLES_DIR, name), 'utf8');
export const DEEPSEEK = () => example('deepseek-v3.train.yaml');
export const LLAMA = () => example('llama3-405b.train.yaml');

/** Replaces the value of the first line `  key: value` (any indentation) inside the text. */
export function setLine(text: string, key: string, value: string): string {
  const re = new RegExp(`^(\\s*${key}:)[^#\\n]*`, 'm');
  if (!re.test(text)) throw new Error(`no line for ${key}`);
  return text.replace(re, `$1 ${value} `);
}

export function codes(result: CheckResult, severity?: Diagnostic['severity']): string[] {
  return result.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code);
}

export function only(result: CheckResult, code: string): Diagnostic {
  const found = result.diagnostics.filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got ${JSON.stringify(result.diagnostics.map((d) => d.code))}`);
  return found[0];
}

/** Applies the diagnostic's fix at `index` to the text (no fix: the text unchanged). */
export function applyFix(result: CheckResult, d: Diagnostic, index = 0): string {
  const fix = d.fixes?.[index];
  return fix ? applyCoreFix(result.document, fix) : result.document.text;
}

export const check = checkText;
