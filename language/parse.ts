/**
 * YAML text → plain value + source map (dotted path → key/value ranges), in one pass over yaml's AST.
 * Never throws: syntax errors, duplicate keys and hostile input become diagnostics. Every cap below is
 * checked before or while walking, so a 10 MB file, 10,000-deep nesting or an alias bomb stays bounded.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument as parseYaml, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic, Position, Range } from './diagnostics';

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

export interface NodeRanges {
  key?: Range;
  value: Range;
}

export interface ParsedDocument {
  text: string;
  /** Plain JS value; undefined for an empty document or one refused by a cap. */
  value: unknown;
  /** By dotted path: '' root, 'parallelism.pipeline', array items 'precision.fp8.high_precision.0'. */
  nodes: Map<string, NodeRanges>;
  /** YAML syntax errors, duplicate keys, caps hit. */
  diagnostics: Diagnostic[];
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  /** The innermost node whose key or value contains the position (ends inclusive, for a cursor after a value). */
  pathAt(position: Position): { path: string; on: 'key' | 'value' } | undefined;
}

interface Spans {
  path: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** Offsets of every line start; VS Code breaks lines at \n, \r\n and a lone \r. */
function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The common case, at indexOf's speed.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function joinPath(parent: string, key: string | number): string {
  return parent === '' ? String(key) : `${parent}.${key}`;
}

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

export interface ParseOptions {
  /**
   * For tests. Runs of comment lines are joined before parsing when there are enough of them to pay off (a speed-up
   * with identical results); true joins even a single pair, false parses the text as written.
   */
  joinComments?: boolean;
}

