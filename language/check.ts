/**
 * The whole check of one document: front end → schema → resolve → rules. The schema, resolve and rules see only the
 * SourceDocument, whatever its format. Runs on every keystroke; never throws.
 */
import { DOES_NOT_FIT_CODE, INTERNAL_ERROR_CODE, type Diagnostic } from './diagnostics';
import { layerSplit } from '../simulator/stages';
import { derivedValues } from './derived';
import { ASSUMED_CODE, assumedDiagnostics, completeDocument, type Assumed } from './formats/assumed';
import { frontEndFor, FRONT_ENDS, type FormatId, type FrontEnd, type SourceDocument } from './formats';
import { mergeInputs } from './formats/combine';
import type { ImportedDocument } from './formats/source';
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
  /**
   * The files that make one config with this one (this file among them, by `fileName`), combined as `tcs import`
   * combines them: a DeepSpeed JSON with the model's config.json. The result is this file's part: its own
   * diagnostics, and those about values it gave; the first file also gets those about values none gave.
   */
  group?: readonly { fileName: string; text: string }[];
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
  const parsed = frontEndFor({ ...options, text: safe }, frontEnds).parse(safe, { fileName: options.fileName, defaults: options.defaults });
  const group = options.group ?? [];
  return group.length > 1 && group.some((f) => f.fileName === options.fileName) ? checkInGroup(parsed, options, group, frontEnds) : checkDocument(parsed);
}

const hasOrigins = (doc: SourceDocument): doc is ImportedDocument => (doc as Partial<ImportedDocument>).origins instanceof Map;

/**
 * One file of several checked as one config: its document (its source map, its edit writer) with the merged value,
 * keeping the diagnostics that land in it. A file whose format keeps no origins (our own YAML) is checked alone.
 */
function checkInGroup(parsed: SourceDocument, options: CheckOptions, group: readonly { fileName: string; text: string }[], frontEnds: readonly FrontEnd[]): CheckResult {
  const me = options.fileName!;
  const inputs: { file: string; doc: ImportedDocument }[] = [];
  for (const f of group) {
    const doc = f.fileName === me ? parsed : frontEndFor({ fileName: f.fileName, text: f.text }, frontEnds).parse(f.text, { fileName: f.fileName, defaults: options.defaults });
    if (!hasOrigins(doc)) return checkDocument(parsed);
    inputs.push({ file: f.fileName, doc });
  }
  const merged = mergeInputs(inputs);
  const lead = group[0].fileName;
  const value = Object.keys(merged.value).length > 0 ? merged.value : undefined;
  const result = checkDocument({ ...parsed, value });
  const own = new Set(parsed.diagnostics);
  // A section's diagnostic (memory on `parallelism`) belongs to the file that gave all of it, else to the first.
  const ownerOf = (path: string): string => {
    const exact = merged.owners.get(path);
    if (exact !== undefined) return exact;
    const under = [...merged.owners].filter(([p]) => path === '' || p.startsWith(`${path}.`)).map(([, f]) => f);
    return under.length > 0 && under.every((f) => f === under[0]) ? under[0] : lead;
  };
  const conflicts = merged.diagnostics.filter((c) => c.file === me).map((c) => c.diagnostic);
  result.diagnostics = [...conflicts, ...result.diagnostics.filter((d) => own.has(d) || ownerOf(d.path) === me)].sort(byPosition);
  return result;
}

export function checkDocument(parsed: SourceDocument): CheckResult {
  // A launch script, a TOML, a config.json say only part of a config: the rest is assumed, and said so.
  const { document, assumed, absent } = completeDocument(parsed);
  const diagnostics = [...document.diagnostics, ...assumedDiagnostics(document, assumed, absent)];
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
      for (const rule of RULES) {
        const found = rule({ doc: document, config, layerSplit: split });
        // A stand-in model's memory, or an unsplit model's, is no finding about the file (a DeepSpeed config or a
        // config.json alone).
        diagnostics.push(...(absent.model || absent.layout ? found.filter((d) => d.code !== DOES_NOT_FIT_CODE) : found));
      }
      result.derived = derivedValues(config, split);
    } catch (e) {
      diagnostics.push(internalError(document, 'the cross-field rules', e));
    }
  }
  if (assumed.length > 0) markAssumed(diagnostics, assumed, new Set(document.diagnostics));
  diagnostics.sort(byPosition);
  return result;
}
