/**
 * The preview webview's Content-Security-Policy: scripts run only by nonce, nothing is evaluated from strings,
 * and nothing loads from a remote origin. Checked on the HTML the host really serves (renderPreviewHtml).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPreviewHtml } from '../../extension/previewHtml';

// A distinctive cspSource so any other origin in the policy stands out; the real one is VS Code's
// `https://*.vscode-cdn.net`, which the policy may name only through this parameter.
const CSP_SOURCE = 'vscode-webview-resource://test-csp-source';
const NONCE = 'c2VjdXJpdHktdGVzdC1ub25jZQ0123456';
const input = {
  nonce: NONCE,
  cspSource: CSP_SOURCE,
  scriptUri: 'vscode-webview-resource://test-csp-source/dist/webview.js',
  styleUri: 'vscode-webview-resource://test-csp-source/dist/webview.css',
  codiconUri: 'vscode-webview-resource://test-csp-source/codicon.css',
};

interface Policy {
  directives: Map<string, string[]>;
  metaIndex: number;
}

function policyOf(html: string): Policy {
  const metas = [...html.matchAll(/<meta\s+[^>]*http-equiv\s*=\s*"Content-Security-Policy"[^>]*>/gi)];
  assert.equal(metas.length, 1, 'exactly one CSP <meta>');
  const content = /content\s*=\s*"([^"]*)"/i.exec(metas[0][0]);
  assert.ok(content, 'the CSP <meta> has a content attribute');
  const text = content[1].replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  const directives = new Map<string, string[]>();
  for (const part of text.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.ok(!directives.has(name.toLowerCase()), `directive ${name} appears once`);
    directives.set(name.toLowerCase(), sources);
  }
  return { directives, metaIndex: metas[0].index ?? -1 };
}

/** The sources a fetch directive effectively allows (CSP falls back to default-src). */
function effective(p: Policy, directive: string): string[] {
  return p.directives.get(directive) ?? p.directives.get('default-src') ?? ['*'];
}

test("the policy denies by default: default-src 'none'", () => {
  const p = policyOf(renderPreviewHtml(input));
  assert.deepEqual(p.directives.get('default-src'), ["'none'"]);
});

test('scripts run only by nonce: script-src is exactly the page nonce, no unsafe-inline, unsafe-eval or hosts', () => {
  const p = policyOf(renderPreviewHtml(input));
  const scriptSrc = p.directives.get('script-src');
  assert.deepEqual(scriptSrc, [`'nonce-${NONCE}'`]);
  for (const d of ['script-src-elem', 'script-src-attr']) {
    const sources = p.directives.get(d);
    if (sources) assert.ok(sources.every((s) => s === `'nonce-${NONCE}'` || s === "'none'"), `${d}: ${sources.join(' ')}`);
  }
});

test('workers start only from blob: URLs (the page script builds its simulation worker), never from a host', () => {
  const p = policyOf(renderPreviewHtml(input));
  // A blob: worker inherits the page's policy (https://www.w3.org/TR/CSP3/#initialize-global-object-csp), so
  // default-src 'none' still denies it every fetch.
  assert.deepEqual(p.directives.get('worker-src'), ['blob:']);
  assert.equal(p.directives.has('child-src'), false);
  assert.equal(p.directives.has('connect-src'), false);
});

test("no directive allows 'unsafe-eval' (nor wasm eval), and no directive allows inline scripts", () => {
  const p = policyOf(renderPreviewHtml(input));
  for (const [name, sources] of p.directives) {
    assert.ok(!sources.includes("'unsafe-eval'"), `${name} allows unsafe-eval`);
    assert.ok(!sources.includes("'wasm-unsafe-eval'"), `${name} allows wasm-unsafe-eval`);
    if (name.startsWith('script') || name === 'default-src') assert.ok(!sources.includes("'unsafe-inline'"), `${name} allows unsafe-inline`);
  }
});

