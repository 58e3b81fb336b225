/**
 * The whole check of one document: front end → schema → resolve → rules. The schema, resolve and rules see only the
 * SourceDocument, whatever its format. Runs on every keystroke; never throws.
 */
import { INTERNAL_ERROR_CODE, type Diagnostic } from './diagnostics';
import { layerSplit } from '../simulator/stages';
import { derivedValues } from './derived';
import { ASSUMED_CODE, assumedDiagnostic, completeDocument, type Assumed } from './formats/assumed';
import { frontEndFor, FRONT_ENDS, type FormatId, type FrontEnd, type SourceDocument } from './formats';
import type { ResolvedConfig } from '../simulator/config';
import { resolveConfig } from './resolve';
import { RULES } from './rules';
import { blocksResolve, validateSchema } from './schema';

export interface CheckResult {
  document: SourceDocument;
  diagnostics: Diagnostic[];
  /** Present whenever resolve succeeded, even when rules found errors. */
  config?: ResolvedConfig;
  /** Path → human text of the derived value, e.g. 'parallelism.pipeline' → '61 layers over 16 stages: 3–4 per stage'. */
  derived: Record<string, string>;
}

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

function internalError(doc: SourceDocument, where: string, e: unknown): Diagnostic {
  return {
    severity: 'error',
    code: INTERNAL_ERROR_CODE,
    message: `The checker failed in ${where}: ${String((e as Error)?.message ?? e)}. Please report this with the file.`,
    path: '',
    range: { start: { line: 0, character: 0 }, end: doc.positionAt(Math.min(1, doc.text.length)) },
  };
}

export interface CheckOptions {
  fileName?: string;
  /** The format, when the caller knows it; otherwise recognised from the name and the text. */
  format?: FormatId;
  /** Values the file cannot give (the editor's default cluster), filled in under what the file says. */
  defaults?: Record<string, unknown>;
}

/** A diagnostic about an assumed value says so: the problem may be the assumption's, not the file's. */
function markAssumed(diagnostics: Diagnostic[], assumed: readonly Assumed[], fromTheFile: ReadonlySet<Diagnostic>): void {
  for (let i = 0; i < diagnostics.length; i++) {
    const d = diagnostics[i];
    if (d.code === ASSUMED_CODE || fromTheFile.has(d) || !assumed.some((a) => d.path === a.path || d.path.startsWith(`${a.path}.`))) continue;
    diagnostics[i] = { ...d, message: `${d.message} (with an assumed \`${d.path}\`)` };
  }
}

/** Parses `text` with the front end its format or name calls for, and checks it. */
export function checkText(text: string, options: CheckOptions = {}, frontEnds: readonly FrontEnd[] = FRONT_ENDS): CheckResult {
  const safe = typeof text === 'string' ? text : '';
  return checkDocument(frontEndFor({ ...options, text: safe }, frontEnds).parse(safe, { fileName: options.fileName, defaults: options.defaults }));
}

export function checkDocument(parsed: SourceDocument): CheckResult {
  // A launch script, a TOML, a config.json say only part of a config: the rest is assumed, and said so.
  const { document, assumed } = completeDocument(parsed);
  const diagnostics = [...document.diagnostics, ...assumed.map((a) => assumedDiagnostic(document, a))];
  const result: CheckResult = { document, diagnostics, derived: {} };
  if (document.value === undefined) {
    if (document.diagnostics.length === 0) {
      diagnostics.push({
        severity: 'error',
        code: 'document/empty',
        message: 'This training config is empty: it needs at least `model`, `training` and `cluster`.',
        path: '',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      });
    }
    return result;
  }
  let schema: Diagnostic[];
  try {
    schema = validateSchema(document);
  } catch (e) {
    diagnostics.push(internalError(document, 'the schema check', e));
    return result;
  }
  diagnostics.push(...schema);
  const capped = document.diagnostics.some((d) => d.code.startsWith('document/'));
  if (!capped && !schema.some(blocksResolve)) {
    try {
      const config = resolveConfig(document.value);
      result.config = config;
      const split = layerSplit(config);
      for (const rule of RULES) diagnostics.push(...rule({ doc: document, config, layerSplit: split }));
      result.derived = derivedValues(config, split);
    } catch (e) {
      diagnostics.push(internalError(document, 'the cross-field rules', e));
    }
  }
  if (assumed.length > 0) markAssumed(diagnostics, assumed, new Set(document.diagnostics));
  diagnostics.sort(byPosition);
  return result;
}
