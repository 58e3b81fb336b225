/**
 * Completion: keys not yet present in the mapping at the cursor, and values (enums, GPU presets, schedules,
 * booleans, the default and examples) after `key: `.
 *
 * Works on the text around the cursor, not on the parsed value, because the text being typed is rarely valid
 * YAML yet (`  pipe` inside `parallelism:` is a syntax error until the colon arrives). Block mappings are read
 * by indentation; one level of flow collection (`attention: { type: mla, |` or `high_precision: [embedding, |`)
 * is read by brackets. Pure (no `vscode`).
 *
 * This reads YAML syntax as typed, so it is the YAML front end's completion: the facade offers it for YAML documents
 * only, and another format would bring its own (the key and value lists below it, from the schema, are shared).
 */
import type { CheckResult } from './check';
import type { Position, Range } from './diagnostics';
import { SCHEDULE_KINDS } from '../simulator/config';
import { GPU_PRESETS } from '../simulator/hardware';
import { yamlScalar } from './formats/yaml/edits';
import { allowedValues, gpuPresetMarkdown, SCHEDULE_DOCS, schemaMarkdown, schemaTypes } from './hover';
import { joinPath } from './paths';
import { schemaAt, type SchemaNode } from './schema';

export interface CompletionItem {
  label: string;
  kind: 'key' | 'value';
  /**
   * Text that replaces `range`. A key for a nested mapping inserts `key:` and a new line indented one level
   * deeper, relative to the key's line (editors re-indent continuation lines to the cursor line, as VS Code does).
   */
  insertText: string;
  /** What the item replaces: the word being typed (and the rest of that word after the cursor). */
  range: Range;
  /** One line shown beside the label: type, default, or a preset's name. */
  detail?: string;
  documentation?: string;
  /** Orders items: required keys first, then schema order; enum values in schema order before examples. */
  sortText: string;
  /** A key whose value has completions of its own: editors may ask for completions again after inserting it. */
  retrigger?: boolean;
}

const KEY_LINE = /^( *)(- +)?([A-Za-z_][\w.-]*)[ \t]*:(?=[ \t]|$)(.*)$/;
const WORD = /[\w.+-]/;

interface LineKey {
  /** Column of the key itself (after any `- `). */
  keyIndent: number;
  /** Column of a leading `- `, when the line is a sequence item. */
  dashIndent?: number;
  key: string;
  /** Text after the colon, comment stripped, trimmed. */
  rest: string;
}

function stripComment(text: string): string {
  const match = /(^|[ \t])#/.exec(text);
  return match ? text.slice(0, match.index) : text;
}

function readKey(line: string): LineKey | undefined {
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  const indent = m[1].length;
  return {
    keyIndent: indent + (m[2]?.length ?? 0),
    dashIndent: m[2] ? indent : undefined,
    key: m[3],
    rest: stripComment(m[4]).trim(),
  };
}

/** Column of the first content character, or undefined for a blank or comment-only line. */
function contentIndent(line: string): number | undefined {
  const m = /^( *)(\S)/.exec(line);
  if (!m || m[2] === '#') return undefined;
  return m[1].length;
}

interface Block {
  /** Dotted path of the mapping the content at `indent` belongs to. */
  path: string;
  /** Lines [start, end) of that mapping's body. */
  start: number;
  end: number;
}

/** End (exclusive) of the block opened by line `from`, whose own content starts at column `indent`. */
function blockEnd(lines: readonly string[], from: number, indent: number): number {
  for (let i = from + 1; i < lines.length; i++) {
    const c = contentIndent(lines[i]);
    if (c !== undefined && c <= indent) return i;
  }
  return lines.length;
}

/**
 * The mapping that content at column `indent` on line `lineIndex` belongs to, found by walking up to the nearest
 * line indented less. Undefined when that line holds a scalar (there is no mapping to complete in).
 */
