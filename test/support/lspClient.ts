/**
 * A language client for tests: `node dist/cli.js lsp` in a child process, driven over stdio by vscode-jsonrpc's own
 * client side (the library VS Code's language client is built on). Every byte the server writes to stdout is kept,
 * so a test can check that stdout held nothing but Content-Length-framed JSON-RPC messages.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { repoRoot } from './generate';

export const CLI = join(repoRoot(), 'dist', 'cli.js');

export interface Frame {
  headers: string;
  body: unknown;
}

/**
 * Splits stdout bytes into frames; throws on anything that is not a `Content-Length` header block and JSON.
 * `complete: false` (while the server may still be writing) stops quietly at a message not yet whole.
 */
export function parseFrames(bytes: Buffer, { complete = true } = {}): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0 && !complete) break;
    if (end < 0) throw new Error(`stdout has bytes that are not a message at ${at}: ${bytes.subarray(at, at + 80).toString()}`);
    const headers = bytes.subarray(at, end).toString('ascii');
    const length = /^Content-Length: (\d+)$/im.exec(headers);
    if (!length || !headers.split('\r\n').every((h) => /^[A-Za-z-]+: .+$/.test(h))) throw new Error(`not a message header at ${at}: ${JSON.stringify(headers.slice(0, 80))}`);
    const start = end + 4;
    const body = bytes.subarray(start, start + Number(length[1]));
    if (body.length !== Number(length[1])) {
      if (!complete) break;
      throw new Error(`truncated message at ${at}`);
    }
    frames.push({ headers, body: JSON.parse(body.toString('utf8')) });
    at = start + body.length;
  }
  return frames;
}

export function frame(body: string | object): Buffer {
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${text.length}\r\n\r\n`, 'ascii'), text]);
}

export interface TestClient {
  child: ChildProcessWithoutNullStreams;
  connection: MessageConnection;
  stdout: () => Buffer;
  stderr: () => string;
  /** Every publishDiagnostics so far, oldest first. */
  published: PublishDiagnosticsParams[];
  /** Waits for a publication matching `accept` (or fails after `ms`). */
  diagnostics(accept: (p: PublishDiagnosticsParams) => boolean, ms?: number): Promise<PublishDiagnosticsParams>;
  /** Settings the server gets from workspace/configuration (null: the client does not answer it). */
  settings: { value: unknown };
  exited: Promise<number | null>;
  kill(): void;
}

export function startServer(args: string[] = []): TestClient {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is not built: run `npm run build`');
  const child = spawn(process.execPath, [CLI, 'lsp', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin), {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    log: () => undefined,
  });
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    for (const w of [...waiters]) if (w.accept(p)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(p);
  });
  const settings = { value: {} as unknown };
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => settings.value));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    connection,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    published,
    settings,
    exited,
    diagnostics(accept, ms = 20_000) {
      const seen = published.find(accept);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching publishDiagnostics in ${ms} ms; got ${published.length}`)), ms);
        waiters.push({ accept, resolve: (p) => (clearTimeout(timer), resolve(p)) });
      });
    },
    kill() {
      connection.dispose();
      if (child.exitCode === null) child.kill();
      // No pipe may keep the test process alive after its last test.
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream.destroy();
    },
  };
}

/** Capabilities of a typical modern client; `overrides` replaces parts. */
export function initializeParams(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    capabilities: { workspace: { configuration: true }, ...capabilities },
    ...extra,
  };
}

export async function initialized(client: TestClient, capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const result = await client.connection.sendRequest('initialize', initializeParams(capabilities, extra));
  await client.connection.sendNotification('initialized', {});
  return result as { capabilities: Record<string, unknown>; serverInfo?: { name: string } };
}
