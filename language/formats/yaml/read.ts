/**
 * The YAML front end's reader: text → plain value + source map (dotted path → key/value ranges), in one pass over
 * yaml's AST. Never throws: syntax errors, duplicate keys and hostile input become diagnostics. Every cap below is
 * checked before or while walking, so a 10 MB file, 10,000-deep nesting or an alias bomb stays bounded.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument as parseYaml, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../../diagnostics';
import { joinPath } from '../../paths';
import { SourceMap } from '../sourceMap';
import { textPositions, type TextPositions } from '../text';

/** Characters checked at all; above this the document is not parsed (a real config is a few KB). */
export const MAX_DOCUMENT_CHARS = 1_048_576;
/**
 * Characters on one line. A config line is under 200; yaml slows to seconds on some long lines
 * (a 200,000-character run of quotes yields 100,000 errors in ~4 s), so longer lines are refused.
 */
export const MAX_LINE_CHARS = 10_000;
/**
 * Upper bound on nesting seen by a linear pre-scan (indentation columns + compact `- ` indicators + open
 * flow brackets). yaml's composer recurses per level and runs out of memory near 10,000 levels, so
 * deeper text is refused before yaml sees it.
 */
export const MAX_NESTING_COLUMNS = 256;
/** Nesting levels of the value kept (a config is ≤ 5 deep); deeper collections are dropped. */
export const MAX_DEPTH = 32;
/** YAML syntax errors forwarded; yaml can report one per character pair, which would flood the Problems panel. */
export const MAX_SYNTAX_DIAGNOSTICS = 100;
/** Values kept, aliases expanded; beyond it the rest is dropped (alias bombs stop here). */
export const MAX_NODES = 50_000;

/** Returns the offset of the first place nesting exceeds the cap, or -1. Over-counts rather than under-counts. */
function nestingOverflow(text: string): number {
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Start of a line: indentation plus compact block indicators (`- - - x`, `? `).
    let column = 0;
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) { i++; column++; }
    // '-' or '?' followed by a space or tab.
    while (i < n && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 63) && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)) {
      i += 2; column += 2;
      while (i < n && text.charCodeAt(i) === 32) { i++; column++; }
    }
    if (column + flow > MAX_NESTING_COLUMNS) return i;
    let quote = 0;
    let tokenStart = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) break;
      if (quote) {
        if (c === quote) quote = 0;
        else if (c === 92 && quote === 34) i++; // a backslash escape in "..."
        continue;
      }
      if (tokenStart && (c === 34 || c === 39)) { quote = c; continue; }
      if (tokenStart && c === 35) {
        // A comment: skip to the line break.
        while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
        break;
      }
      if (c === 91 || c === 123) { // [ {
        if (++flow + column > MAX_NESTING_COLUMNS) return i;
      } else if ((c === 93 || c === 125) && flow > 0) flow--; // ] }
      tokenStart = c === 32 || c === 9 || c === 91 || c === 123 || c === 44 || c === 58; // space tab [ { , :
    }
    // Line break: \r\n counts once.
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i++;
    i++;
  }
  return -1;
}

/** Joined comment lines below which joinCommentRuns leaves the text alone. */
const MIN_JOINED_LINES = 32;

/**
 * The text with every run of consecutive comment-only lines of the same indentation joined into one comment line:
 * the line breaks between them become spaces, so every offset stays the same and only line breaks inside the run
 * disappear. yaml's parser spends about 2 µs per comment line (a long commented-out history makes a 5,000-line
 * config cost 20 ms); one comment per run costs nothing. Undefined when nothing would be joined, or when the text
 * has a lone \r (yaml and the editor disagree on those lines; parse the text as written).
 * Returns where each run starts and where its last line starts, to check afterwards that no run overlaps a scalar.
 */
