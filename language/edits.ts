/** Quick-fix builders: text edits computed from the source map, so adapters need no YAML knowledge. */
import type { Fix, Range, TextEdit } from './diagnostics';
import { nearestNode, type ParsedDocument } from './parse';

/** Words YAML 1.1 or 1.2 would read as something other than a string. */
const NOT_A_STRING = /^(true|false|null|yes|no|on|off|y|n|~|[-+]?\.(inf|nan)|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[\da-f]+|0o[0-7]+)$/i;

/** A YAML scalar for `value`: plain when that reads back as the same string (`1f1b`, `zb-h1`), quoted otherwise. */
export function yamlScalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  return /^[A-Za-z0-9][\w.-]*$/.test(s) && !NOT_A_STRING.test(s) ? s : JSON.stringify(s);
}

function endOfLine(doc: ParsedDocument, line: number): number {
  return doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER });
}

/** Indentation of the first key already inside the mapping at `parent`, or parent's indentation + 2. */
function childIndent(doc: ParsedDocument, parent: string): string {
  const prefix = parent === '' ? '' : parent + '.';
  for (const [path, r] of doc.nodes) {
    if (path.startsWith(prefix) && path !== parent && !path.slice(prefix.length).includes('.') && r.key) {
      return ' '.repeat(r.key.start.character);
    }
  }
  const own = doc.nodes.get(parent)?.key;
  return ' '.repeat(own ? own.start.character + 2 : 0);
}

/**
 * Inserts `key: valueText` into the mapping at `parent`, creating missing parent sections on the way
 * (`parallelism:` then `  pipeline: 8`). Flow mappings (`{ a: 1 }`) get `, key: value` before the brace.
 */
export function insertKeyEdit(doc: ParsedDocument, parent: string, key: string, valueText: string): TextEdit {
  const found = nearestNode(doc, parent);
  const base = found?.path ?? '';
  // Keys between the nearest existing mapping and the target become nested blocks.
  const missing = parent === base ? [] : parent.slice(base === '' ? 0 : base.length + 1).split('.');
  const lines = [...missing, key];
  const valueRange = found?.ranges.value;
  const valueText0 = valueRange ? sliceRange(doc, valueRange) : '';
  if (found && base !== '' && valueText0.trimStart().startsWith('{') && missing.length === 0) {
    const close = doc.offsetAt(valueRange!.end) - 1;
    const before = doc.text.slice(doc.offsetAt(valueRange!.start), close).trimEnd();
    const at = doc.offsetAt(valueRange!.start) + before.length;
    const sep = before.endsWith('{') ? ' ' : ', ';
    return { range: pointRange(doc, at), newText: `${sep}${key}: ${valueText}` };
  }
  const indent = childIndent(doc, base);
  const text = lines.map((k, i) => `${indent}${'  '.repeat(i)}${k}:${i === lines.length - 1 ? ' ' + valueText : ''}`).join('\n');
  if (!found || base === '') {
    // Append at the end of the document.
    const end = doc.text.length;
    const needsBreak = end > 0 && !/[\r\n]$/.test(doc.text);
    return { range: pointRange(doc, end), newText: `${needsBreak ? '\n' : ''}${text}\n` };
  }
  // After the last line of the mapping's value, so trailing comments stay with their lines.
  // yaml's block ranges end at the start of the next line: step back to the mapping's last character.
  let last = doc.offsetAt(valueRange!.end);
  const first = doc.offsetAt(valueRange!.start);
  while (last > first && /\s/.test(doc.text[last - 1])) last--;
  const at = endOfLine(doc, doc.positionAt(last).line);
  return { range: pointRange(doc, at), newText: `\n${text}` };
}

function pointRange(doc: ParsedDocument, offset: number): Range {
  const p = doc.positionAt(offset);
  return { start: p, end: p };
}

export function sliceRange(doc: ParsedDocument, r: Range): string {
  return doc.text.slice(doc.offsetAt(r.start), doc.offsetAt(r.end));
}

/** Sets `path` to `value`: replaces the value when the key exists, inserts the key otherwise. */
export function setValueFix(doc: ParsedDocument, path: string, value: unknown, title?: string, preferred = false): Fix {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? '' : path.slice(0, dot);
  const key = path.slice(dot + 1);
  const text = yamlScalar(value);
  const ranges = doc.nodes.get(path);
  // An empty value (`schedule:`) sits right after the colon: without a space the key would swallow the value.
  const empty = ranges && ranges.value.start.line === ranges.value.end.line && ranges.value.start.character === ranges.value.end.character;
  const edit: TextEdit = ranges ? { range: ranges.value, newText: empty ? ` ${text}` : text } : insertKeyEdit(doc, parent, key, text);
  const fix: Fix = { title: title ?? `Set ${key} to ${text}`, edits: [edit] };
  if (preferred) fix.preferred = true;
  return fix;
}

export function renameKeyFix(doc: ParsedDocument, path: string, newKey: string): Fix | undefined {
  const key = doc.nodes.get(path)?.key;
  if (!key) return undefined;
  return { title: `Rename to ${newKey}`, edits: [{ range: key, newText: newKey }], preferred: true };
}
