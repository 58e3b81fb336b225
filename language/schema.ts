/**
 * Schema check: ajv over schemas/*.json, compiled once on first use, every error turned into a diagnostic on
 * the offending key or value, in words a config author uses.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import root from '../schemas/training-config.json';
import model from '../schemas/model.json';
import training from '../schemas/training.json';
import precision from '../schemas/precision.json';
import parallelism from '../schemas/parallelism.json';
import cluster from '../schemas/cluster.json';
import type { Diagnostic, Range } from './diagnostics';
import { fixOf, offered, renameKeyFix, setValueFix } from './fixes';
import { nearestNode } from './formats/sourceMap';
import type { SourceDocument } from './formats/types';
import { joinPath, keyName, valueAt } from './paths';
import { didYouMean } from './suggest';

/** The subset of JSON Schema the config's schemas use; the check, hover and completion read it. */
export interface SchemaNode {
  $ref?: string;
  title?: string;
  description?: string;
  markdownDescription?: string;
  type?: string | string[];
  enum?: unknown[];
  /** One description per `enum` entry, in order (the convention VS Code's JSON language service reads). */
  enumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  /** Optional unit annotation, when the schema carries one besides the description. */
  'x-unit'?: string;
}

const SECTIONS: Record<string, SchemaNode> = {
  'model.json': model as SchemaNode,
  'training.json': training as SchemaNode,
  'precision.json': precision as SchemaNode,
  'parallelism.json': parallelism as SchemaNode,
  'cluster.json': cluster as SchemaNode,
};
export const ROOT_SCHEMA = root as SchemaNode;

/** Unknown-key diagnostics that are near misses of a known key, whether or not the format can write the rename. */
const MISSPELT = new WeakSet<Diagnostic>();

/**
 * Whether a schema diagnostic leaves a value resolve cannot trust: every error but an unknown key nobody could have
 * meant as a known one. A misspelt known key (`pipline`) blocks resolve: its default would only cascade into
 * misleading rule errors.
 */
export function blocksResolve(d: Diagnostic): boolean {
  return d.severity === 'error' && !(d.code === 'schema/unknown-key' && !MISSPELT.has(d));
}

/** Schema errors reported per document; the rest are summed up in one diagnostic. */
export const MAX_SCHEMA_DIAGNOSTICS = 100;

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) {
    // strictNumbers: NaN and ±Infinity fail `type: number` instead of slipping through.
    const ajv = new Ajv({ allErrors: true, strictNumbers: true, strictTuples: false });
    ajv.addKeyword('enumDescriptions');
    for (const [id, schema] of Object.entries(SECTIONS)) ajv.addSchema(schema, id);
    validator = ajv.compile(root);
  }
  return validator;
}

function deref(node: SchemaNode | undefined): SchemaNode | undefined {
  return node?.$ref ? SECTIONS[node.$ref] : node;
}

/** The (sub)schema at a dotted path, following $refs, array items and the object branch of a preset-or-object. */
export function schemaAt(path: string): SchemaNode | undefined {
  let node = deref(ROOT_SCHEMA);
  if (path === '') return node;
  for (const segment of path.split('.')) {
    if (!node) return undefined;
    const objectBranch = (node.anyOf ?? node.oneOf)?.find((b) => b.properties);
    const holder = node.properties ? node : objectBranch;
    if (holder?.properties && Object.prototype.hasOwnProperty.call(holder.properties, segment)) node = deref(holder.properties[segment]);
    else if (node.items && /^\d+$/.test(segment)) node = deref(node.items);
    else return undefined;
  }
  return node;
}

const dotted = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan (not a number)';
    if (!Number.isFinite(value)) return `${value > 0 ? '' : '-'}.inf (infinite)`;
    return String(value);
  }
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/**
 * A number written with thousands separators (`15,360`, `15_360`, `15 360`): YAML reads it as text, but the
 * author meant the number. One separator throughout, groups of three digits.
 */
function groupedNumber(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = /^\s*([+-]?\d{1,3}(?:([,_ ])\d{3})(?:\2\d{3})*)(\.\d+)?\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1].split(m[2]).join('') + (m[3] ?? ''));
  return Number.isFinite(n) ? n : undefined;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping of keys',
  array: 'a list',
};

/** A scalar to start a key with: its default, or for a required key (which has none) its first example. */
function starterScalar(node: SchemaNode | undefined): unknown {
  const value = node?.default ?? node?.examples?.[0];
  return value === null || typeof value === 'object' ? undefined : value;
}

/**
 * A starter value for a missing key: its default or first example, or for a section its required keys' starters
 * (a leaf with neither is an empty string to fill in); undefined leaves the key for the user to complete.
 */
function starter(node: SchemaNode | undefined): unknown {
  if (!node) return undefined;
  if (node.properties && node.type === 'object' && node.required?.length) {
    const section: Record<string, unknown> = {};
    for (const k of node.required) {
      const child = deref(node.properties[k]);
      section[k] = child?.properties ? starter(child) : starterScalar(child) ?? '';
    }
    return section;
  }
  return starterScalar(node);
}