function joinCommentRuns(text: string, starts: number[], minJoinedLines: number): { text: string; runs: number[] } | undefined {
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return undefined;
  /** Start of every line whose preceding line break is replaced. */
  const joinedLines: number[] = [];
  /** Per run: the offset of its first line and of its last line's start, flattened. */
  const runs: number[] = [];
  let previousIndent = -1;
  let runJoined = false;
  for (let line = 0; line < starts.length; line++) {
    const start = starts[line];
    let i = start;
    while (text.charCodeAt(i) === 32) i++;
    const indent = text.charCodeAt(i) === 35 ? i - start : -1; // '#': a comment-only line
    if (indent >= 0 && indent === previousIndent) {
      joinedLines.push(start);
      if (runJoined) runs[runs.length - 1] = start;
      else runs.push(starts[line - 1], start);
      runJoined = true;
    } else runJoined = false;
    previousIndent = indent;
  }
  // A few joined lines do not pay for the copy and the check afterwards.
  if (joinedLines.length === 0 || joinedLines.length < minJoinedLines) return undefined;
  // Concatenation, not Array.join: V8 builds a rope, several times faster than joining 50,000 pieces.
  let joined = '';
  let from = 0;
  for (const start of joinedLines) {
    // The previous line's break (\n or \r\n) becomes spaces.
    const crlf = text.charCodeAt(start - 2) === 13;
    joined += text.slice(from, start - (crlf ? 2 : 1)) + (crlf ? '  ' : ' ');
    from = start;
  }
  return { text: joined + text.slice(from), runs };
}

/** True when some joined run overlaps a scalar's source (its lines were a block scalar's or quoted string's content). */
function runsOverlapScalar(doc: Document.Parsed, runs: number[]): boolean {
  const overlaps = (node: unknown): boolean => {
    if (isScalar(node)) {
      const [s, e] = node.range ?? [0, 0];
      // The first run ending after s overlaps [s, e) when it starts before e.
      let lo = 0;
      let hi = runs.length >> 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (runs[2 * mid + 1] <= s) lo = mid + 1;
        else hi = mid;
      }
      return 2 * lo < runs.length && runs[2 * lo] < e;
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item) ? overlaps(item.key) || overlaps(item.value) : overlaps(item)) return true;
      }
    }
    // Aliases point at nodes reached elsewhere in the tree; nesting depth was capped by nestingOverflow.
    return false;
  };
  return overlaps(doc.contents);
}

