/**
 * No code path performs network I/O: the checker, the simulator, the extension, the webview, the CLI and the language
 * server work offline on the user's file alone (the server talks to its editor over stdio, or a loopback socket or
 * local pipe when asked).
 *
 * 1. Sources (language/ simulator/ protocol/ extension/ webview/ cli/ server/) are parsed with the TypeScript compiler and every
 *    import, require, dynamic import and identifier is checked against the network APIs — comments and strings
 *    that merely mention them (a URL in a hover, "fetch" in prose) do not count.
 * 2. The built bundles (dist/*.js, which also contain yaml and ajv) are scanned for the same APIs as code patterns.
 *    Known-safe hits are listed in KNOWN_SAFE with the reason; anything else fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/generate';

const SOURCE_DIRS = ['language', 'simulator', 'protocol', 'extension', 'webview', 'cli', 'server'];

/** Node modules and npm packages that open sockets or spawn processes. */
const NETWORK_MODULES = /^(node:)?(http|https|http2|net|tls|dgram|dns|dns\/promises|child_process|cluster|inspector)$|^(undici|node-fetch|axios|got|request|request-light|ws|socket\.io-client|cross-fetch)(\/|$)/;
/** Globals that reach the network from Node or a browser. */
const NETWORK_GLOBALS = new Set(['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'WebTransport', 'RTCPeerConnection', 'importScripts']);
/** Members that reach the network whatever object they hang off. */
const NETWORK_MEMBERS = new Set(['sendBeacon', 'fetch']);

interface Hit {
  file: string;
  line: number;
  what: string;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|tsx|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function scanSource(file: string, text: string): Hit[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const hits: Hit[] = [];
  const hit = (node: ts.Node, what: string) => hits.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what });
  const moduleName = (node: ts.Node, spec: ts.Expression | undefined) => {
    if (spec && ts.isStringLiteralLike(spec) && NETWORK_MODULES.test(spec.text)) hit(node, `imports '${spec.text}'`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) moduleName(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) moduleName(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        const arg = node.arguments[0];
        if (arg && !ts.isStringLiteralLike(arg)) hit(node, 'require/import with a computed module name');
        moduleName(node, arg);
      }
    } else if (ts.isIdentifier(node) && NETWORK_GLOBALS.has(node.text)) {
      // A use of the global, not a property named like it (obj.fetch is handled below) nor a declaration's own name.
      const parent = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent);
      if (!isPropertyName) hit(node, `uses ${node.text}`);
    } else if (ts.isPropertyAccessExpression(node) && NETWORK_MEMBERS.has(node.name.text)) {
      hit(node, `uses .${node.name.text}`);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') {
      hit(node, 'new Function (code from strings)');
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'eval') {
      hit(node, 'eval');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return hits;
}

test('the scanner finds network APIs in code and ignores them in comments and strings (self-test)', () => {
  const bad = [
    "import * as http from 'http';",
    "import { request } from 'node:https';",
    "const net = require('net');",
    "const cp = await import('node:child_process');",
    "export { connect } from 'tls';",
    "fetch('https://example.com');",
    "globalThis.fetch(url);",
    "window.fetch(url);",
    'const x = new XMLHttpRequest();',
    'new WebSocket(u);',
    'const s = new EventSource(u);',
    'navigator.sendBeacon(u, d);',
    'const f = fetch; f(u);',
    "require(name + '');",
  ];
  for (const code of bad) assert.ok(scanSource('self-test.ts', code).length > 0, `missed: ${code}`);
  const fine = [
    '// fetch(url) is never called; see XMLHttpRequest docs',
    "/** import http from 'http' */ const a = 1;",
    "const link = 'https://arxiv.org/abs/2412.19437';",
    "const s = 'WebSocket and fetch( in prose';",
    "import { readFileSync } from 'node:fs';",
    "import { parseDocument } from 'yaml';",
    'const o = { fetch: 1 }; interface I { fetch: number }',
    'function prefetch() { return 0 } prefetch();',
  ];
  for (const code of fine) assert.deepEqual(scanSource('self-test.ts', code), [], code);
});

test('no source file in language/ simulator/ protocol/ extension/ webview/ cli/ server/ uses a network API', () => {
  const root = repoRoot();
  const files = SOURCE_DIRS.flatMap((d) => tsFiles(join(root, d)));
  assert.ok(files.length >= 10, `found only ${files.length} source files`);
  const hits = files.flatMap((f) => scanSource(relative(root, f), readFileSync(f, 'utf8')));
  assert.deepEqual(hits.map((h) => `${h.file}:${h.line} ${h.what}`), []);
});

// ---------------------------------------------------------------------------------------------------------------
// Bundles: plain-text patterns, precise enough for yaml's and ajv's code.

const BUNDLE_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'require of a network module', re: /\brequire\(\s*["'](?:node:)?(?:http|https|http2|net|tls|dgram|dns|child_process|cluster)["']\s*\)/g },
  { name: 'import of a network module', re: /\bfrom\s*["'](?:node:)?(?:http|https|http2|net|tls|dgram|dns|child_process)["']/g },
  { name: 'fetch call', re: /(?<![\w$])fetch\s*\(/g },
  { name: 'XMLHttpRequest', re: /\bXMLHttpRequest\b/g },
  { name: 'WebSocket', re: /\bWebSocket\b/g },
  { name: 'EventSource', re: /\bEventSource\b/g },
  { name: 'sendBeacon', re: /\bsendBeacon\b/g },
  { name: 'importScripts', re: /\bimportScripts\s*\(/g },
  { name: 'eval', re: /(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(/g },
];

/**
 * Hits that are not network I/O, with the reason. Keyed by bundle and pattern; `match` must appear in the
 * 120 characters around the hit.
 */
const KNOWN_SAFE: { bundle: string; pattern: string; match: RegExp; reason: string }[] = [
  // ajv compiles validators to JavaScript source and instantiates them with `new Function` — in the extension host
  // the CLI and the search worker only (the webview bundle must not contain it: its CSP forbids eval). It evaluates code ajv generated
  // from our own schemas, not user text, and opens no connection.
  { bundle: 'extension.js', pattern: 'eval', match: /new Function\(/, reason: 'ajv compiles schemas with new Function' },
  { bundle: 'cli.js', pattern: 'eval', match: /new Function\(/, reason: 'ajv compiles schemas with new Function' },
  { bundle: 'searchWorker.js', pattern: 'eval', match: /new Function\(/, reason: 'ajv compiles schemas with new Function (the worker checks the text it searches)' },
  // `tcs lsp` (server/) is built on vscode-languageserver, whose JSON-RPC layer (vscode-jsonrpc/node) loads `net` for
  // its socket and pipe transports. The server uses them only for `--socket=PORT`, which connects to the editor's
  // listener on 127.0.0.1 (the address is fixed in createServerSocketTransport), and `--pipe=NAME`, a local named
  // pipe or Unix socket; it never listens and never dials another host. The default is stdio.
  { bundle: 'cli.js', pattern: 'require of a network module', match: /var net_1 = require\("net"\);\s+var api_1 = require_api\(\)/, reason: 'vscode-jsonrpc loopback/pipe transports for tcs lsp --socket/--pipe' },
  // vscode-languageserver/node bundles its `Files` helpers, whose resolveGlobalNodePath/resolveGlobalYarnPath spawn
  // `npm`/`yarn` to find global module folders. The server never calls them (nothing in server/ uses `Files`); the
  // module is loaded, not run.
  { bundle: 'cli.js', pattern: 'require of a network module', match: /var child_process_1 = require\("child_process"\);\s+function uriToFilePath\(/, reason: 'vscode-languageserver Files helpers, never called' },
];

test('the built bundles contain no network API (known-safe hits listed with their reason)', () => {
  const dist = join(repoRoot(), 'dist');
  const bundles = ['extension.js', 'webview.js', 'cli.js', 'searchWorker.js'].filter((b) => existsSync(join(dist, b)));
  assert.ok(bundles.length > 0, 'no bundle in dist/: run `npm run build` first');
  const unexpected: string[] = [];
  for (const bundle of bundles) {
    const text = readFileSync(join(dist, bundle), 'utf8');
    for (const { name, re } of BUNDLE_PATTERNS) {
      for (const m of text.matchAll(re)) {
        const at = m.index ?? 0;
        const around = text.slice(Math.max(0, at - 60), at + 60);
        const safe = KNOWN_SAFE.find((k) => k.bundle === bundle && k.pattern === name && k.match.test(around));
        if (!safe) unexpected.push(`${bundle} @${at} ${name}: …${around.replace(/\s+/g, ' ')}…`);
      }
    }
  }
  assert.deepEqual(unexpected, []);
});

test('the webview bundle needs no eval (its CSP has no unsafe-eval, so an eval there would break the preview)', () => {
  const path = join(repoRoot(), 'dist', 'webview.js');
  if (!existsSync(path)) return assert.fail('dist/webview.js not built');
  const text = readFileSync(path, 'utf8');
  assert.deepEqual([...text.matchAll(/(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(/g)].map((m) => text.slice(Math.max(0, (m.index ?? 0) - 60), (m.index ?? 0) + 40)), []);
});
