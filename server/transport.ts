/**
 * How `tcs lsp` talks to the editor. stdio by default (every editor's way); `--socket=PORT` connects to the
 * editor's listener on 127.0.0.1:PORT and `--pipe=NAME` to a local named pipe or Unix socket — both through
 * vscode-jsonrpc's own transports, loopback and local only (the server never listens and never dials out).
 *
 * On stdio, a message that is not JSON, or not a JSON-RPC 2.0 request, notification or response, is answered
 * with the JSON-RPC error (-32700 parse error, -32600 invalid request; https://www.jsonrpc.org/specification#error_object)
 * and skipped; the server reads on.
 */
import {
  createServerPipeTransport,
  createServerSocketTransport,
  StreamMessageReader,
  StreamMessageWriter,
  type Message,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';

export type TransportOption = { kind: 'stdio' } | { kind: 'socket'; port: number } | { kind: 'pipe'; name: string };

export const TRANSPORT_USAGE = `  --stdio          talk over stdin/stdout (the default)
  --socket=PORT    connect to the editor's socket on 127.0.0.1:PORT
  --pipe=NAME      connect to the editor's named pipe / Unix socket NAME`;

/** The transport the arguments ask for, or a usage error. */
export function parseTransport(argv: readonly string[]): TransportOption | string {
  let option: TransportOption = { kind: 'stdio' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--stdio') option = { kind: 'stdio' };
    else if (flag === '--socket' || flag === '--port') {
      const text = inline ?? argv[++i];
      const port = Number(text);
      if (!Number.isInteger(port) || port < 1 || port > 65535) return `--socket needs a port (1-65535), got '${text ?? ''}'`;
      option = { kind: 'socket', port };
    } else if (flag === '--pipe') {
      const name = inline ?? argv[++i];
      if (!name) return '--pipe needs a name';
      option = { kind: 'pipe', name };
    } else if (flag === '--clientProcessId') {
      // Sent by some clients (vscode-languageclient); the initialize request's processId serves the same purpose.
      if (inline === undefined) i++;
    } else return `unknown argument '${argv[i]}'`;
  }
  return option;
}

type Obj = Record<string, unknown>;
const isId = (x: unknown) => typeof x === 'string' || (typeof x === 'number' && Number.isInteger(x));

/** Whether a parsed body is a JSON-RPC 2.0 message LSP allows (no batches). */
function isMessage(x: unknown): x is Message {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const m = x as Obj;
  if (m.jsonrpc !== '2.0') return false;
  if (typeof m.method === 'string') return m.id === undefined || isId(m.id);
  return (isId(m.id) || m.id === null) && ('result' in m || 'error' in m);
}

/** A JSON decoder that answers what it cannot decode with the JSON-RPC error, then skips it. */
function guardedDecoder(writer: MessageWriter, log: (line: string) => void) {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const reject = (id: unknown, code: number, message: string): never => {
    log(`tcs lsp: ${message}`);
    void writer.write({ jsonrpc: '2.0', id: isId(id) ? id : null, error: { code, message } } as Message);
    throw new Error(message);
  };
  return {
    name: 'application/json',
    async decode(buffer: Uint8Array): Promise<Message> {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(buffer));
      } catch (e) {
        return reject(null, -32700, `Parse error: the message is not JSON (${(e as Error).message})`);
      }
      if (!isMessage(parsed)) return reject((parsed as Obj | null)?.id, -32600, 'Invalid Request: not a JSON-RPC 2.0 request, notification or response');
      return parsed;
    },
  };
}

export function openTransport(option: TransportOption, log: (line: string) => void): [MessageReader, MessageWriter] {
  switch (option.kind) {
    case 'socket':
      return createServerSocketTransport(option.port);
    case 'pipe':
      return createServerPipeTransport(option.name);
    default: {
      const writer = new StreamMessageWriter(process.stdout);
      const reader = new StreamMessageReader(process.stdin, { contentTypeDecoder: guardedDecoder(writer, log) });
      return [reader, writer];
    }
  }
}