function enclosingBlock(lines: readonly string[], lineIndex: number, indent: number, depth = 0): Block | undefined {
  if (depth > 64) return undefined;
  for (let i = lineIndex - 1; i >= 0; i--) {
    const c = contentIndent(lines[i]);
    if (c === undefined || c >= indent) continue;
    const key = readKey(lines[i]);
    // A sibling `- key: …` item whose key sits at our column: we are inside that sequence item's mapping.
    if (key?.dashIndent !== undefined && key.keyIndent === indent) return sequenceItemBlock(lines, i, key.dashIndent, depth);
    if (!key) {
      // `-` alone opens a mapping item on the following lines.
      if (/^ *-\s*$/.test(stripComment(lines[i]))) return sequenceItemBlock(lines, i, c, depth);
      return undefined;
    }
    // A key with a scalar or flow value, or one indented past us: nothing to complete under it.
    if (key.rest !== '' || key.keyIndent >= indent) return undefined;
    const parent =
      key.dashIndent !== undefined
        ? sequenceItemBlock(lines, i, key.dashIndent, depth + 1)
        : enclosingBlock(lines, i, key.keyIndent, depth + 1);
    if (!parent) return undefined;
    return { path: joinPath(parent.path, key.key), start: i + 1, end: blockEnd(lines, i, key.keyIndent) };
  }
  return { path: '', start: 0, end: lines.length };
}

/** The mapping a line's key belongs to: its own sequence item when the line starts with `- `. */
function blockOfLine(lines: readonly string[], lineIndex: number, keyIndent: number, dashIndent?: number): Block | undefined {
  return dashIndent !== undefined
    ? sequenceItemBlock(lines, lineIndex, dashIndent, 0)
    : enclosingBlock(lines, lineIndex, keyIndent);
}

/** The mapping inside the sequence item whose `- ` sits on line `dashLine` at column `dashIndent`. */
function sequenceItemBlock(lines: readonly string[], dashLine: number, dashIndent: number, depth: number): Block | undefined {
  const sequence = enclosingBlock(lines, dashLine, dashIndent, depth + 1);
  if (!sequence) return undefined;
  let index = 0;
  for (let i = sequence.start; i < dashLine; i++) {
    if (contentIndent(lines[i]) === dashIndent && /^ *- /.test(lines[i])) index++;
  }
  return { path: joinPath(sequence.path, index), start: dashLine, end: blockEnd(lines, dashLine, dashIndent) };
}

/** Keys already written at column `indent` in the block. */
function presentKeys(lines: readonly string[], block: Block, indent: number, skipLine: number): Set<string> {
  const keys = new Set<string>();
  for (let i = block.start; i < block.end; i++) {
    if (i === skipLine) continue;
    const key = readKey(lines[i]);
    if (key && key.keyIndent === indent) keys.add(key.key);
  }
  return keys;
}

/** The indentation step the document uses (2 unless its first nested key says otherwise). */
function indentUnit(lines: readonly string[]): number {
  for (let i = 1; i < lines.length; i++) {
    const c = contentIndent(lines[i]);
    if (c === undefined || c === 0) continue;
    for (let j = i - 1; j >= 0; j--) {
      const p = contentIndent(lines[j]);
      if (p === undefined) continue;
      if (p < c) return Math.min(8, c - p);
      break;
    }
  }
  return 2;
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}

function keyDetail(schema: SchemaNode): string | undefined {
  const types = [...schemaTypes(schema)].filter((t) => t !== 'null');
  const parts: string[] = [];
  if (types.length) parts.push(types.join(' | '));
  if (schema.default !== undefined && typeof schema.default !== 'object') parts.push(`default ${String(schema.default)}`);
  return parts.length ? parts.join(', ') : undefined;
}

function hasValueCompletions(path: string, schema: SchemaNode): boolean {
  if (path === 'cluster.gpu' || path === 'parallelism.schedule') return true;
  const types = schemaTypes(schema);
  return allowedValues(schema).length > 0 || types.has('boolean');
}