/** yaml builds an Error for each problem it reports and only the message is used: skip capturing stack traces. */
function parseYamlQuickly(text: string): Document.Parsed {
  const stackTraceLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
    return parseYaml(text, { uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * The yaml document for `text`. When comment runs can be joined (see joinCommentRuns), the joined text is parsed
 * first; its result is used only when it has no errors or warnings and no joined run lies inside a scalar, since
 * then the two texts differ only inside comments and every node has the same offsets and value. Otherwise the
 * text as written is parsed, so messages and positions are exactly yaml's.
 */
function parseYamlText(text: string, starts: number[], joinComments: boolean | undefined): Document.Parsed {
  const joined = joinComments === false ? undefined : joinCommentRuns(text, starts, joinComments ? 1 : MIN_JOINED_LINES);
  if (joined) {
    const doc = parseYamlQuickly(joined.text);
    if (doc.errors.length === 0 && doc.warnings.length === 0 && !runsOverlapScalar(doc, joined.runs)) return doc;
  }
  return parseYamlQuickly(text);
}

/** yaml's messages end with " at line L, column C:" and a snippet; the range already says where. */
function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'yaml/duplicate-key',
  MULTIPLE_DOCS: 'yaml/multiple-documents',
  RESOURCE_EXHAUSTION: 'document/resource-limit',
  TAB_AS_INDENT: 'yaml/tab-indent',
  BAD_ALIAS: 'yaml/unknown-alias',
};

export interface YamlParseOptions {
  /**
   * For tests. Runs of comment lines are joined before parsing when there are enough of them to pay off (a speed-up
   * with identical results); true joins even a single pair, false parses the text as written.
   */
  joinComments?: boolean;
}

/** What the reader hands the front end: everything of a SourceDocument but its format and edit writer. */
export interface YamlReading {
  text: string;
  value: unknown;
  positions: TextPositions;
  map: SourceMap;
  diagnostics: Diagnostic[];
}

const capDiagnostic = (code: string, message: string, range: Diagnostic['range']): Diagnostic => ({ severity: 'error', code, message, path: '', range });

/** The first cap the raw text breaks (size, NUL bytes, nesting, a long line), checked before yaml sees it. */
function refusal(text: string, positions: TextPositions): Diagnostic | undefined {
  const { range, starts } = positions;
  if (text.length > MAX_DOCUMENT_CHARS) {
    // Point at where the cap is crossed, not at the whole file.
    return capDiagnostic('document/too-large',
      `This file has ${text.length.toLocaleString('en-US')} characters; configs over ${MAX_DOCUMENT_CHARS.toLocaleString('en-US')} are not checked.`,
      range(MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS + 1));
  }
  if (text.includes('\u0000')) {
    const at = text.indexOf('\u0000');
    return capDiagnostic('document/binary', 'This file contains NUL bytes: it looks binary, not YAML.', range(at, at + 1));
  }
  const deep = nestingOverflow(text);
  if (deep >= 0) {
    return capDiagnostic('document/too-deep', `Nesting here goes deeper than ${MAX_NESTING_COLUMNS} levels; a training config needs about 5.`, range(deep, deep + 1));
  }
  for (let line = 0; line < starts.length; line++) {
    const end = line + 1 < starts.length ? starts[line + 1] : text.length;
    if (end - starts[line] > MAX_LINE_CHARS) {
      return capDiagnostic('document/line-too-long',
        `Line ${line + 1} has over ${MAX_LINE_CHARS.toLocaleString('en-US')} characters; a training config's lines are short, so this file is not checked.`,
        range(starts[line] + MAX_LINE_CHARS, starts[line] + MAX_LINE_CHARS + 1));
    }
  }
  return undefined;
}

/** yaml's errors and warnings as diagnostics, at most MAX_SYNTAX_DIAGNOSTICS and one line for the rest. */
function syntaxDiagnostics(yamlDoc: Document.Parsed, positions: TextPositions): Diagnostic[] {
  const { range } = positions;
  const problems = [...yamlDoc.errors, ...yamlDoc.warnings];
  const out = problems.slice(0, MAX_SYNTAX_DIAGNOSTICS).map((e): Diagnostic => {
    const [start, end] = e.pos;
    return {
      severity: e.name === 'YAMLWarning' ? 'warning' : 'error',
      code: YAML_CODES[e.code] ?? 'yaml/syntax',
      message: cleanYamlMessage(e.message),
      path: '',
      range: range(start, Math.max(end, start + 1)),
    };
  });
  if (problems.length > MAX_SYNTAX_DIAGNOSTICS) {
    const [start] = problems[MAX_SYNTAX_DIAGNOSTICS].pos;
    out.push(capDiagnostic('yaml/too-many-errors',
      `${(problems.length - MAX_SYNTAX_DIAGNOSTICS).toLocaleString('en-US')} more YAML syntax errors from here on are not shown; fix the ones above first.`,
      range(start, start + 1)));
  }
  return out;
}

/**
 * Walks yaml's AST into a plain value (undefined for an empty document), recording every key and value it reaches in
 * the source map and duplicate keys and caps hit as diagnostics. Below an alias nothing is recorded: those values
 * have no text of their own, and nearestNode() falls back to the alias.
 */
function buildValue(yamlDoc: Document.Parsed, positions: TextPositions, map: SourceMap, diagnostics: Diagnostic[]): unknown {
  const { range } = positions;
  let count = 0;
  let capped = false;
  const cap = (code: 'document/too-deep' | 'document/too-many-nodes', message: string, at: YamlNode) => {
    if (capped) return;
    capped = true;
    const [s, e] = at.range ?? [0, 0];
    diagnostics.push(capDiagnostic(code, message, range(s, Math.min(e, s + 1))));
  };
  const duplicateKey = (earlier: YamlNode | undefined, keyNode: YamlNode, key: string, path: string) => {
    if (!earlier?.range || !keyNode.range) return;
    diagnostics.push({
      severity: 'error',
      code: 'yaml/duplicate-key',
      message: `\`${key}\` is already set on line ${positions.positionAt(earlier.range[0]).line + 1}; this later value wins.`,
      path,
      range: range(keyNode.range[0], keyNode.range[1]),
    });
  };
  const mapping = (items: unknown[], path: string, depth: number, viaAlias: boolean, aliasSeen: Set<YamlNode>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const keyAt = new Map<string, YamlNode>();
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode) : '';
      const childPath = joinPath(path, key);
      const valueNode = pair.value as YamlNode | null;
      if (!viaAlias && keyNode?.range) {
        duplicateKey(keyAt.get(key), keyNode, key, childPath);
        keyAt.set(key, keyNode);
        const [ks, ke] = keyNode.range;
        // `key:` with no value: the value is an empty span just after the colon.
        const [vs, ve] = valueNode?.range && valueNode.range[1] > valueNode.range[0] ? valueNode.range : [ke + 1, ke + 1];
        map.add(childPath, ks, ke, vs, ve);
      }
      const v = build(valueNode, childPath, depth + 1, viaAlias, aliasSeen);
      // `__proto__` must stay data, not reach the prototype setter.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  };
  const sequence = (items: unknown[], path: string, depth: number, viaAlias: boolean, aliasSeen: Set<YamlNode>): unknown[] => {
    const out: unknown[] = [];
    items.forEach((item, i) => {
      const childPath = joinPath(path, i);
      const itemNode = item as YamlNode | null;
      if (!viaAlias && itemNode?.range) map.add(childPath, -1, -1, itemNode.range[0], itemNode.range[1]);
      out.push(build(itemNode, childPath, depth + 1, viaAlias, aliasSeen));
    });
    return out;
  };
  const build = (node: YamlNode | null | undefined, path: string, depth: number, viaAlias: boolean, aliasSeen: Set<YamlNode>): unknown => {
    if (!node) return null;
    if (++count > MAX_NODES) {
      cap('document/too-many-nodes', `This document expands to more than ${MAX_NODES.toLocaleString('en-US')} values (aliases included); the rest is ignored.`, node);
      return undefined;
    }
    if (isAlias(node)) {
      const target = node.resolve(yamlDoc);
      if (!target || aliasSeen.has(target)) return null;
      return build(target, path, depth, true, new Set(aliasSeen).add(target));
    }
    if (isScalar(node)) return node.value;
    if (depth >= MAX_DEPTH) {
      cap('document/too-deep', `Nesting here goes deeper than ${MAX_DEPTH} levels; a training config needs about 5.`, node);
      return undefined;
    }
    if (isMap(node)) return mapping(node.items, path, depth, viaAlias, aliasSeen);
    if (isSeq(node)) return sequence(node.items, path, depth, viaAlias, aliasSeen);
    return null;
  };

  const root = yamlDoc.contents as YamlNode | null;
  if (!root || !root.range) return undefined;
  map.add('', -1, -1, root.range[0], root.range[1]);
  const value = build(root, '', 0, false, new Set());
  return isScalar(root) && root.value === null ? undefined : value;
}

/** YAML text → value, source map and diagnostics: caps on the raw text, yaml's parse, then one walk of its AST. */
export function readYaml(text: string, options: YamlParseOptions = {}): YamlReading {
  const positions = textPositions(text);
  const map = new SourceMap(positions);
  const reading: YamlReading = { text, value: undefined, positions, map, diagnostics: [] };
  const refused = refusal(text, positions);
  if (refused) {
    reading.diagnostics.push(refused);
    return reading;
  }
  let yamlDoc: Document.Parsed;
  try {
    yamlDoc = parseYamlText(text, positions.starts, options.joinComments);
  } catch (e) {
    // yaml reports problems as errors, not exceptions; this is the last line of defence.
    reading.diagnostics.push({ severity: 'error', code: 'yaml/syntax', message: `The YAML parser failed: ${String((e as Error)?.message ?? e)}`, path: '', range: positions.range(0, 0) });
    return reading;
  }
  reading.diagnostics.push(...syntaxDiagnostics(yamlDoc, positions));
  reading.value = buildValue(yamlDoc, positions, map, reading.diagnostics);
  return reading;
}
