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

/**
 * A CliIO that is its own transcript (`io.stdout`, `io.stderr`), for tests that pass it straight to a command.
 * Files not in `files` are read by `fallback` when given (e.g. the bundled examples), else are missing.
 */
export function transcriptIO(files: Record<string, string> = {}, fallback?: (path: string) => string): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) { io.stdout += t; },
    err(t: string) { io.stderr += t; },
    readFile(path: string) {
      if (path in files) return files[path];
      if (fallback) return fallback(path);
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
  };
  return io;
}
