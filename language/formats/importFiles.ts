/**
 * Import as one step, for the CLI and the editor alike: texts in any known format → the `*.train.yaml` text with
 * every value's origin in a comment, the values assumed, and every diagnostic by file. Pure.
 */
import type { Diagnostic } from '../diagnostics';
import { combine, type Assumed, type ImportOptions } from './combine';
import { detectImportFormat, FORMAT_LABELS } from './frontEnds';
import { writeTrainYaml } from './writeYaml';

export interface ImportFile {
  name: string;
  text: string;
}

export type ImportOutcome =
  | { ok: false; file: string; message: string }
  | { ok: true; yaml: string; assumed: Assumed[]; diagnostics: { file: string; diagnostic: Diagnostic }[]; notes: Map<string, string> };

export function importFiles(files: readonly ImportFile[], options: ImportOptions = {}): ImportOutcome {
  const inputs = [];
  const diagnostics: { file: string; diagnostic: Diagnostic }[] = [];
  for (const f of files) {
    const frontEnd = detectImportFormat(f.text, f.name);
    if (!frontEnd) return { ok: false, file: f.name, message: `not a format tcs import knows (tried ${FORMAT_LABELS.join(', ')})` };
    const doc = frontEnd.parse(f.text, { fileName: f.name });
    for (const diagnostic of doc.diagnostics) diagnostics.push({ file: f.name, diagnostic });
    inputs.push({ file: f.name, doc });
  }
  const combined = combine(inputs, options);
  diagnostics.push(...combined.diagnostics);
  const header = [`Imported from ${files.map((f) => f.name).join(' + ')}; each comment names the value's origin.`];
  if (combined.assumed.length > 0) header.push('Values marked "assumed" are in none of the inputs: check them.');
  return { ok: true, yaml: writeTrainYaml(combined.value, combined.notes, header), assumed: combined.assumed, diagnostics, notes: combined.notes };
}
