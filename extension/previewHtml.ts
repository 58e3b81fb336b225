/**
 * The preview page's HTML and its Content-Security-Policy. Pure (no `vscode`), so the CSP is unit-tested.
 * Only the bundled script (by nonce), the bundled styles and the codicon font from the webview's own origin load,
 * and workers only from blob: URLs (the script's own simulation worker); no inline handlers, no eval, no remote origins.
 */

export interface PreviewHtmlInput {
  /** Fresh per page load, from makeNonce(). */
  nonce: string;
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** codicon.css (which loads codicon.ttf beside it). */
  codiconUri: string;
}

const NONCE = /^[A-Za-z0-9+/_-]{16,128}={0,2}$/;

/** 128 bits from a cryptographic source (node:crypto randomBytes in the host), as hex. */
export function makeNonce(randomBytes: (size: number) => Uint8Array): string {
  const bytes = randomBytes(16);
  if (bytes.length < 16) throw new Error('makeNonce: the random source returned too few bytes');
  return Array.from(bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A CSP source list entry must not be able to add directives or keywords. */
function checkSource(cspSource: string): string {
  // VS Code gives host sources; code-server adds the 'self' keyword. Anything else could inject a directive.
  const token = /^(?:[A-Za-z0-9.:/*_+-]+|'self')$/;
  if (!cspSource.split(' ').every((t) => token.test(t))) {
    throw new Error(`previewHtml: unexpected cspSource ${JSON.stringify(cspSource)}`);
  }
  return cspSource;
}

export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  if (!NONCE.test(nonce)) throw new Error('previewHtml: the nonce must be 16+ base64/hex characters');
  const src = checkSource(cspSource);
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    // The preview's simulation workers (webview/background.ts): started from blob: URLs the page's own (nonce'd)
    // script makes; a worker inherits this policy, so it fetches nothing either.
    `worker-src blob:`,
    `style-src ${src}`,
    `font-src ${src}`,
    `img-src ${src} data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

export function renderPreviewHtml(input: PreviewHtmlInput): string {
  const csp = contentSecurityPolicy(input.nonce, input.cspSource);
  const a = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(input.codiconUri)}">
<link rel="stylesheet" href="${a(input.styleUri)}">
<title>Training Config Preview</title>
</head>
<body>
<main id="app" aria-live="off">
<p class="placeholder"><span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true"></span> Waiting for a training config…</p>
</main>
<script nonce="${a(input.nonce)}" src="${a(input.scriptUri)}"></script>
</body>
</html>
`;
}
