/**
 * `tcs lsp`: starts the language server on the chosen transport. stdout carries protocol messages only: every
 * console method writes to stderr (editors show it as the server's log), and warnings reach the editor as
 * `window/logMessage` too.
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { TrainingConfigServer } from './server';
import { openTransport, parseTransport, TRANSPORT_USAGE } from './transport';

export const LSP_USAGE = `usage: tcs lsp [--stdio | --socket=PORT | --pipe=NAME]
  Runs the Training Config Studio language server (diagnostics, hover, completion, quick fixes, document symbols,
  and the trainingConfig/simulate and trainingConfig/timeline requests) for any LSP client.
${TRANSPORT_USAGE}`;

/** Nothing but the protocol may reach stdout: route every console method (ours and any library's) to stderr. */
function consoleToStderr(): void {
  const write = (...args: unknown[]) => void process.stderr.write(`${format(...args)}\n`);
  for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir'] as const) {
    (console as unknown as Record<string, unknown>)[method] = write;
  }
}

/** Starts the server; returns a usage error's exit code, or undefined once it runs (it exits on `exit` or EOF). */
export function runLanguageServer(argv: readonly string[], err: (text: string) => void): number | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    err(`${LSP_USAGE}\n`);
    return 0;
  }
  const transport = parseTransport(argv);
  if (typeof transport === 'string') {
    err(`tcs lsp: ${transport}\n${LSP_USAGE}\n`);
    return 2;
  }
  consoleToStderr();
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  const [reader, writer] = openTransport(transport, log);
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  let shutdown = false;
  const server = new TrainingConfigServer(connection, (line) => {
    log(line);
    connection.console.error(line);
  });
  connection.onShutdown(() => {
    shutdown = true;
    server.dispose();
  });
  // The editor went away without `exit`: leave too (1 unless it had asked for a shutdown, as LSP says).
  reader.onClose(() => process.exit(shutdown ? 0 : 1));
  process.on('uncaughtException', (error) => log(`tcs lsp: uncaught ${error instanceof Error ? error.stack : String(error)}`));
  process.on('unhandledRejection', (error) => log(`tcs lsp: unhandled rejection ${error instanceof Error ? error.stack : String(error)}`));
  connection.listen();
  return undefined;
}
