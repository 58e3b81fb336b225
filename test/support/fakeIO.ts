/** A CliIO over an in-memory file system, for the CLI's tests: what was printed, and what was written. */
import type { CliIO } from '../../cli/io';

export function fakeIO(files: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const written: Record<string, string> = {};
  const io: CliIO = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p];
    },
    writeFile: (p, t) => void (written[p] = t),
  };
  return { io, out: () => out.join(''), err: () => err.join(''), written };
}