/** A mapping (not a scalar, not a union with a scalar form): its key opens a nested block. */
function opensBlock(path: string, schema: SchemaNode): boolean {
  if (path === 'cluster.gpu') return false;
  const types = schemaTypes(schema);
  return types.has('object') && [...types].every((t) => t === 'object' || t === 'null');
}

interface KeyRequest {
  parentPath: string;
  present: Set<string>;
  range: Range;
  /** Whether the text after the cursor already has the colon (editing an existing key's name). */
  hasColon: boolean;
  /** In a flow mapping: never open a block. */
  flow: boolean;
  unit: number;
}

function keyCompletions(request: KeyRequest): CompletionItem[] {
  const parent = schemaAt(request.parentPath);
  if (!parent) return [];
  const required = new Set<string>();
  const properties: [string, SchemaNode][] = [];
  const seen = new Set<string>();
  for (const branch of [parent, ...(parent.allOf ?? []), ...(parent.anyOf ?? []), ...(parent.oneOf ?? [])]) {
    for (const r of branch.required ?? []) required.add(r);
    for (const [key, schema] of Object.entries(branch.properties ?? {})) {
      if (!seen.has(key)) {
        seen.add(key);
        properties.push([key, schema]);
      }
    }
  }
  const items: CompletionItem[] = [];
  properties.forEach(([key, property], index) => {
    if (request.present.has(key)) return;
    const path = joinPath(request.parentPath, key);
    // The property node may be a bare `$ref`; the schema module resolves it.
    const schema = schemaAt(path) ?? property;
    const block = !request.flow && opensBlock(path, schema);
    const insertText = request.hasColon ? key : block ? `${key}:\n${' '.repeat(request.unit)}` : `${key}: `;
    items.push({
      label: key,
      kind: 'key',
      insertText,
      range: request.range,
      detail: keyDetail(schema),
      documentation: schemaMarkdown(path, schema),
      sortText: `${required.has(key) ? 0 : 1}${pad(index)}`,
      retrigger: !request.hasColon && !block && hasValueCompletions(path, schema),
    });
  });
  return items;
}

interface ValueRequest {
  path: string;
  range: Range;
  /** Prepended to every insertText: a space when the cursor sits right after the colon. */
  lead: string;
  /** Values not to offer again (items already in a flow sequence). */
  exclude?: Set<string>;
}

function valueCompletions(request: ValueRequest): CompletionItem[] {
  const schema = schemaAt(request.path);
  const items: CompletionItem[] = [];
  const seen = new Set<string>(request.exclude ?? []);
  const add = (value: string | number | boolean, group: number, detail?: string, documentation?: string): void => {
    const text = yamlScalar(value);
    if (seen.has(text)) return;
    seen.add(text);
    items.push({
      label: text,
      kind: 'value',
      insertText: request.lead + text,
      range: request.range,
      detail,
      documentation,
      sortText: `${group}${pad(items.length)}`,
    });
  };
  const defaultValue = schema?.default;
  const isDefault = (v: unknown): string | undefined => (v === defaultValue ? 'default' : undefined);

  if (request.path === 'cluster.gpu') {
    for (const gpu of Object.values(GPU_PRESETS)) add(gpu.id, 0, gpu.name, gpuPresetMarkdown(gpu));
  }
  if (request.path === 'parallelism.schedule') {
    for (const kind of SCHEDULE_KINDS) add(kind, 0, isDefault(kind), SCHEDULE_DOCS[kind]);
  }
  if (!schema) return items;
  for (const allowed of allowedValues(schema)) add(allowed.value, 0, isDefault(allowed.value), allowed.description);
  if (schemaTypes(schema).has('boolean')) {
    add(true, 0, isDefault(true));
    add(false, 0, isDefault(false));
  }
  if (defaultValue !== undefined && (typeof defaultValue === 'number' || typeof defaultValue === 'string')) {
    add(defaultValue, 1, 'default', schemaMarkdown(request.path, schema));
  }
  for (const example of schema.examples ?? []) {
    if (typeof example === 'number' || typeof example === 'string' || typeof example === 'boolean') {
      add(example, 2, 'example', schemaMarkdown(request.path, schema));
    }
  }
  return items;
}