export function parseDocument(text: string, options: ParseOptions = {}): ParsedDocument {
  const starts = lineStarts(text);
  /** The line found last: the walk asks for positions in text order, mostly on the same or the next line. */
  let hint = 0;
  const positionAt = (offset: number): Position => {
    const o = Math.max(0, Math.min(text.length, Math.floor(offset) || 0));
    let lo = 0;
    let hi = starts.length - 1;
    if (starts[hint] <= o) {
      if (hint === hi || starts[hint + 1] > o) hi = hint;
      else if (hint + 1 === hi || starts[hint + 2] > o) hi = hint + 1;
      lo = hint;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    hint = lo;
    // An offset inside a line break (between \r and \n) belongs at the end of the line's text, as in the editor.
    return { line: lo, character: Math.min(o, contentEnd(lo)) - starts[lo] };
  };
  /** Offset where line `line`'s text ends, before its line break. */
  const contentEnd = (line: number): number => {
    let end = line + 1 < starts.length ? starts[line + 1] : text.length;
    while (end > starts[line] && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
    return end;
  };
  const offsetAt = (p: Position): number => {
    if (p.line < 0) return 0;
    if (p.line >= starts.length) return text.length;
    return Math.max(starts[p.line], Math.min(contentEnd(p.line), starts[p.line] + Math.max(0, p.character)));
  };
  const range = (start: number, end: number): Range => ({ start: positionAt(start), end: positionAt(Math.max(start, end)) });

  const nodes = new Map<string, NodeRanges>();
  const spans: Spans[] = [];
  const diagnostics: Diagnostic[] = [];
  const pathAt = (p: Position) => {
    const o = offsetAt(p);
    let best: Spans | undefined;
    let on: 'key' | 'value' = 'value';
    for (const s of spans) {
      const inKey = s.keyStart >= 0 && o >= s.keyStart && o <= s.keyEnd;
      const inValue = o >= s.valueStart && o <= s.valueEnd;
      if (!inKey && !inValue) continue;
      // The narrowest containing span is the innermost node (a key beats the map that contains it).
      const width = inKey ? s.keyEnd - s.keyStart : s.valueEnd - s.valueStart;
      const bestWidth = best ? (on === 'key' ? best.keyEnd - best.keyStart : best.valueEnd - best.valueStart) : Infinity;
      if (width <= bestWidth) { best = s; on = inKey ? 'key' : 'value'; }
    }
    return best ? { path: best.path, on } : undefined;
  };
  const doc: ParsedDocument = { text, value: undefined, nodes, diagnostics, positionAt, offsetAt, pathAt };

  if (text.length > MAX_DOCUMENT_CHARS) {
    // Point at where the cap is crossed, not at the whole file.
    diagnostics.push({
      severity: 'error',
      code: 'document/too-large',
      message: `This file has ${text.length.toLocaleString('en-US')} characters; configs over ${MAX_DOCUMENT_CHARS.toLocaleString('en-US')} are not checked.`,
      path: '',
      range: range(MAX_DOCUMENT_CHARS, MAX_DOCUMENT_CHARS + 1),
    });
    return doc;
  }
  if (text.includes('\u0000')) {
    const at = text.indexOf('\u0000');
    diagnostics.push({
      severity: 'error',
      code: 'document/binary',
      message: 'This file contains NUL bytes: it looks binary, not YAML.',
      path: '',
      range: range(at, at + 1),
    });
    return doc;
  }
  const deep = nestingOverflow(text);
  if (deep >= 0) {
    diagnostics.push({
      severity: 'error',
      code: 'document/too-deep',
      message: `Nesting here goes deeper than ${MAX_NESTING_COLUMNS} levels; a training config needs about 5.`,
      path: '',
      range: range(deep, deep + 1),
    });
    return doc;
  }

  for (let line = 0; line < starts.length; line++) {
    const end = line + 1 < starts.length ? starts[line + 1] : text.length;
    if (end - starts[line] > MAX_LINE_CHARS) {
      diagnostics.push({
        severity: 'error',
        code: 'document/line-too-long',
        message: `Line ${line + 1} has over ${MAX_LINE_CHARS.toLocaleString('en-US')} characters; a training config's lines are short, so this file is not checked.`,
        path: '',
        range: range(starts[line] + MAX_LINE_CHARS, starts[line] + MAX_LINE_CHARS + 1),
      });
      return doc;
    }
  }
  let yamlDoc;
  try {
    yamlDoc = parseYamlText(text, starts, options.joinComments);
  } catch (e) {
    // yaml reports problems as errors, not exceptions; this is the last line of defence.
    diagnostics.push({ severity: 'error', code: 'yaml/syntax', message: `The YAML parser failed: ${String((e as Error)?.message ?? e)}`, path: '', range: range(0, 0) });
    return doc;
  }
  const problems = [...yamlDoc.errors, ...yamlDoc.warnings];
  for (const e of problems.slice(0, MAX_SYNTAX_DIAGNOSTICS)) {
    const [start, end] = e.pos;
    diagnostics.push({
      severity: e.name === 'YAMLWarning' ? 'warning' : 'error',
      code: YAML_CODES[e.code] ?? 'yaml/syntax',
      message: cleanYamlMessage(e.message),
      path: '',
      range: range(start, Math.max(end, start + 1)),
    });
  }

  if (problems.length > MAX_SYNTAX_DIAGNOSTICS) {
    const [start] = problems[MAX_SYNTAX_DIAGNOSTICS].pos;
    diagnostics.push({
      severity: 'error',
      code: 'yaml/too-many-errors',
      message: `${(problems.length - MAX_SYNTAX_DIAGNOSTICS).toLocaleString('en-US')} more YAML syntax errors from here on are not shown; fix the ones above first.`,
      path: '',
      range: range(start, start + 1),
    });
  }

  let count = 0;
  let capped = false;
  const cap = (code: 'document/too-deep' | 'document/too-many-nodes', message: string, at: YamlNode) => {
    if (capped) return;
    capped = true;
    const [s, e] = at.range ?? [0, 0];
    diagnostics.push({ severity: 'error', code, message, path: '', range: range(s, Math.min(e, s + 1)) });
  };

  /**
   * Builds the value of `node` and records ranges for it and its children. Below an alias nothing is recorded:
   * those values have no text of their own, and nearestNode() falls back to the alias.
   */
  const build = (node: YamlNode | null | undefined, path: string, depth: number, viaAlias: boolean, aliasSeen: Set<YamlNode>): unknown => {
    if (!node) return null;
    if (++count > MAX_NODES) {
      cap('document/too-many-nodes', `This document expands to more than ${MAX_NODES.toLocaleString('en-US')} values (aliases included); the rest is ignored.`, node);
      return undefined;
    }
    if (isAlias(node)) {
      const target = node.resolve(yamlDoc);
      if (!target || aliasSeen.has(target)) return null;
      const seen = new Set(aliasSeen).add(target);
      return build(target, path, depth, true, seen);
    }
    if (isScalar(node)) return node.value;
    if (depth >= MAX_DEPTH) {
      cap('document/too-deep', `Nesting here goes deeper than ${MAX_DEPTH} levels; a training config needs about 5.`, node);
      return undefined;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const keyAt = new Map<string, YamlNode>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode) : '';
        const childPath = joinPath(path, key);
        const valueNode = pair.value as YamlNode | null;
        if (!viaAlias && keyNode?.range) {
          const earlier = keyAt.get(key);
          if (earlier?.range) {
            diagnostics.push({
              severity: 'error',
              code: 'yaml/duplicate-key',
              message: `\`${key}\` is already set on line ${positionAt(earlier.range[0]).line + 1}; this later value wins.`,
              path: childPath,
              range: range(keyNode.range[0], keyNode.range[1]),
            });
          }
          keyAt.set(key, keyNode);
          const [ks, ke] = keyNode.range;
          // `key:` with no value: the value is an empty span just after the colon.
          const [vs, ve] = valueNode?.range && valueNode.range[1] > valueNode.range[0] ? valueNode.range : [ke + 1, ke + 1];
          nodes.set(childPath, { key: range(ks, ke), value: range(vs, ve) });
          spans.push({ path: childPath, keyStart: ks, keyEnd: ke, valueStart: vs, valueEnd: ve });
        }
        const v = build(valueNode, childPath, depth + 1, viaAlias, aliasSeen);
        // `__proto__` must stay data, not reach the prototype setter.
        if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
        else out[key] = v;
      }
      return out;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        const childPath = joinPath(path, i);
        const itemNode = item as YamlNode | null;
        if (!viaAlias && itemNode?.range) {
          const [vs, ve] = itemNode.range;
          nodes.set(childPath, { value: range(vs, ve) });
          spans.push({ path: childPath, keyStart: -1, keyEnd: -1, valueStart: vs, valueEnd: ve });
        }
        out.push(build(itemNode, childPath, depth + 1, viaAlias, aliasSeen));
      });
      return out;
    }
    return null;
  };

  const root = yamlDoc.contents as YamlNode | null;
  if (root && root.range) {
    nodes.set('', { value: range(root.range[0], root.range[1]) });
    spans.push({ path: '', keyStart: -1, keyEnd: -1, valueStart: root.range[0], valueEnd: root.range[1] });
    const value = build(root, '', 0, false, new Set());
    doc.value = isScalar(root) && root.value === null ? undefined : value;
  }
  return doc;
}

/** The ranges of `path`, or of its nearest recorded ancestor (values reached through an alias, missing keys). */
export function nearestNode(doc: ParsedDocument, path: string): { path: string; ranges: NodeRanges } | undefined {
  let p = path;
  for (;;) {
    const ranges = doc.nodes.get(p);
    if (ranges) return { path: p, ranges };
    if (p === '') return undefined;
    const dot = p.lastIndexOf('.');
    p = dot < 0 ? '' : p.slice(0, dot);
  }
}