/** Where a diagnostic about `path` goes: its key, or its value, or the nearest ancestor's key. */
export function rangeFor(doc: SourceDocument, path: string, prefer: 'key' | 'value' = 'key'): { path: string; range: Range } {
  const found = nearestNode(doc, path);
  if (!found) return { path, range: documentStart(doc) };
  const r = found.path === path && prefer === 'value' ? found.ranges.value : found.ranges.key ?? found.ranges.value;
  // The root's value is the whole document: narrow it to the first key so squiggles stay readable.
  if (found.path === '') return { path, range: firstKeyRange(doc) ?? r };
  return { path, range: r };
}

function documentStart(doc: SourceDocument): Range {
  const end = doc.positionAt(Math.min(doc.text.length, doc.offsetAt({ line: 0, character: Number.MAX_SAFE_INTEGER })));
  return { start: { line: 0, character: 0 }, end };
}

function firstKeyRange(doc: SourceDocument): Range | undefined {
  for (const [path, r] of doc.nodes) if (path !== '' && !path.includes('.') && r.key) return r.key;
  return undefined;
}

function toDiagnostic(doc: SourceDocument, e: ErrorObject, all: ErrorObject[]): Diagnostic | undefined {
  const path = dotted(e.instancePath);
  const value = valueAt(doc.value, path);
  const name = path === '' ? 'The config' : `\`${keyName(path)}\``;
  const at = (p: string, prefer: 'key' | 'value') => rangeFor(doc, p, prefer).range;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const keyPath = joinPath(path, key);
      const known = Object.keys(schemaAt(path)?.properties ?? (schemaAt(path)?.anyOf ?? []).find((b) => b.properties)?.properties ?? {});
      const suggestion = didYouMean(key, known);
      const where = path === '' ? 'at the top level' : `in \`${path}\``;
      const message = suggestion
        ? `Unknown key \`${key}\` ${where}; did you mean \`${suggestion}\`?`
        : `Unknown key \`${key}\` ${where}. Known keys: ${known.join(', ')}.`;
      // A key written in the file that is a near miss of a known one (the user meant the known key).
      const misspelt = suggestion !== undefined && !known.includes(key) && doc.nodes.get(keyPath)?.key !== undefined;
      const d: Diagnostic = { severity: 'error', code: 'schema/unknown-key', message, path: keyPath, range: at(keyPath, 'key'), fixes: offered(misspelt ? renameKeyFix(doc, keyPath, suggestion) : undefined) };
      if (misspelt) MISSPELT.add(d);
      return d;
    }
    case 'required': {
      const key = String(e.params.missingProperty);
      const keyPath = joinPath(path, key);
      const child = schemaAt(keyPath);
      const fix = fixOf(child?.properties ? `Add the \`${key}\` section` : `Add \`${key}\``, doc.edits.setValue(keyPath, starter(child)), true);
      const what = child?.properties ? `section \`${key}\`` : `\`${key}\``;
      const message = path === '' ? `The config has no ${what}, which is required.` : `\`${path}\` is missing ${what}, which is required.`;
      // Another format's file often cannot hold the key at all (the cluster): say where it can come from.
      const inFile = /^\s*[{[]/.test(doc.text) ? 'import it with a file that does (`tcs import`)' : `add a comment line \`# tcs: ${keyPath}=…\``;
      // The cluster can also come from the editor's default (extension/config.ts passes it as ParseOptions.defaults).
      const orDefault = keyPath === 'cluster' || keyPath.startsWith('cluster.') ? ', or set a default cluster in the editor setting `trainingConfig.defaultCluster`' : '';
      const how = doc.format === 'yaml' ? '' : ` This file does not say it: ${inFile}${orDefault}.`;
      return { severity: 'error', code: 'schema/missing-key', message: message + how, path: keyPath, range: at(path, 'key'), fixes: offered(fix) };
    }
    case 'type': {
      const siblings = all.filter((o) => o.instancePath === e.instancePath && o.keyword === 'type');
      const words = [...new Set(siblings.map((o) => TYPE_WORDS[String(o.params.type)] ?? String(o.params.type)))];
      const schema = schemaAt(path);
      const presets = schema?.anyOf?.find((b) => b.enum)?.enum;
      const expected = presets ? `a preset (${presets.join(', ')}) or a mapping of its peaks` : words.join(' or ');
      const types = siblings.map((o) => String(o.params.type));
      const n = groupedNumber(value);
      const numeric = n !== undefined && (types.includes('number') || (types.includes('integer') && Number.isInteger(n)));
      const fixes = numeric ? offered(setValueFix(doc, path, n, `Change to ${n}`, true)) : undefined;
      return { severity: 'error', code: 'schema/type', message: `${name} must be ${expected}, not ${describe(value)}.`, path, range: at(path, 'value'), fixes };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const limit = Number(e.params.limit);
      const word = e.keyword === 'minimum' ? 'at least' : e.keyword === 'maximum' ? 'at most' : 'more than';
      const fixes = e.keyword === 'exclusiveMinimum' ? undefined : offered(setValueFix(doc, path, limit, undefined, true));
      return { severity: 'error', code: 'schema/range', message: `${name} must be ${word} ${limit}, not ${describe(value)}.`, path, range: at(path, 'value'), fixes };
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      const message = `${name} must be one of ${allowed.join(', ')}${suggestion ? `; did you mean \`${suggestion}\`?` : `, not ${describe(value)}.`}`;
      const fixes = suggestion ? offered(setValueFix(doc, path, suggestion, `Change to ${suggestion}`, true)) : undefined;
      return { severity: 'error', code: 'schema/enum', message, path, range: at(path, 'value'), fixes };
    }
    case 'pattern': {
      const n = groupedNumber(value);
      return {
        severity: 'error',
        code: 'schema/format',
        message: `${name} must be a number or a count with a K/M/B/T suffix such as 14.8T, not ${describe(value)}.`,
        path,
        range: at(path, 'value'),
        fixes: n === undefined ? undefined : offered(setValueFix(doc, path, n, `Change to ${n}`, true)),
      };
    }
    case 'uniqueItems': {
      const itemPath = joinPath(path, String(e.params.i));
      return { severity: 'error', code: 'schema/duplicate-item', message: `${name} lists ${describe(valueAt(doc.value, itemPath))} twice.`, path: itemPath, range: at(itemPath, 'value') };
    }
    case 'maxItems':
    case 'maxLength':
      return { severity: 'error', code: 'schema/range', message: `${name} is too long: at most ${e.params.limit} ${e.keyword === 'maxItems' ? 'items' : 'characters'}.`, path, range: at(path, 'value') };
    default:
      return { severity: 'error', code: `schema/${e.keyword}`, message: `${name} ${e.message ?? 'is invalid'}.`, path, range: at(path, 'value') };
  }
}

/** Errors about alternatives (`anyOf`, `oneOf`, `if`) are summarised by their branches' errors; keep only those that say something. */
function relevant(errors: ErrorObject[], doc: SourceDocument): ErrorObject[] {
  const combinators = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: ErrorObject[] = [];
  const seenType = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const value = valueAt(doc.value, dotted(e.instancePath));
    const isObject = typeof value === 'object' && value !== null;
    // A mapping given for a preset-or-mapping: the preset list is not what the user got wrong.
    if (e.keyword === 'enum' && isObject && combinators.has(e.instancePath)) continue;
    if (e.keyword === 'type') {
      if (seenType.has(e.instancePath)) continue;
      // Under a combinator, a type error is noise when another branch took the value's type (a string preset that is misspelt).
      if (combinators.has(e.instancePath) && errors.some((o) => o.instancePath === e.instancePath && o.keyword !== 'type' && o.keyword !== 'anyOf' && o.keyword !== 'oneOf')) continue;
      // A mapping for a preset-or-mapping: its own errors (deeper paths) say what is wrong.
      if (combinators.has(e.instancePath) && isObject && errors.some((o) => o.instancePath.startsWith(e.instancePath + '/'))) continue;
      seenType.add(e.instancePath);
    }
    out.push(e);
  }
  return out;
}

/**
 * The dotted paths of required keys a value lacks, conditional ones (`kv_heads` for `gqa`) included; not those of
 * an alternative the value did not take (a custom GPU's peaks when `gpu` is absent). A section missing is one
 * path; its own required keys show once it is there.
 */
export function missingRequired(value: unknown): string[] {
  const v = validate();
  if (v(value)) return [];
  const out = new Set<string>();
  for (const e of v.errors ?? []) {
    if (e.keyword !== 'required' || /\/(anyOf|oneOf)\//.test(e.schemaPath)) continue;
    out.add(joinPath(dotted(e.instancePath), String(e.params.missingProperty)));
  }
  return [...out];
}

/** Schema diagnostics for a parsed document; none for an empty one (check.ts reports that). */
export function validateSchema(doc: SourceDocument): Diagnostic[] {
  if (doc.value === undefined) return [];
  const v = validate();
  if (v(doc.value)) return [];
  const all = v.errors ?? [];
  const errors = relevant(all, doc);
  const out: Diagnostic[] = [];
  // Capped like yaml's errors: a 20,000-item list of wrong values would otherwise cost seconds per keystroke.
  for (const e of errors.slice(0, MAX_SCHEMA_DIAGNOSTICS)) {
    const d = toDiagnostic(doc, e, all);
    if (d) out.push(d);
  }
  if (errors.length > MAX_SCHEMA_DIAGNOSTICS) {
    const path = dotted(errors[MAX_SCHEMA_DIAGNOSTICS].instancePath);
    out.push({
      severity: 'error',
      code: 'schema/too-many-errors',
      message: `${(errors.length - MAX_SCHEMA_DIAGNOSTICS).toLocaleString('en-US')} more schema errors from here on are not shown; fix the ones above first.`,
      path,
      range: rangeFor(doc, path, 'value').range,
    });
  }
  return out;
}
