import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { contentSecurityPolicy, makeNonce, renderPreviewHtml } from '../../extension/previewHtml';

const CSP_SOURCE = 'https://*.vscode-cdn.net';
const input = () => ({
  nonce: makeNonce((n) => randomBytes(n)),
  cspSource: CSP_SOURCE,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicon.css',
});

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  const directives = new Map<string, string[]>();
  for (const part of m[1].replace(/&#39;|&apos;/g, "'").split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

test('the CSP denies everything by default and allows scripts only by nonce', () => {
  const i = input();
  const csp = cspOf(renderPreviewHtml(i));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${i.nonce}'`]);
  assert.deepEqual(csp.get('style-src'), [CSP_SOURCE]);
  assert.deepEqual(csp.get('font-src'), [CSP_SOURCE]);
  assert.deepEqual(csp.get('img-src'), [CSP_SOURCE, 'data:']);
  assert.equal(csp.has('connect-src'), false, 'no network from the page');
  assert.deepEqual(csp.get('worker-src'), ['blob:'], "workers only from the page's own blob: URLs");
});

test('the CSP has no unsafe-eval, unsafe-inline or remote origins', () => {
  const html = renderPreviewHtml(input());
  const csp = [...cspOf(html).values()].flat();
  for (const v of csp) {
    assert.ok(!/unsafe-/.test(v), v);
    // The only https: source is the webview's own resource origin (cspSource); no bare schemes or other hosts.
    if (/^(https?:|ws:|wss:|\*$)/.test(v)) assert.equal(v, CSP_SOURCE, v);
  }
});

test('every script element carries the nonce; no inline handlers or javascript: URLs', () => {
  const i = input();
  const html = renderPreviewHtml(i);
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.ok(scripts.length >= 1);
  for (const s of scripts) assert.ok(s.includes(`nonce="${i.nonce}"`), s);
  assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handlers');
  assert.ok(!/javascript:/i.test(html));
  assert.ok(!/<style\b/i.test(html) && !/\sstyle=/i.test(html), 'no inline styles (style-src forbids them)');
  // Every URL the page loads is one we passed in.
  const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(urls.sort(), [i.codiconUri, i.scriptUri, i.styleUri].sort());
});

test('nonces are fresh, 128-bit, and drawn from the source passed in', () => {
  const a = makeNonce((n) => randomBytes(n));
  const b = makeNonce((n) => randomBytes(n));
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, b);
  assert.equal(makeNonce((n) => new Uint8Array(n).fill(255)), 'f'.repeat(32));
  assert.throws(() => makeNonce(() => new Uint8Array(4)));
});

test('a weak nonce or a cspSource that smuggles directives is refused', () => {
  assert.throws(() => contentSecurityPolicy('abc', CSP_SOURCE));
  assert.throws(() => contentSecurityPolicy("abcdefabcdefabcdef' 'unsafe-eval", CSP_SOURCE));
  assert.throws(() => contentSecurityPolicy('a'.repeat(32), "https://x; script-src 'unsafe-inline'"));
  assert.throws(() => contentSecurityPolicy('a'.repeat(32), "'unsafe-inline'"));
});

test("code-server's cspSource, which adds the 'self' keyword, is accepted as is", () => {
  const policy = contentSecurityPolicy('a'.repeat(32), "'self' https://*.vscode-cdn.net");
  assert.match(policy, /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  assert.throws(() => contentSecurityPolicy('a'.repeat(32), "'self' 'unsafe-eval'"));
});

test('URIs are attribute-escaped', () => {
  const html = renderPreviewHtml({ ...input(), scriptUri: 'x"><script>alert(1)</script>' });
  assert.equal((html.match(/<script\b/g) ?? []).length, 1);
});

test('the preview code performs no network I/O (no fetch, XHR, WebSocket, http(s) modules or remote URLs)', () => {
  const { readdirSync, readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const root = join(__dirname, '..', '..', '..');
  const files: string[] = [join(root, 'extension', 'preview.ts'), join(root, 'extension', 'previewHtml.ts')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|css)$/.test(name)) files.push(p);
    }
  };
  walk(join(root, 'webview'));
  const forbidden = /\bfetch\s*\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon|from ['"](node:)?(https?|net|tls|dgram)['"]|require\(['"](node:)?(https?|net|tls)['"]\)|url\(\s*['"]?https?:|@import/;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assert.ok(!forbidden.test(text), `${f} matches ${forbidden.exec(text)?.[0]}`);
  }
});