test('no remote origins: every source is a keyword, the nonce, the webview cspSource, or data: for images', () => {
  const p = policyOf(renderPreviewHtml(input));
  const allowed = (directive: string, s: string) =>
    s === "'none'" ||
    s === "'self'" ||
    s === `'nonce-${NONCE}'` ||
    s === CSP_SOURCE ||
    (s === 'data:' && (directive === 'img-src' || directive === 'font-src')) ||
    (s === 'blob:' && directive === 'worker-src');
  for (const [name, sources] of p.directives) {
    for (const s of sources) {
      assert.ok(allowed(name, s), `${name} allows ${s}`);
      assert.ok(!/^(https?|wss?|ftp):/i.test(s) && s !== '*' && !s.includes('*.'), `${name} allows remote ${s}`);
    }
  }
  // connect-src is not widened: fetch/XHR/WebSocket fall back to default-src 'none'.
  assert.ok(effective(p, 'connect-src').every((s) => s === "'none'"), `connect-src: ${effective(p, 'connect-src').join(' ')}`);
});

test('with the real VS Code cspSource, that origin is the only non-keyword source', () => {
  const real = 'https://*.vscode-cdn.net';
  const html = renderPreviewHtml({ ...input, cspSource: real });
  const p = policyOf(html);
  for (const [name, sources] of p.directives) {
    for (const s of sources) {
      assert.ok(s.startsWith("'") || s === real || s === 'data:' || (s === 'blob:' && name === 'worker-src'), `${name} allows ${s}`);
    }
  }
  assert.ok(!p.directives.get('script-src')!.includes(real), 'scripts do not load by origin, only by nonce');
});

test('every <script> carries the nonce and loads the bundled script; none is inline', () => {
  const html = renderPreviewHtml(input);
  const p = policyOf(html);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
  assert.ok(scripts.length >= 1, 'the page loads its script');
  for (const s of scripts) {
    assert.match(s[1], new RegExp(`\\bnonce="${NONCE}"`), `script without the nonce: ${s[0]}`);
    assert.match(s[1], /\bsrc="([^"]+)"/, 'scripts load from a file, not inline');
    assert.equal(/\bsrc="([^"]+)"/.exec(s[1])![1], input.scriptUri);
    assert.equal(s[2].trim(), '', 'no inline script body');
    assert.ok((s.index ?? 0) > p.metaIndex, 'the CSP <meta> precedes every script');
  }
  // <script tags that the pattern above would miss (unclosed, uppercase variants) are counted too.
  assert.equal((html.match(/<script\b/gi) ?? []).length, scripts.length);
});

test('no inline event handlers, javascript: URLs or remote resources in the markup', () => {
  const html = renderPreviewHtml(input);
  assert.doesNotMatch(html.replace(/"[^"]*"/g, '""'), /\son[a-z]+\s*=/i, 'inline event handler');
  assert.doesNotMatch(html, /javascript:/i);
  for (const m of html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)) {
    assert.ok([input.scriptUri, input.styleUri, input.codiconUri].includes(m[1]), `resource ${m[1]} is not one of the bundled ones`);
  }
});

test('the nonce comes from the caller (a fresh one per page), not a constant in the page', () => {
  const other = 'ZmVkY2JhOTg3NjU0MzIxMGFiY2RlZg99';
  const html = renderPreviewHtml({ ...input, nonce: other });
  assert.ok(html.includes(`'nonce-${other}'`));
  assert.ok(!html.includes(NONCE));
});

test('a cspSource or URI cannot inject directives or markup', () => {
  assert.throws(() => renderPreviewHtml({ ...input, cspSource: "https://x; script-src 'unsafe-eval'" }));
  assert.throws(() => renderPreviewHtml({ ...input, nonce: "abc' 'unsafe-inline" }));
  const html = renderPreviewHtml({ ...input, scriptUri: 'x" onload="alert(1)' });
  // Outside attribute values (blanked), no attribute named onload may appear.
  assert.doesNotMatch(html.replace(/"[^"]*"/g, '""'), /\sonload\s*=/i);
});
