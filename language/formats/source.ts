/**
 * What every non-YAML front end shares: offsets ↔ positions, a `Collector` that builds the config value while
 * recording, for each config path, where it came from (the flag or key, its line, its ranges), and the
 * `SourceDocument` assembled from both. Pure and bounded: nothing here loops over more than the text.
 */
import type { Diagnostic, Fix, Position, Range, Severity, TextEdit } from '../diagnostics';
import { textPositions } from './text';
import type { EditWriter, FormatId, NodeRanges, SourceDocument } from './types';

/** Files named *.train.yaml are our own format whatever their content (a comment may quote a launch line). */
export const isTrainingConfigName = (fileName: string | undefined) => fileName !== undefined && /\.train\.ya?ml$/i.test(fileName);

/** Characters read at all; a launch script or config is a few KB (the YAML front end uses the same cap). */
export const MAX_SOURCE_CHARS = 1_048_576;

export interface TextIndex {
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  range(start: number, end: number): Range;
}

/** Offsets ↔ positions (formats/text.ts, shared with the YAML front end). */
export function textIndex(text: string): TextIndex {
  return textPositions(text);
}

/** Where one config value came from, in offsets of the original text. */
export interface Origin {
  /** The flag or key as written (`--num-layers`, `model.num_layers`, `num_hidden_layers`). */
  key: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
  /**
   * How to write a new value in place, in the file's syntax; absent when the value is derived (tokens from
   * iterations × batch × length) or implied by an absent flag, so no edit can be written there.
   */
  write?: (value: unknown) => string | undefined;
  /** The value follows from something absent (a framework default), not from text in the file. */
  implicit?: boolean;
  /** How the value was derived, when it is not copied: "--train-iters × --global-batch-size × --seq-length". */
  via?: string;
}

/** What import reports per config path: the line (1-based) and the flag or key it came from. */
export interface OriginNote {
  line: number;
  key: string;
  via?: string;
  implicit?: boolean;
}

type Obj = Record<string, unknown>;

export function setPath(root: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = root;
  for (const p of parts.slice(0, -1)) {
    if (o[p] === null || typeof o[p] !== 'object' || Array.isArray(o[p])) o[p] = {};
    o = o[p] as Obj;
  }
  o[parts[parts.length - 1]] = value;
}

export function getPath(root: unknown, path: string): unknown {
  let v = root;
  for (const p of path === '' ? [] : path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Obj)[p];
  }
  return v;
}

/** Builds a config value and its origins; the front ends' one way to say "this key came from there". */
export class Collector {
  readonly value: Obj = {};
  readonly origins = new Map<string, Origin>();
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly text: string, readonly index: TextIndex) {}

  set(path: string, value: unknown, origin: Origin): void {
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
    setPath(this.value, path, value);
    this.origins.set(path, origin);
  }

  /** Fills what the file did not say from `defaults` (the editor's cluster setting, say), marked as such. */
  fillDefaults(defaults: Record<string, unknown> | undefined, from = 'the defaults given with the file'): void {
    const walk = (v: unknown, path: string, depth: number) => {
      if (depth > 8) return;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v as Obj)) walk(x, path === '' ? k : `${path}.${k}`, depth + 1);
      } else if (path !== '' && !this.has(path)) this.set(path, v, { key: from, keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0, implicit: true, via: from });
    };
    walk(defaults, '', 0);
  }

  has(path: string): boolean {
    return getPath(this.value, path) !== undefined;
  }

  private writer?: EditWriter;
  /** Edits in the file's own syntax, from the origins recorded (read when an edit is asked for). */
  get edits(): EditWriter {
    return (this.writer ??= editWriter(this));
  }

  /** A diagnostic at an origin (or the document start); `path` is the config path it is about. */
  report(severity: Severity, code: string, message: string, at?: { start: number; end: number }, path = '', fixes: readonly Fix[] = []): void {
    const range = at ? this.index.range(at.start, at.end) : this.index.range(0, 0);
    this.diagnostics.push(fixes.length > 0 ? { severity, code, message, path, range, fixes: [...fixes] } : { severity, code, message, path, range });
  }
}

/** Where each config path came from, for import's comments. */
export function originNotes(doc: ImportedDocument): Map<string, OriginNote> {
  const out = new Map<string, OriginNote>();
  for (const [path, o] of doc.origins) {
    out.set(path, { line: doc.positionAt(o.keyStart).line + 1, key: o.key, via: o.via, implicit: o.implicit });
  }
  return out;
}

/** A SourceDocument that also keeps each value's origin (import writes them as comments). */
export interface ImportedDocument extends SourceDocument {
  origins: Map<string, Origin>;
}

