/**
 * The checker on a file in another format, until the checker runs on SourceDocument directly: the file is read by
 * its front end, completed as import completes it (the cluster, from `# tcs:` lines, options or stated defaults),
 * checked as a training config, and every diagnostic is moved back onto the flag or key it is about (the nearest
 * recorded ancestor otherwise). What was assumed is an info diagnostic that says how to give it. Pure.
 */
import type { ResolvedConfig } from '../../simulator/config';
import { checkText } from '../check';
import type { Diagnostic, Range } from '../diagnostics';
import { combine, type ImportOptions } from './combine';
import { DIRECTIVE_HINT } from './directives';
import { detectImportFormat } from './frontEnds';
import { isTrainingConfigName, type ImportedDocument } from './source';
import type { FormatId } from './types';
import { writeTrainYaml } from './writeYaml';

export interface SourceCheck {
  format: FormatId;
  document: ImportedDocument;
  diagnostics: Diagnostic[];
  config?: ResolvedConfig;
}


export function checkSource(text: string, fileName: string, options: ImportOptions = {}): SourceCheck | undefined {
  if (isTrainingConfigName(fileName)) return undefined;
  const frontEnd = detectImportFormat(text, fileName);
  if (!frontEnd) return undefined;
  const document = frontEnd.parse(text, { fileName });
  const start: Range = { start: { line: 0, character: 0 }, end: document.positionAt(Math.min(text.length, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'))) };
  const combined = combine([{ file: fileName, doc: document }], options);
  const diagnostics: Diagnostic[] = [...document.diagnostics, ...combined.diagnostics.map((d) => d.diagnostic)];
  for (const a of combined.assumed) {
    diagnostics.push({
      severity: 'info',
      code: 'formats/assumed',
      message: `\`${a.path}\` is not in this file; ${JSON.stringify(a.value)} is assumed (${a.from}). To give it, ${DIRECTIVE_HINT.replace(/cluster\.gpu=h100-sxm cluster\.nodes=64 cluster\.gpus_per_node=8/, `${a.path}=…`)}.`,
      path: a.path,
      range: start,
    });
  }
  const checked = checkText(writeTrainYaml(combined.value, combined.notes));
  for (const d of checked.diagnostics) {
    const at = rangeIn(document, d.path);
    const assumed = combined.assumed.some((a) => d.path === a.path || d.path.startsWith(`${a.path}.`));
    diagnostics.push({ severity: d.severity, code: d.code, message: assumed ? `${d.message} (with an assumed \`${d.path}\`)` : d.message, path: d.path, range: at ?? start });
  }
  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { format: frontEnd.format, document, diagnostics, config: checked.config };
}

/** The range of a config path's flag or key in the source, or of its nearest recorded ancestor or descendant. */
function rangeIn(doc: ImportedDocument, path: string): Range | undefined {
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const r = doc.nodes.get(p);
    if (r) return r.key ?? r.value;
  }
  for (const [p, r] of doc.nodes) if (p.startsWith(`${path}.`)) return r.key ?? r.value;
  return undefined;
}
