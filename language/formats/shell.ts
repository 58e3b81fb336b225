/**
 * A bash tokenizer for launch scripts that never runs anything. It splits the text into simple commands and words
 * (quotes, `\` line continuations, comments, here-documents), records `NAME=value` and `NAME=( … )` assignments,
 * and expands `$NAME`, `${NAME}`, `${NAME:-default}` and `"${ARR[@]}"` from those assignments only; command
 * substitution, arithmetic and unknown variables leave the word marked unknown. Every character of a word keeps the
 * offset it was written at, so a flag read through two arrays still points at its own text. Bounded: one pass over
 * the text, and expansions capped in total size.
 */

export interface Word {
  text: string;
  /** Source offset of each character, or -1 where it came from no text (an unknown expansion). */
  src: number[];
  /** Some part came from an expansion the script does not define (environment, `$(…)`, `$1`). */
  unknown: boolean;
  /** Some part is the default of `${NAME:-default}` whose NAME the script never sets (the environment may). */
  defaulted: boolean;
  /** Where the word is written in the command (for an expanded word: the reference). */
  start: number;
  end: number;
}

export interface Command {
  words: Word[];
  start: number;
}

export interface Comment {
  text: string;
  start: number;
}

export interface Script {
  commands: Command[];
  comments: Comment[];
  /** Variables as the script leaves them: each a list of words (one for a string, one per item for an array). */
  vars: Map<string, { words: Word[]; array: boolean }>;
  /** Expansion stopped at the cap, or an unterminated quote: the offset, and what. */
  problems: { at: number; message: string }[];
}

/** Characters produced by expansions in one script; real scripts expand a few KB. */
export const MAX_EXPANDED_CHARS = 2_000_000;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** `NAME=` or `NAME+=` at the offset in lastIndex (sticky: no slice of the text per word). */
const ASSIGN = /([A-Za-z_][A-Za-z0-9_]{0,127})(\+?)=/y;
const DECLARE = new Set(['export', 'declare', 'local', 'readonly', 'typeset']);
const isBlank = (c: string) => c === ' ' || c === '\t';
const isOperator = (c: string) => c === ';' || c === '&' || c === '|' || c === '\n' || c === '\r' || c === '<' || c === '>' || c === ')';

/** Appends without spreading (a spread of a long array overflows the call stack). */
function append<T>(to: T[], from: readonly T[]): void {
  for (let k = 0; k < from.length; k++) to.push(from[k]);
}

/** The range a word covers in the source: its own characters when they are all known, else where it is written. */
export function wordRange(w: Word): { start: number; end: number } {
  const known = w.src.filter((s) => s >= 0);
  if (known.length === 0) return { start: w.start, end: w.end };
  const start = Math.min(...known.slice(0, 64));
  const end = Math.max(...known.slice(-64)) + 1;
  return end - start <= w.text.length * 2 + 2 ? { start, end } : { start: w.start, end: w.end };
}