/** A flow collection open at the cursor: its opening bracket's offset and kind. */
function openFlow(text: string, offset: number): { at: number; bracket: '{' | '[' } | undefined {
  let depth = 0;
  const limit = Math.max(0, offset - 4000);
  for (let i = offset - 1; i >= limit; i--) {
    const c = text[i];
    if (c === '}' || c === ']') depth++;
    else if (c === '{' || c === '[') {
      if (depth === 0) return { at: i, bracket: c };
      depth--;
    }
  }
  return undefined;
}

/** Offsets of [start, end) of the word around the cursor on its line. */
function wordAround(line: string, character: number): [number, number] {
  let start = character;
  while (start > 0 && WORD.test(line[start - 1])) start--;
  let end = character;
  while (end < line.length && WORD.test(line[end])) end++;
  return [start, end];
}

function lineRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

/** Completions inside a flow collection; undefined when the bracket turns out not to enclose the cursor. */
function flowCompletions(
  result: CheckResult,
  lines: readonly string[],
  position: Position,
  flow: { at: number; bracket: '{' | '[' },
): CompletionItem[] | undefined {
  const document = result.document;
  const text = document.text;
  const opener = document.positionAt(flow.at);
  const openerLine = lines[opener.line] ?? '';
  // The text before the bracket must be `key:` (e.g. `  attention: {`).
  const owner = /^( *)(- +)?([A-Za-z_][\w.-]*)[ \t]*:[ \t]*$/.exec(openerLine.slice(0, opener.character));
  if (!owner) return undefined;
  // Flow continuation lines are indented more than the key that owns the collection; otherwise the bracket
  // is an unclosed leftover from earlier and the cursor is back in block context.
  const ownerIndent = owner[1].length + (owner[2]?.length ?? 0);
  for (let l = opener.line + 1; l <= position.line; l++) {
    const textOfLine = l === position.line ? (lines[l] ?? '').slice(0, position.character) : (lines[l] ?? '');
    const c = contentIndent(textOfLine);
    if (c !== undefined && c <= ownerIndent) return undefined;
  }
  const block = blockOfLine(lines, opener.line, ownerIndent, owner[2] ? owner[1].length : undefined);
  if (!block) return [];
  const path = joinPath(block.path, owner[3]);

  const cursor = document.offsetAt(position);
  // The collection's body up to its closing bracket (or a bounded distance), for the entries already present.
  let end = cursor;
  for (let depth = 0; end < text.length && end < cursor + 4000; end++) {
    const c = text[end];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    }
  }
  const entries = topLevelEntries(text.slice(flow.at + 1, end));
  const entriesBefore = topLevelEntries(text.slice(flow.at + 1, cursor));
  const cursorEntry = entriesBefore.length - 1;
  const segment = entriesBefore[cursorEntry];

  const line = lines[position.line] ?? '';
  const [wordStart, wordEnd] = wordAround(line, position.character);
  const range = lineRange(position.line, wordStart, wordEnd);
  const previous = line[wordStart - 1];

  if (flow.bracket === '[') {
    const present = new Set(entries.map((e) => e.trim()).filter((e, i) => e !== '' && i !== cursorEntry));
    return valueCompletions({ path: joinPath(path, 0), range, lead: previous === ',' ? ' ' : '', exclude: present });
  }
  const colon = segment.indexOf(':');
  if (colon >= 0) {
    const innerKey = segment.slice(0, colon).trim();
    return valueCompletions({ path: joinPath(path, innerKey), range, lead: previous === ':' ? ' ' : '' });
  }
  const present = new Set<string>();
  entries.forEach((entry, i) => {
    const k = /^\s*([A-Za-z_][\w.-]*)\s*:/.exec(entry);
    if (k && i !== cursorEntry) present.add(k[1]);
  });
  const lead = previous === ',' || previous === '{' ? ' ' : '';
  return keyCompletions({
    parentPath: path,
    present,
    range,
    hasColon: /^\s*:/.test(line.slice(wordEnd)),
    flow: true,
    unit: 2,
  }).map((item) => ({ ...item, insertText: lead + item.insertText }));
}

