/** Deterministic text mutations of a config: what half-typed and broken configs look like (used by the fuzz tests). */

export type Mutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'number'; line: number; value: string }
  | { kind: 'huge'; line: number; length: number; char: string }
  | { kind: 'indent'; line: number; delta: number }
  | { kind: 'tab'; line: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string };

/** `key: value  # comment` → [prefix through ': ', value, rest]; undefined for lines without a scalar value. */
export function splitValue(line: string): [string, string, string] | undefined {
  const m = /^(\s*(?:- )?[A-Za-z_][\w]*:\s+)([^#\s{[][^#]*?)(\s*(?:#.*)?)$/.exec(line);
  return m ? [m[1], m[2], m[3]] : undefined;
}

export function mutate(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const n = Math.max(1, lines.length);
    switch (m.kind) {
      case 'delete':
        lines.splice(m.line % n, 1);
        break;
      case 'duplicate':
        lines.splice(m.line % n, 0, lines[m.line % n] ?? '');
        break;
      case 'swap': {
        const a = splitValue(lines[m.a % n] ?? '');
        const b = splitValue(lines[m.b % n] ?? '');
        if (a && b) {
          lines[m.a % n] = a[0] + b[1] + a[2];
          lines[m.b % n] = b[0] + a[1] + b[2];
        }
        break;
      }
      case 'number': {
        // The n-th line with a scalar value gets the number.
        const candidates = lines.map((l, i) => (splitValue(l) ? i : -1)).filter((i) => i >= 0);
        if (candidates.length) {
          const i = candidates[m.line % candidates.length];
          const parts = splitValue(lines[i])!;
          lines[i] = parts[0] + m.value + parts[2];
        }
        break;
      }
      case 'huge': {
        const candidates = lines.map((l, i) => (splitValue(l) ? i : -1)).filter((i) => i >= 0);
        if (candidates.length) {
          const i = candidates[m.line % candidates.length];
          const parts = splitValue(lines[i])!;
          lines[i] = parts[0] + m.char.repeat(m.length) + parts[2];
        }
        break;
      }
      case 'indent': {
        const i = m.line % n;
        const line = lines[i] ?? '';
        lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + line : line.replace(new RegExp(`^ {0,${-m.delta}}`), '');
        break;
      }
      case 'tab':
        lines[m.line % n] = '\t' + (lines[m.line % n] ?? '').trimStart();
        break;
      case 'truncate': {
        const joined = lines.join('\n');
        lines = joined.slice(0, m.at % (joined.length + 1)).split('\n');
        break;
      }
      case 'insert': {
        const joined = lines.join('\n');
        const at = m.at % (joined.length + 1);
        lines = (joined.slice(0, at) + m.text + joined.slice(at)).split('\n');
        break;
      }
    }
  }
  return lines.join('\n');
}

