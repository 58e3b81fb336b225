/**
 * A JSON reader that keeps where every value is written (HF config.json, DeepSpeed JSON and torchtitan's dump are
 * read through it). JSON.parse gives no positions; this is a strict recursive-descent reader with a depth cap
 * and a value cap, so hostile nesting is a diagnostic, not a stack overflow.
 */

export const MAX_JSON_DEPTH = 64;
export const MAX_JSON_VALUES = 200_000;

export interface JsonSpan {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface JsonResult {
  value: unknown;
  /** By dotted path ('' root; array items by index). */
  spans: Map<string, JsonSpan>;
  error?: { at: number; message: string };
}

export function parseJson(text: string): JsonResult {
  const spans = new Map<string, JsonSpan>();
  let i = 0;
  let count = 0;
  const n = text.length;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { at });
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const string = (): string => {
    const start = i;
    i++;
    let out = '';
    let from = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c === 92) {
        out += text.slice(from, i);
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('a bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in map) {
          out += map[e];
          i += 2;
        } else fail('a bad escape in a string');
        from = i;
        continue;
      }
      if (c < 32) fail('a control character inside a string (is a quote missing?)');
      i++;
    }
    return fail('this string is never closed', start);
  };
  const value = (path: string, depth: number, keyStart: number, keyEnd: number): unknown => {
    if (++count > MAX_JSON_VALUES) fail(`more than ${MAX_JSON_VALUES.toLocaleString('en-US')} values`);
    ws();
    const start = i;
    const record = (v: unknown) => {
      spans.set(path, { keyStart, keyEnd, valueStart: start, valueEnd: i });
      return v;
    };
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= MAX_JSON_DEPTH) fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
      i++;
      ws();
      if (c === '{') {
        const out: Record<string, unknown> = {};
        if (text[i] === '}') { i++; return record(out); }
        for (;;) {
          ws();
          if (text[i] !== '"') fail('expected a "key"');
          const ks = i;
          const key = string();
          const ke = i;
          ws();
          if (text[i] !== ':') fail('expected `:` after the key');
          i++;
          const v = value(path === '' ? key : `${path}.${key}`, depth + 1, ks, ke);
          if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
          else out[key] = v;
          ws();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; return record(out); }
          fail('expected `,` or `}`');
        }
      }
      const out: unknown[] = [];
      if (text[i] === ']') { i++; return record(out); }
      for (;;) {
        ws();
        const s = i;
        out.push(value(path === '' ? String(out.length) : `${path}.${out.length}`, depth + 1, s, s));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return record(out); }
        fail('expected `,` or `]`');
      }
    }
    if (c === '"') return record(string());
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(i, i + 400));
    if (!m) return fail(i >= n ? 'the text ends where a value should be' : `unexpected \`${text[i]}\``);
    i += m[0].length;
    const t = m[0];
    return record(t === 'true' ? true : t === 'false' ? false : t === 'null' ? null : Number(t));
  };
  try {
    const v = value('', 0, -1, -1);
    ws();
    if (i < n) fail('unexpected text after the end of the JSON value');
    return { value: v, spans };
  } catch (e) {
    const err = e as Error & { at?: number };
    return { value: undefined, spans, error: { at: err.at ?? i, message: err.message } };
  }
}