export function tokenizeShell(text: string): Script {
  const commands: Command[] = [];
  const comments: Comment[] = [];
  const vars = new Map<string, { words: Word[]; array: boolean }>();
  const problems: Script['problems'] = [];
  let expanded = 0;
  let i = 0;
  const n = text.length;

  type Field = { text: string; src: number[]; unknown: boolean; defaulted: boolean };
  const newField = (): Field => ({ text: '', src: [], unknown: false, defaulted: false });

  /** Appends a variable's value: quoted → joined into the current field; unquoted → split on blanks. */
  const expandInto = (fields: Field[], value: { words: Word[]; array: boolean } | undefined, quoted: boolean, all: boolean, defaulted = false) => {
    const cur = () => fields[fields.length - 1];
    if (!value) {
      cur().unknown = true;
      return;
    }
    const words = all || !value.array ? value.words : value.words.slice(0, 1);
    words.forEach((w, k) => {
      expanded += w.text.length;
      if (expanded > MAX_EXPANDED_CHARS) return;
      if (k > 0) {
        if (quoted && !all) {
          cur().text += ' ';
          cur().src.push(-1);
        } else fields.push(newField());
      }
      const f = cur();
      f.unknown ||= w.unknown;
      f.defaulted ||= w.defaulted || defaulted;
      if (quoted) {
        f.text += w.text;
        append(f.src, w.src);
        return;
      }
      // Field splitting of an unquoted expansion.
      let started = f.text.length > 0;
      for (let j = 0; j < w.text.length; j++) {
        const ch = w.text[j];
        if (ch === ' ' || ch === '\t' || ch === '\n') {
          if (started) {
            fields.push({ ...newField(), unknown: w.unknown, defaulted: w.defaulted || defaulted });
            started = false;
          }
          continue;
        }
        const g = cur();
        g.text += ch;
        g.src.push(w.src[j] ?? -1);
        started = true;
      }
    });
    if (expanded > MAX_EXPANDED_CHARS && !problems.some((p) => p.message.startsWith('Variable expansion'))) {
      problems.push({ at: i, message: `Variable expansion produces over ${MAX_EXPANDED_CHARS.toLocaleString('en-US')} characters; the rest is not expanded.` });
    }
  };

  /** Skips a balanced `$( … )` or `$(( … ))` starting at the `(`; returns the offset after it. */
  const skipParens = (at: number): number => {
    let depth = 0;
    for (let j = at; j < n; j++) {
      const ch = text[j];
      if (ch === '\\') j++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return j + 1;
    }
    problems.push({ at, message: 'This `$(` is never closed.' });
    return n;
  };

  /** Reads a `$…` expansion at text[i] === '$' into fields; returns the offset after it. */
  const dollar = (fields: Field[], at: number, quoted: boolean): number => {
    const next = text[at + 1];
    if (next === '(') {
      fields[fields.length - 1].unknown = true;
      return skipParens(at + 1);
    }
    if (next === '{') {
      const close = text.indexOf('}', at + 2);
      if (close < 0) {
        problems.push({ at, message: 'This `${` is never closed.' });
        fields[fields.length - 1].unknown = true;
        return n;
      }
      const inner = text.slice(at + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[(@|\*|\d+)\])?(?:(:?[-=])(.*))?$/s.exec(inner);
      if (!m) {
        fields[fields.length - 1].unknown = true;
        return close + 1;
      }
      const [, name, , index, op, fallback] = m;
      const value = vars.get(name);
      if (!value && op) {
        // `${NAME:-default}` with NAME set nowhere in the script: its default, noted as one.
        const off = at + 2 + name.length + (m[2]?.length ?? 0) + op.length;
        const src = Array.from({ length: fallback.length }, (_, k) => off + k);
        expandInto(fields, { words: [{ text: fallback, src, unknown: false, defaulted: false, start: off, end: off + fallback.length }], array: false }, quoted, false, true);
        return close + 1;
      }
      if (index !== undefined && /^\d+$/.test(index) && value) {
        const w = value.words[Number(index)];
        expandInto(fields, w ? { words: [w], array: false } : undefined, quoted, false);
      } else expandInto(fields, value, quoted, index === '@' || index === '*');
      return close + 1;
    }
    const m = NAME.exec(text.slice(at + 1, at + 65));
    if (m) {
      expandInto(fields, vars.get(m[0]), quoted, false);
      return at + 1 + m[0].length;
    }
    if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      fields[fields.length - 1].unknown = true;
      return at + 2;
    }
    // A lone `$` is itself.
    const f = fields[fields.length - 1];
    f.text += '$';
    f.src.push(at);
    return at + 1;
  };

  /** Reads one word at i (not blank, not an operator) → its fields (several when an expansion splits). */
  const readWord = (): Field[] => {
    const fields = [newField()];
    const push = (ch: string, at: number) => {
      const f = fields[fields.length - 1];
      f.text += ch;
      f.src.push(at);
    };
    while (i < n) {
      const ch = text[i];
      if (isBlank(ch) || isOperator(ch) || ch === '(') break;
      if (ch === '\\') {
        if (text[i + 1] === '\n') { i += 2; continue; }
        if (text[i + 1] === '\r' && text[i + 2] === '\n') { i += 3; continue; }
        if (i + 1 < n) push(text[i + 1], i + 1);
        i += 2;
        continue;
      }
      if (ch === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) {
          problems.push({ at: i, message: 'This single quote is never closed.' });
          i = n;
          break;
        }
        for (let j = i + 1; j < close; j++) push(text[j], j);
        i = close + 1;
        continue;
      }
      if (ch === '"') {
        const open = i;
        i++;
        while (i < n && text[i] !== '"') {
          const c = text[i];
          if (c === '\\' && i + 1 < n) {
            const e = text[i + 1];
            if (e === '\n') i += 2;
            else if ('"\\$`'.includes(e)) { push(e, i + 1); i += 2; }
            else { push(c, i); i++; }
          } else if (c === '$') i = dollar(fields, i, true);
          else if (c === '`') {
            const close = text.indexOf('`', i + 1);
            fields[fields.length - 1].unknown = true;
            i = close < 0 ? n : close + 1;
          } else { push(c, i); i++; }
        }
        if (i >= n) problems.push({ at: open, message: 'This double quote is never closed.' });
        i++;
        continue;
      }
      if (ch === '$') { i = dollar(fields, i, false); continue; }
      if (ch === '`') {
        const close = text.indexOf('`', i + 1);
        fields[fields.length - 1].unknown = true;
        if (close < 0) problems.push({ at: i, message: 'This backquote is never closed.' });
        i = close < 0 ? n : close + 1;
        continue;
      }
      push(ch, i);
      i++;
    }
    return fields;
  };

  const toWords = (fields: Field[], start: number, end: number): Word[] => {
    const out: Word[] = [];
    for (const f of fields) if (f.text !== '' || f.unknown) out.push({ text: f.text, src: f.src, unknown: f.unknown, defaulted: f.defaulted, start, end });
    return out;
  };

  let words: Word[] = [];
  let commandStart = 0;
  let prefix = true;
  let declaring = false;
  const endCommand = () => {
    if (words.length > 0) commands.push({ words, start: commandStart });
    words = [];
    prefix = true;
    declaring = false;
  };
  const heredocs: string[] = [];

  while (i < n) {
    const ch = text[i];
    if (isBlank(ch)) { i++; continue; }
    if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (ch === '#') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      comments.push({ text: text.slice(i, end).replace(/\r$/, ''), start: i });
      i = end;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      endCommand();
      i++;
      // Here-document bodies start on the next line and end at their delimiter line.
      while (heredocs.length > 0 && i < n) {
        const delimiter = heredocs.shift()!;
        for (;;) {
          let end = text.indexOf('\n', i);
          if (end < 0) end = n;
          const line = text.slice(i, end).replace(/\r$/, '');
          i = Math.min(n, end + 1);
          if (line.trim() === delimiter || i >= n) break;
        }
      }
      continue;
    }
    if (ch === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      const m = /^<<-?[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(text.slice(i, i + 80));
      if (m) {
        heredocs.push(m[2]);
        i += m[0].length;
        continue;
      }
    }
    if (isOperator(ch) || ch === '(') {
      if (ch !== '<' && ch !== '>') endCommand();
      i++;
      continue;
    }
    if (words.length === 0) commandStart = i;
    const start = i;
    // An assignment: NAME=value or NAME=( … ), before the command word.
    ASSIGN.lastIndex = i;
    const assign = prefix ? ASSIGN.exec(text) : null;
    if (assign) {
      const [all, name, plus] = assign;
      i += all.length;
      const old = plus ? vars.get(name) : undefined;
      if (text[i] === '(') {
        i++;
        const items: Word[] = [];
        while (i < n && text[i] !== ')') {
          const c = text[i];
          if (isBlank(c) || c === '\n' || c === '\r') { i++; continue; }
          if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) { i += text[i + 1] === '\r' ? 3 : 2; continue; }
          if (c === '#') {
            const end = text.indexOf('\n', i);
            comments.push({ text: text.slice(i, end < 0 ? n : end), start: i });
            i = end < 0 ? n : end;
            continue;
          }
          if (isOperator(c) || c === '(') { i++; continue; }
          const s = i;
          append(items, toWords(readWord(), s, i));
        }
        if (i >= n) problems.push({ at: start, message: `The array \`${name}=(\` is never closed.` });
        i++;
        vars.set(name, { words: [...(old?.words ?? []), ...items], array: true });
      } else {
        const s = i;
        const fields = i < n && !isBlank(text[i]) && !isOperator(text[i]) ? readWord() : [newField()];
        // An assignment's value is not split: join the fields back.
        const joined: Field = newField();
        fields.forEach((f, k) => {
          if (k > 0) { joined.text += ' '; joined.src.push(-1); }
          joined.text += f.text;
          append(joined.src, f.src);
          joined.unknown ||= f.unknown;
          joined.defaulted ||= f.defaulted;
        });
        const w: Word = { ...joined, start: s, end: i };
        if (old && !old.array) {
          const prev = old.words[0];
          vars.set(name, { words: [{ ...w, text: prev.text + w.text, src: [...prev.src, ...w.src], unknown: prev.unknown || w.unknown }], array: false });
        } else vars.set(name, { words: old?.array ? [...old.words, w] : [w], array: old?.array ?? false });
      }
      continue;
    }
    const fields = readWord();
    if (i === start) { i++; continue; }
    const ws = toWords(fields, start, i);
    // `export NAME=…`, `declare -a NAME=(…)`: the words after the builtin are assignments.
    if (words.length === 0 && ws.length === 1 && (DECLARE.has(ws[0].text) || (declaring && /^-[a-zA-Z]+$/.test(ws[0].text)))) {
      declaring = true;
      continue;
    }
    append(words, ws);
    prefix = false;
  }
  endCommand();
  return { commands, comments, vars, problems };
}