export function sourceDocument(format: FormatId, text: string, c: Collector, extra: Diagnostic[] = []): ImportedDocument {
  const nodes = new Map<string, NodeRanges>();
  const spans: { path: string; ks: number; ke: number; vs: number; ve: number }[] = [];
  for (const [path, o] of c.origins) {
    if (o.implicit) continue;
    nodes.set(path, { key: c.index.range(o.keyStart, o.keyEnd), value: c.index.range(o.valueStart, o.valueEnd) });
    spans.push({ path, ks: o.keyStart, ke: o.keyEnd, vs: o.valueStart, ve: o.valueEnd });
  }
  const empty = Object.keys(c.value).length === 0;
  const pathAt = (p: Position) => {
    const at = c.index.offsetAt(p);
    let best: { path: string; on: 'key' | 'value'; width: number } | undefined;
    for (const s of spans) {
      const on = at >= s.ks && at <= s.ke ? 'key' : at >= s.vs && at <= s.ve ? 'value' : undefined;
      if (!on) continue;
      const width = on === 'key' ? s.ke - s.ks : s.ve - s.vs;
      if (!best || width < best.width) best = { path: s.path, on, width };
    }
    return best && { path: best.path, on: best.on };
  };
  const edits = c.edits;
  return {
    format,
    text,
    value: empty ? undefined : c.value,
    nodes,
    diagnostics: [...extra, ...c.diagnostics],
    positionAt: c.index.positionAt,
    offsetAt: c.index.offsetAt,
    pathAt,
    edits,
    partial: true,
    origins: c.origins,
  };
}

/** Edits in the file's own syntax: a value is rewritten where its origin wrote it; what the file lacks, as a `# tcs:` line. */
function editWriter(c: Collector): EditWriter {
  const { text } = c;
  return {
    setValue(path, value): TextEdit[] | undefined {
      const o = c.origins.get(path);
      if (!o || o.implicit) return directiveEdit(text, c.index, path, value);
      const newText = o.write?.(value);
      if (newText === undefined) return undefined;
      return [{ range: c.index.range(o.valueStart, o.valueEnd), newText }];
    },
    // Flags and framework keys are not config keys: there is no misspelt config key to rename in these files.
    renameKey: () => undefined,
    appendItems: () => undefined,
    valueText: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
    assignment(path, value) {
      const o = c.origins.get(path);
      if (!o || o.implicit) return directiveEdit(text, c.index, path, value)?.[0].newText.trim();
      const newText = o.write?.(value);
      if (newText === undefined) return undefined;
      if (o.key.startsWith('# tcs:')) return `${o.key}=${newText}`;
      // The key as written and what separates it from its value (`--flag `, `key = `, `"key": `), when adjacent;
      // a value set elsewhere (a shell variable) is named by its flag.
      const between = o.keyEnd <= o.valueStart ? text.slice(o.keyEnd, o.valueStart) : '\n';
      return /^["']?[ \t]*[:=]?[ \t]*["']?$/.test(between) ? text.slice(o.keyStart, o.valueStart) + newText : `${o.key} ${newText}`;
    },
  };
}

/**
 * What a file cannot say is written as a `# tcs: path=value` comment line (formats/directives.ts) at the top, after
 * a `#!` line; JSON has no comments, so there is no edit there.
 */
function directiveEdit(text: string, index: TextIndex, path: string, value: unknown): TextEdit[] | undefined {
  if (/^\s*[{[]/.test(text)) return undefined;
  const pairs: string[] = [];
  const walk = (v: unknown, p: string, depth: number) => {
    if (depth > 4) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v as Obj)) walk(x, `${p}.${k}`, depth + 1);
    else if (v !== undefined && !Array.isArray(v)) pairs.push(`${p}=${typeof v === 'string' && !/^[\w.-]+$/.test(v) ? JSON.stringify(v) : String(v)}`);
  };
  walk(value, path, 0);
  if (pairs.length === 0) return undefined;
  const at = text.startsWith('#!') ? (text.indexOf('\n') < 0 ? text.length : text.indexOf('\n') + 1) : 0;
  const prefix = at === text.length && at > 0 ? '\n' : '';
  return [{ range: index.range(at, at), newText: `${prefix}# tcs: ${pairs.join(' ')}\n` }];
}

/** The first refusal every front end applies before reading: too large or binary. */
export function refuse(text: string, index: TextIndex, what: string): Diagnostic | undefined {
  if (text.length > MAX_SOURCE_CHARS) {
    return {
      severity: 'error',
      code: 'document/too-large',
      message: `This file has ${text.length.toLocaleString('en-US')} characters; ${what} over ${MAX_SOURCE_CHARS.toLocaleString('en-US')} are not read.`,
      path: '',
      range: index.range(MAX_SOURCE_CHARS, MAX_SOURCE_CHARS + 1),
    };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { severity: 'error', code: 'document/binary', message: `This file contains NUL bytes: it looks binary, not ${what}.`, path: '', range: index.range(nul, nul + 1) };
  }
  return undefined;
}

/** A number written as an integer literal, else undefined (no expressions, no units). */
export function intOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+]?\d{1,15}$/.test(s.trim())) return undefined;
  return Number(s.trim());
}
