/**
 * `# tcs: cluster.gpu=h100-sxm cluster.nodes=64` — what a file cannot say (the cluster, for most formats), written
 * by the user as a comment in the file itself. Read in any format whose comments start with `#`; a value the file
 * already gives is not overridden (a disagreement is a warning).
 */
import { getPath, type Collector } from './source';

const LINE = /^[ \t]*#[ \t]*tcs:(.*)$/gm;
const PAIR = /([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)=("[^"]*"|\S+)/g;
/** Directive lines read; a real file has one or two. */
const MAX_DIRECTIVES = 64;

export const DIRECTIVE_HINT = 'add a comment line such as `# tcs: cluster.gpu=h100-sxm cluster.nodes=64 cluster.gpus_per_node=8`';

function scalar(raw: string): unknown {
  if (raw.startsWith('"')) return raw.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

export function readDirectives(text: string, c: Collector): void {
  LINE.lastIndex = 0;
  let count = 0;
  for (let m = LINE.exec(text); m && count < MAX_DIRECTIVES; m = LINE.exec(text), count++) {
    const bodyStart = m.index + m[0].length - m[1].length;
    PAIR.lastIndex = 0;
    for (let p = PAIR.exec(m[1]); p; p = PAIR.exec(m[1])) {
      const [all, path, raw] = p;
      const keyStart = bodyStart + p.index;
      const valueStart = keyStart + path.length + 1;
      const value = scalar(raw);
      const existing = c.origins.get(path);
      if (existing && !existing.implicit) {
        if (String(value) !== String(getPath(c.value, path))) {
          c.report('warning', 'formats/directive-conflict', `\`# tcs: ${path}=${raw}\` disagrees with \`${existing.key}\` in this file, which is kept.`, { start: keyStart, end: keyStart + all.length }, path);
        }
        continue;
      }
      c.set(path, value, {
        key: `# tcs: ${path}`,
        keyStart,
        keyEnd: keyStart + path.length,
        valueStart,
        valueEnd: valueStart + raw.length,
        write: (v) => (typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)),
      });
    }
  }
}


/** A directive's value for one path, for readers that need it before the file's values are mapped (GPUs per node). */
export function directiveNumber(text: string, path: string): { value: number; key: string; start: number; end: number; valueStart: number; valueEnd: number } | undefined {
  LINE.lastIndex = 0;
  for (let m = LINE.exec(text), count = 0; m && count < MAX_DIRECTIVES; m = LINE.exec(text), count++) {
    const bodyStart = m.index + m[0].length - m[1].length;
    PAIR.lastIndex = 0;
    for (let p = PAIR.exec(m[1]); p; p = PAIR.exec(m[1])) {
      if (p[1] !== path || !/^\d+$/.test(p[2])) continue;
      const start = bodyStart + p.index;
      return { value: Number(p[2]), key: `# tcs: ${path}`, start, end: start + path.length, valueStart: start + path.length + 1, valueEnd: start + p[0].length };
    }
  }
  return undefined;
}
