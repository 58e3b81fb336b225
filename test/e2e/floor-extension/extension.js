// The least a preview can do: on each change, post the edited line to a webview that shows it. Same wall-clock
// stamps as the Training Config preview (body data attributes: editedAt, sentAt, receivedAt, paintedVersion,
// paintedAt), so
// scripts/e2e/floor.mjs times both with one procedure. Plain JS, no build, no dependencies.
const vscode = require('vscode');
const crypto = require('crypto');

exports.activate = (context) => {
  let panel;
  context.subscriptions.push(
    vscode.commands.registerCommand('latencyFloor.open', () => {
      panel = vscode.window.createWebviewPanel('latencyFloor', 'Latency floor', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [] });
      panel.onDidDispose(() => (panel = undefined));
      const nonce = crypto.randomBytes(16).toString('hex');
      panel.webview.html = `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'">
</head><body><h1>latency floor</h1><pre id="line">waiting</pre>
<script nonce="${nonce}">
const line = document.getElementById('line');
window.addEventListener('message', (e) => {
  const m = e.data;
  const receivedAt = Date.now();
  line.textContent = String(m.text);
  requestAnimationFrame(() => setTimeout(() => {
    Object.assign(document.body.dataset, { editedAt: String(m.editedAt), sentAt: String(m.sentAt), receivedAt: String(receivedAt), paintedVersion: String(m.version), paintedAt: String(Date.now()) });
  }, 0));
});
</script></body></html>`;
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!panel || e.contentChanges.length === 0) return;
      const editedAt = Date.now();
      const text = e.document.lineAt(e.contentChanges[0].range.start.line).text;
      void panel.webview.postMessage({ text, version: e.document.version, editedAt, sentAt: Date.now() });
    }),
  );
};
