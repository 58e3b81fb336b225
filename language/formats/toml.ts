/**
 * A TOML reader that keeps where every key and value is written (torchtitan ≤ v0.2.x configs are TOML).
 * Written here rather than taken from npm because diagnostics need each key's range: smol-toml and @iarna/toml
 * return plain values only, and toml-eslint-parser builds an ESLint AST with its own dependencies for far more
 * than this needs. It reads TOML 1.0's tables, arrays of tables, dotted and quoted keys, all four string forms,
 * numbers, booleans, arrays and inline tables; dates are kept as text. Bounded: one pass, nesting capped, stops at
 * the first error (a TOML file with one error cannot be read reliably past it).
 */

export const MAX_TOML_DEPTH = 64;

export interface TomlSpan {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface TomlResult {
  value: Record<string, unknown>;
  spans: Map<string, TomlSpan>;
  error?: { at: number; message: string };
}

type Table = Record<string, unknown>;

export function parseToml(text: string): TomlResult {
  const root: Table = {};
  const spans = new Map<string, TomlSpan>();
  const defined = new Set<string>();
  let i = 0;
  const n = text.length;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { at });
  };
  const blank = () => { while (i < n && (text[i] === ' ' || text[i] === '\t')) i++; };
  const comment = () => { if (text[i] === '#') while (i < n && text[i] !== '\n') i++; };
  const eol = () => {
    blank();
    comment();
    if (i < n && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) fail(`unexpected \`${text[i]}\`; expected the end of the line`);
  };
  const skipAll = () => {
    for (;;) {
      blank();
      comment();
      if (text[i] === '\n' || text[i] === '\r') { i++; continue; }
      return;
    }
  };
  const basic = (): string => {
    const start = i;
    const multi = text.startsWith('"""', i);
    i += multi ? 3 : 1;
    if (multi && text[i] === '\n') i++;
    let out = '';
    while (i < n) {
      const c = text[i];
      if (multi ? text.startsWith('"""', i) : c === '"') {
        i += multi ? 3 : 1;
        return out;
      }
      if (!multi && c === '\n') fail('this string is never closed on its line', start);
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
        if (e in map) { out += map[e]; i += 2; continue; }
        if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail('a bad unicode escape');
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
          continue;
        }
        if (multi && (e === '\n' || e === ' ' || e === '\r')) {
          i++;
          while (i < n && /\s/.test(text[i])) i++;
          continue;
        }
        fail('a bad escape in a string');
      }
      out += c;
      i++;
    }
    return fail('this string is never closed', start);
  };
  const literal = (): string => {
    const start = i;
    const multi = text.startsWith("'''", i);
    i += multi ? 3 : 1;
    if (multi && text[i] === '\n') i++;
    const close = text.indexOf(multi ? "'''" : "'", i);
    const nl = text.indexOf('\n', i);
    if (close < 0 || (!multi && nl >= 0 && nl < close)) fail('this string is never closed', start);
    const out = text.slice(i, close);
    i = close + (multi ? 3 : 1);
    return out;
  };
  const key = (): { parts: string[]; start: number; end: number } => {
    const start = i;
    const parts: string[] = [];
    for (;;) {
      blank();
      if (text[i] === '"') parts.push(basic());
      else if (text[i] === "'") parts.push(literal());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256));
        if (!m) fail(i >= n ? 'the file ends where a key should be' : `unexpected \`${text[i]}\` where a key should be`);
        parts.push(m![0]);
        i += m![0].length;
      }
      const end = i;
      blank();
      if (text[i] === '.') { i++; continue; }
      return { parts, start, end };
    }
  };
  const value = (path: string, depth: number): unknown => {
    if (depth > MAX_TOML_DEPTH) fail(`nesting deeper than ${MAX_TOML_DEPTH} levels`);
    const c = text[i];
    if (c === '"') return basic();
    if (c === "'") return literal();
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      for (;;) {
        skipAll();
        if (text[i] === ']') { i++; return out; }
        const s = i;
        const itemPath = `${path}.${out.length}`;
        out.push(value(itemPath, depth + 1));
        spans.set(itemPath, { keyStart: -1, keyEnd: -1, valueStart: s, valueEnd: i });
        skipAll();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return out; }
        fail(i >= n ? 'this array is never closed' : 'expected `,` or `]` in the array');
      }
    }
    if (c === '{') {
      i++;
      const out: Table = {};
      blank();
      if (text[i] === '}') { i++; return out; }
      for (;;) {
        blank();
        assign(out, path, depth + 1);
        blank();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return out; }
        fail('expected `,` or `}` in the inline table');
      }
    }
    const m = /^(?:true|false|[+-]?(?:inf|nan)|0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?|\d{2}:\d{2}:\d{2}(?:\.\d+)?|[+-]?\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d[\d_]*)?)/.exec(text.slice(i, i + 128));
    if (!m) fail(i >= n || text[i] === '\n' ? 'a value is missing' : `unexpected \`${text[i]}\` where a value should be`);
    const t = m![0];
    i += t.length;
    if (t === 'true' || t === 'false') return t === 'true';
    if (/inf|nan/.test(t)) return t.includes('nan') ? NaN : t.startsWith('-') ? -Infinity : Infinity;
    if (/^0[xob]/.test(t)) return parseInt(t.slice(2).replace(/_/g, ''), t[1] === 'x' ? 16 : t[1] === 'o' ? 8 : 2);
    if (/^\d{4}-|^\d{2}:/.test(t)) return t;
    return Number(t.replace(/_/g, ''));
  };
  const descend = (table: Table, parts: string[], base: string, start: number): { table: Table; path: string } => {
    let t = table;
    let path = base;
    for (const p of parts) {
      path = path === '' ? p : `${path}.${p}`;
      let next = t[p];
      if (next === undefined) {
        next = {};
        if (p === '__proto__') Object.defineProperty(t, p, { value: next, enumerable: true, writable: true, configurable: true });
        else t[p] = next;
      } else if (Array.isArray(next)) {
        next = next[next.length - 1];
        path = `${path}.${(t[p] as unknown[]).length - 1}`;
      }
      if (next === null || typeof next !== 'object' || Array.isArray(next)) fail(`\`${path}\` is already a value, not a table`, start);
      t = next as Table;
    }
    return { table: t, path };
  };
  const assign = (table: Table, base: string, depth: number) => {
    const k = key();
    if (text[i] !== '=') fail('expected `=` after the key');
    i++;
    blank();
    const { table: t, path: parent } = descend(table, k.parts.slice(0, -1), base, k.start);
    const last = k.parts[k.parts.length - 1];
    const path = parent === '' ? last : `${parent}.${last}`;
    if (Object.prototype.hasOwnProperty.call(t, last)) fail(`\`${path}\` is set twice`, k.start);
    const vs = i;
    const v = value(path, depth);
    if (last === '__proto__') Object.defineProperty(t, last, { value: v, enumerable: true, writable: true, configurable: true });
    else t[last] = v;
    spans.set(path, { keyStart: k.start, keyEnd: k.end, valueStart: vs, valueEnd: i });
  };
  let current: Table = root;
  let currentPath = '';
  try {
    for (;;) {
      skipAll();
      if (i >= n) break;
      if (text[i] === '[') {
        const array = text[i + 1] === '[';
        const start = i;
        i += array ? 2 : 1;
        const k = key();
        if (!text.startsWith(array ? ']]' : ']', i)) fail(`expected \`${array ? ']]' : ']'}\` to close the table header`);
        i += array ? 2 : 1;
        eol();
        const { table: parent, path: parentPath } = descend(root, k.parts.slice(0, -1), '', start);
        const last = k.parts[k.parts.length - 1];
        const path = parentPath === '' ? last : `${parentPath}.${last}`;
        if (array) {
          const list = (parent[last] ??= []) as unknown;
          if (!Array.isArray(list)) fail(`\`${path}\` is already a table`, start);
          const t: Table = {};
          (list as unknown[]).push(t);
          current = t;
          currentPath = `${path}.${(list as unknown[]).length - 1}`;
        } else {
          if (defined.has(path)) fail(`the table [${path}] is defined twice`, start);
          defined.add(path);
          const existing = parent[last];
          if (existing !== undefined && (existing === null || typeof existing !== 'object' || Array.isArray(existing))) fail(`\`${path}\` is already a value`, start);
          const t = (existing as Table | undefined) ?? {};
          if (last === '__proto__') Object.defineProperty(parent, last, { value: t, enumerable: true, writable: true, configurable: true });
          else parent[last] = t;
          current = t;
          currentPath = path;
        }
        spans.set(currentPath, { keyStart: start, keyEnd: i, valueStart: start, valueEnd: i });
        continue;
      }
      assign(current, currentPath, 0);
      eol();
    }
    return { value: root, spans };
  } catch (e) {
    const err = e as Error & { at?: number };
    return { value: root, spans, error: { at: err.at ?? i, message: err.message } };
  }
}

/** A TOML value as written in a file: integers, floats, booleans, strings and arrays of them. */
export function tomlValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  return JSON.stringify(String(v));
}
