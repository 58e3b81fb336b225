/**
 * `node out/bench/lsp.js`: the language server as a backend, against the in-process calls the VS Code extension
 * makes. Per example config: the check in-process (what the extension does on a keystroke), the same edit sent to
 * `tcs lsp` until its diagnostics come back (pull: textDocument/diagnostic right after the change; push: until
 * publishDiagnostics, with the server's debounce), and a hover in-process vs over the protocol.
 * The README's "VS Code and the server" paragraph quotes this table.
 */
import { performance } from 'node:perf_hooks';
import { createLanguageService } from '../language/service';
import { loadExamples } from '../test/support/generate';
import { initialized, startServer } from '../test/support/lspClient';
import { markdownTable, measure, ms } from './harness';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 30);

function quantiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95) };
}

async function main() {
  const service = createLanguageService();
  const rows: (string | number)[][] = [];
  for (const { name, text } of loadExamples()) {
    // Two texts with an error each, so every version publishes (a clean file that stays clean publishes nothing).
    const texts = [text.replace(/\n$/, '\nbogus_key: 1\n'), text.replace(/\n$/, '\nbogus_key: 2\n')];
    const hoverAt = { line: text.split('\n').findIndex((l) => /^\s+layers:/.test(l)), character: 4 };
    let flip = 0;
    const inProcess = measure('check', () => service.check(texts[flip++ % 2]), { iterations: ROUNDS * 2 });
    const checked = service.check(texts[0]);
    const hoverLocal = measure('hover', () => service.hover(checked, hoverAt), { iterations: ROUNDS * 2 });

    const push = startServer();
    const pull = startServer();
    try {
      await initialized(push);
      await initialized(pull, { textDocument: { diagnostic: {} } });
      const uri = `file:///bench/${name}`;
      for (const client of [push, pull]) {
        await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: texts[0] } });
      }
      const pushMs: number[] = [];
      const pullMs: number[] = [];
      const hoverMs: number[] = [];
      for (let round = 0; round < ROUNDS + 5; round++) {
        const version = round + 2;
        const change = { textDocument: { uri, version }, contentChanges: [{ text: texts[version % 2] }] };
        let t0 = performance.now();
        await push.connection.sendNotification('textDocument/didChange', change);
        await push.diagnostics((p) => p.uri === uri && p.version === version);
        const pushed = performance.now() - t0;
        t0 = performance.now();
        await pull.connection.sendNotification('textDocument/didChange', change);
        await pull.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
        const pulled = performance.now() - t0;
        t0 = performance.now();
        await pull.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: hoverAt });
        const hovered = performance.now() - t0;
        // The first rounds warm the server's JIT.
        if (round >= 5) pushMs.push(pushed), pullMs.push(pulled), hoverMs.push(hovered);
      }
      const [p, q, h] = [quantiles(pushMs), quantiles(pullMs), quantiles(hoverMs)];
      rows.push([name, `${ms(inProcess.medianMs)} / ${ms(inProcess.p95Ms)}`, `${ms(q.median)} / ${ms(q.p95)}`, `${ms(p.median)} / ${ms(p.p95)}`, `${ms(hoverLocal.medianMs)} / ${ms(h.median)}`]);
    } finally {
      push.kill();
      pull.kill();
    }
  }
  console.log(markdownTable(['config', 'in-process check (median / p95 ms)', 'server, pull (edit → report)', 'server, push (edit → publish)', 'hover in-process / server (median ms)'], rows));
}

void main();
