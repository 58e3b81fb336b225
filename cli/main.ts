/** `tcs`: the terminal adapter. Builds the real CliIO and dispatches to a subcommand. */
import { readFileSync, writeFileSync } from 'node:fs';
import { checkCommand } from './check';
import { exportCommand } from './export';
import { importCommand } from './import';
import type { CliIO, Command } from './io';
import { scheduleCommand } from './schedule';
import { searchCommand } from './search';
import { simulateCommand } from './simulate';

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  check: { run: checkCommand, summary: 'check FILE...      validate training configs (--json for machine output)' },
  simulate: { run: simulateCommand, summary: 'simulate FILE      GPU-hours, memory and throughput of a config' },
  import: { run: importCommand, summary: 'import FILE...     Megatron-LM / torchtitan / NeMo / DeepSpeed / HF files → a training config' },
  export: { run: exportCommand, summary: 'export --to T FILE  a training config → Megatron-LM / torchtitan (TOML; main: Python or JSON) / NeMo launch config' },
  schedule: { run: scheduleCommand, summary: 'schedule ...       print a pipeline schedule' },
  search: { run: searchCommand, summary: 'search FILE        the cheapest layouts that fit: Pareto frontier and top K' },
  // Runs until the editor sends `exit` (or closes stdin); 0 here is the exit code only if nothing else sets one.
  // Loaded on use: the protocol library would otherwise add its start-up to every `tcs check`.
  lsp: { run: (argv, io) => (require('../server/main') as typeof import('../server/main')).runLanguageServer(argv, io.err) ?? 0, summary: 'lsp [--stdio]      the language server for any LSP editor (Neovim, Helix, Emacs, …)' },
};

export const USAGE = `usage: tcs <command> [options]

commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.summary}`)
  .join('\n')}

Run \`tcs <command> --help\` for a command's options.`;

export function main(argv: string[], io: CliIO): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE + '\n');
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`tcs: unknown command \`${name}\`\n${USAGE}\n`);
    return 2;
  }
  return command.run(rest, io);
}

if (require.main === module) {
  // `tcs check … | head` closes the pipe early: that is the reader's choice, not a failure worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const io: CliIO = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
  };
  process.exitCode = main(process.argv.slice(2), io);
}
