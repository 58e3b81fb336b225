/** What a CLI subcommand may touch: its arguments and two output streams. Keeps commands testable. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Reads a file as UTF-8; the CLI's only file access. */
  readFile(path: string): string;
  /** Writes a file as UTF-8 (`-o OUT`); absent where the CLI may not write. */
  writeFile?(path: string, text: string): void;
}

/** A subcommand returns its exit code: 0 ok, 1 problems found, 2 usage error. */
export type Command = (argv: string[], io: CliIO) => number;

/** Text without a leading byte-order mark (editors write one; parsers would see it as content). */
export const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** A file's text without a byte-order mark, or undefined after saying on stderr why it cannot be read. */
export function readInput(io: CliIO, file: string): string | undefined {
  try {
    return stripBom(io.readFile(file));
  } catch (e) {
    io.err(`${file}: cannot read: ${(e as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'no such file' : String((e as Error)?.message ?? e)}\n`);
    return undefined;
  }
}