/** Entries of a flow collection body split at top-level commas. */
function topLevelEntries(body: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      entries.push(body.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(body.slice(start));
  return entries;
}

/** Completions at a position; empty when the cursor is somewhere nothing can be suggested (a comment, a scalar's body…). */
export function completionsAt(result: CheckResult, position: Position): CompletionItem[] {
  const document = result.document;
  const lines = document.text.split(/\r\n|\r|\n/);
  const line = lines[position.line];
  if (line === undefined) return [];
  const character = Math.min(position.character, line.length);
  const before = line.slice(0, character);
  if (/(^|[ \t])#/.test(before)) return [];

  const flow = openFlow(document.text, document.offsetAt({ line: position.line, character }));
  if (flow) {
    const items = flowCompletions(result, lines, { line: position.line, character }, flow);
    if (items !== undefined) return items;
  }

  // `key: partial|` — a value.
  const valueLine = /^( *)(- +)?([A-Za-z_][\w.-]*)[ \t]*:([ \t]*)([^{}[\]#,]*)$/.exec(before);
  if (valueLine) {
    const keyIndent = valueLine[1].length + (valueLine[2]?.length ?? 0);
    const block = blockOfLine(lines, position.line, keyIndent, valueLine[2] ? valueLine[1].length : undefined);
    if (!block) return [];
    const [wordStart, wordEnd] = wordAround(line, character);
    const start = Math.min(wordStart, character - valueLine[5].length);
    const lead = valueLine[4] === '' && valueLine[5] === '' ? ' ' : '';
    return valueCompletions({ path: joinPath(block.path, valueLine[3]), range: lineRange(position.line, start, Math.max(wordEnd, character)), lead });
  }

  // `  pipe|` or `- item|` — a key (or a sequence item's value).
  const keyLine = /^( *)(- +)?([\w.-]*)$/.exec(before);
  if (!keyLine) return [];
  const indent = keyLine[1].length + (keyLine[2]?.length ?? 0);
  const [wordStart, wordEnd] = wordAround(line, character);
  const range = lineRange(position.line, wordStart, wordEnd);
  const after = line.slice(wordEnd);

  if (keyLine[2] !== undefined) {
    // A block sequence item: a value of the sequence's item schema (e.g. `high_precision:` then `  - emb|`).
    const sequence = enclosingBlock(lines, position.line, keyLine[1].length);
    if (!sequence) return [];
    const itemSchema = schemaAt(joinPath(sequence.path, 0));
    if (itemSchema && !opensBlock(joinPath(sequence.path, 0), itemSchema)) {
      const present = new Set<string>();
      for (let i = sequence.start; i < sequence.end; i++) {
        const m = /^ *- +(\S+)/.exec(stripComment(lines[i]));
        if (i !== position.line && m) present.add(m[1]);
      }
      return valueCompletions({ path: joinPath(sequence.path, 0), range, lead: '', exclude: present });
    }
  }

  const block = blockOfLine(lines, position.line, indent, keyLine[2] !== undefined ? keyLine[1].length : undefined);
  if (!block) return [];
  return keyCompletions({
    parentPath: block.path,
    present: presentKeys(lines, block, indent, position.line),
    range,
    hasColon: /^[ \t]*:/.test(after),
    flow: false,
    unit: indentUnit(lines),
  });
}
