/** The YAML front end's edit writer: fixes as YAML text, placed by the source map, indented like their neighbours. */
import type { Range, TextEdit } from '../../diagnostics';
import { keyName, parentPath } from '../../paths';
import { nearestNode } from '../sourceMap';
import { sliceRange } from '../text';
import type { EditWriter, SourceDocument } from '../types';

/** What the writer reads of the document: everything but the writer itself. */
type YamlText = Pick<SourceDocument, 'text' | 'nodes' | 'positionAt' | 'offsetAt'>;

/** Words YAML 1.1 or 1.2 would read as something other than a string. */
const NOT_A_STRING = /^(true|false|null|yes|no|on|off|y|n|~|[-+]?\.(inf|nan)|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[\da-f]+|0o[0-7]+)$/i;

/** A YAML scalar for `value`: plain when that reads back as the same string (`1f1b`, `zb-h1`, `14.8T`), quoted otherwise. */
export function yamlScalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  return /^[A-Za-z0-9_][\w.+-]*$/.test(s) && !NOT_A_STRING.test(s) ? s : JSON.stringify(s);
}

const isSection = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A flow sequence for a list, a scalar otherwise. */
function yamlValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(yamlScalar).join(', ')}]` : yamlScalar(value);
}

/** A section's keys as indented lines, each after a line break; a key without a value (undefined) is left open. */
function sectionLines(section: Record<string, unknown>, indent: string): string {
  return Object.entries(section)
    .map(([k, v]) => `\n${indent}  ${k}:${isSection(v) ? sectionLines(v, indent + '  ') : v === undefined ? '' : ` ${yamlValue(v)}`}`)
    .join('');
}

function endOfLine(doc: YamlText, line: number): number {
  return doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER });
}

function pointRange(doc: YamlText, offset: number): Range {
  const p = doc.positionAt(offset);
  return { start: p, end: p };
}

/** Indentation of the first key already inside the mapping at `parent`, or parent's indentation + 2. */
function childIndent(doc: YamlText, parent: string): string {
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
function insertKeyEdit(doc: YamlText, parent: string, key: string, valueText: string): TextEdit {
  const found = nearestNode(doc, parent);
  const base = found?.path ?? '';
  // Keys between the nearest existing mapping and the target become nested blocks.
  const missing = parent === base ? [] : parent.slice(base === '' ? 0 : base.length + 1).split('.');
  const lines = [...missing, key];
  const valueRange = found?.ranges.value;
  const existing = valueRange ? sliceRange(doc, valueRange) : '';
  if (found && base !== '' && existing.trimStart().startsWith('{') && missing.length === 0) {
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

export function yamlEditWriter(doc: YamlText): EditWriter {
  return {
    valueText: yamlValue,
    setValue(path, value) {
      const ranges = doc.nodes.get(path);
      if (ranges) {
        if (isSection(value)) return undefined;
        const text = yamlValue(value);
        // An empty value (`schedule:`) sits right after the colon: without a space the key would swallow the value.
        const { start, end } = ranges.value;
        const empty = start.line === end.line && start.character === end.character;
        return [{ range: ranges.value, newText: empty ? ` ${text}` : text }];
      }
      const parent = parentPath(path);
      // A new section's keys sit one step in from the key that holds it.
      const indent = ' '.repeat((doc.nodes.get(parent)?.key?.start.character ?? -2) + 2);
      const text = isSection(value) ? sectionLines(value, indent) : value === undefined ? '' : yamlValue(value);
      return [insertKeyEdit(doc, parent, keyName(path), text)];
    },
    renameKey(path, newKey) {
      const key = doc.nodes.get(path)?.key;
      return key ? [{ range: key, newText: newKey }] : undefined;
    },
    appendItems(path, values) {
      const list = doc.nodes.get(path);
      if (!list) return undefined;
      const text = sliceRange(doc, list.value).trim();
      // A block list (`- item` lines) is left to the user: its items' indentation is theirs.
      if (!text.startsWith('[')) return undefined;
      const inner = text.slice(1, -1).trim();
      return [{ range: list.value, newText: `[${[inner, ...values.map(yamlScalar)].filter(Boolean).join(', ')}]` }];
    },
  };
}
