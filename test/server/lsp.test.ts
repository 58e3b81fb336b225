/**
 * `tcs lsp` over stdio, driven by vscode-jsonrpc's client: the lifecycle, every feature against the language service
 * the extension uses (same diagnostics, hovers, completions, fix titles), both position encodings, pull diagnostics,
 * settings, the custom requests, protocol errors for bad requests, cancellation, a 10 MB document and 1,000 edits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService } from '../../language/service';
import { SIMULATE_METHOD, TIMELINE_METHOD, type SimulateResult, type TimelineResult } from '../../protocol/lsp';
import { repoRoot } from '../support/generate';
import { CLI, frame, initialized, parseFrames, startServer, type TestClient } from '../support/lspClient';

const service = createLanguageService();
const EXAMPLE = readFileSync(join(repoRoot(), 'examples', 'llama3-8b.train.yaml'), 'utf8');
/** A misspelt key: one error, fixed by one rename. */
const BROKEN = EXAMPLE.replace('  pipeline: 1', '  pipline: 1');
const URI = 'file:///work/configs/llama.train.yaml';

function open(client: TestClient, text: string, uri = URI, version = 1) {
  return client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
}

async function stop(client: TestClient): Promise<number | null> {
  await client.connection.sendRequest('shutdown');
  await client.connection.sendNotification('exit');
  return client.exited;
}

/** What the core says, as the server should publish it (UTF-16). */
function expected(text: string) {
  return service.check(text).diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range }));
}
const shown = (ds: { code?: unknown; message: string; range: unknown }[]) => ds.map(({ code, message, range }) => ({ code, message, range }));

test('initialize → capabilities, shutdown → exit 0; exit without shutdown → 1', async () => {
  const client = startServer();
  try {
    const result = await initialized(client);
    const caps = result.capabilities;
    assert.equal(result.serverInfo?.name, 'tcs');
    assert.equal(caps.positionEncoding, 'utf-16');
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    for (const feature of ['hoverProvider', 'completionProvider', 'codeActionProvider', 'documentSymbolProvider']) assert.ok(caps[feature], feature);
    assert.equal(caps.diagnosticProvider, undefined, 'no pull diagnostics offered to a client without them');
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
  const rude = startServer();
  try {
    await initialized(rude);
    await rude.connection.sendNotification('exit');
    assert.equal(await rude.exited, 1);
  } finally {
    rude.kill();
  }
});

test('a broken config: pushed diagnostics, hover, completion and the quick fix are the core’s, and the fix clears the error', async () => {
  const client = startServer();
  try {
    await initialized(client, { workspace: { configuration: true, workspaceEdit: { documentChanges: true } } });
    await open(client, BROKEN);
    const published = await client.diagnostics((p) => p.uri === URI);
    assert.equal(published.version, 1);
    assert.deepEqual(shown(published.diagnostics), expected(BROKEN));
    assert.ok(published.diagnostics.some((d) => d.code === 'schema/unknown-key' && d.source === 'tcs' && d.severity === 1));

    const result = service.check(BROKEN);
    const hoverAt = { line: 4, character: 4 }; // `layers`
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: hoverAt })) as { contents: { kind: string; value: string } };
    assert.equal(hover.contents.kind, 'markdown');
    assert.equal(hover.contents.value, service.hover(result, hoverAt)?.markdown);

    const completeAt = { line: 9, character: 0 }; // start of a line inside `model`
    const items = (await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position: completeAt })) as { label: string }[];
    assert.deepEqual(items.map((i) => i.label), service.completions(result, completeAt).map((i) => i.label));
    assert.ok(items.length > 0);

    const diagnostic = published.diagnostics.find((d) => d.code === 'schema/unknown-key')!;
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: URI },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    })) as { title: string; kind: string; isPreferred: boolean; edit: { documentChanges: { textDocument: { version: number }; edits: { range: never; newText: string }[] }[] } }[];
    const core = result.diagnostics.find((d) => d.code === 'schema/unknown-key')!;
    assert.deepEqual(actions.map((a) => a.title), service.fixes(result, core).map((f) => f.title));
    assert.equal(actions[0].title, 'Rename to pipeline');
    assert.equal(actions[0].kind, 'quickfix');
    assert.equal(actions[0].isPreferred, true);
    const change = actions[0].edit.documentChanges[0];
    assert.equal(change.textDocument.version, 1);

    // Apply it as an editor would, send the edit back, and the server reports the file clean.
    const doc = TextDocument.create(URI, 'yaml', 1, BROKEN);
    const fixed = TextDocument.applyEdits(doc, change.edits);
    assert.equal(fixed, EXAMPLE);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: URI, version: 2 },
      contentChanges: change.edits.map((e) => ({ range: e.range, text: e.newText })),
    });
    const clean = await client.diagnostics((p) => p.uri === URI && p.version === 2);
    assert.deepEqual(clean.diagnostics, []);
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('a Megatron-LM launch script is served too: the core’s diagnostics on its own flags (30 layers over PP 4 on the PP flag), a plain YAML file is not', async () => {
  const script = readFileSync(join(repoRoot(), 'test', 'fixtures', 'formats', 'megatron-uneven-pp.sh'), 'utf8');
  const uri = 'file:///work/launch/pretrain.sh';
  const compose = 'file:///work/docker-compose.yaml';
  const client = startServer();
  try {
    await initialized(client);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'shellscript', version: 1, text: script } });
    const published = await client.diagnostics((p) => p.uri === uri);
    const core = service.check(script, { fileName: 'pretrain.sh' });
    assert.equal(core.document.format, 'megatron');
    assert.deepEqual(shown(published.diagnostics), core.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range })));
    const layers = published.diagnostics.find((d) => d.code === 'megatron/layers-not-divisible');
    assert.ok(layers, 'the layer split is checked on the script');
    assert.match(script.split('\n')[layers.range.start.line], /--pipeline-model-parallel-size 4/);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: compose, languageId: 'yaml', version: 1, text: 'services:\n  web:\n    image: nginx\n' } });
    // Published empty or not at all (a short wait): either way no problem is shown on it.
    const none = await client.diagnostics((p) => p.uri === compose, 1500).then(
      (p) => p.diagnostics,
      () => [],
    );
    assert.deepEqual(none, []);
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('formats.files forces a format and defaultCluster fills what a launch script cannot say, as in the editor', async () => {
  const script = readFileSync(join(repoRoot(), 'test', 'fixtures', 'formats', 'megatron-uneven-pp.sh'), 'utf8');
  const uri = 'file:///work/launch/notes.txt';
  const settings = { formats: { files: { '**/launch/*.txt': 'megatron' } }, defaultCluster: { gpu: 'h100-sxm', nodes: 4 } };
  const client = startServer();
  try {
    await initialized(client, { workspace: {} }, { initializationOptions: settings }); // settings from initializationOptions
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version: 1, text: script } });
    const published = await client.diagnostics((p) => p.uri === uri);
    const core = service.check(script, { fileName: '/work/launch/notes.txt', format: 'megatron', defaults: { cluster: { gpu: 'h100-sxm', nodes: 4 } } });
    assert.deepEqual(shown(published.diagnostics), core.diagnostics.map((d) => ({ code: d.code, message: d.message, range: d.range })));
    assert.ok(!published.diagnostics.some((d) => d.code === 'schema/missing-key' && /cluster/.test(d.message)), 'the default cluster is used');
    assert.ok(published.diagnostics.some((d) => d.code === 'megatron/layers-not-divisible'), 'read as Megatron-LM arguments');
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('UTF-8 positions when the client prefers them: diagnostics, hover and edits count bytes, not UTF-16 units', async () => {
  // Non-ASCII before errors and keys on their lines: `é` is 1 UTF-16 unit and 2 bytes, `🚀` 2 units and 4 bytes.
  const utf8Text = BROKEN.replace('  sequence_length: 8192', '  sequence_length: {"é🚀": 1}').replace(
    '  attention: { type: gqa,',
    '  attention: { note: "é🚀", type: gqa,',
  );
  const client = startServer();
  try {
    const result = await initialized(client, { general: { positionEncodings: ['utf-8', 'utf-16'] } });
    assert.equal(result.capabilities.positionEncoding, 'utf-8');
    await open(client, utf8Text);
    const published = await client.diagnostics((p) => p.uri === URI);
    const core = service.check(utf8Text).diagnostics;
    const lines = utf8Text.split('\n');
    const bytes = (p: { line: number; character: number }) => ({ line: p.line, character: Buffer.byteLength(lines[p.line].slice(0, p.character)) });
    assert.deepEqual(
      published.diagnostics.map((d) => d.range),
      core.map((d) => ({ start: bytes(d.range.start), end: bytes(d.range.end) })),
    );
    // At least one range really differs between the encodings, or this test proves nothing.
    assert.ok(core.some((d) => bytes(d.range.end).character !== d.range.end.character), JSON.stringify(core.map((d) => d.range)));
    // A hover asked in bytes past the emoji lands on the same key as in UTF-16 (`heads`), its range in bytes.
    const attention = lines.findIndex((l) => l.includes('attention:'));
    const onHeads = { line: attention, character: lines[attention].indexOf(' heads') + 2 };
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: bytes(onHeads) })) as { range: unknown } | null;
    const coreHover = service.hover(service.check(utf8Text), onHeads);
    assert.ok(coreHover && hover);
    assert.deepEqual(hover.range, { start: bytes(coreHover.range.start), end: bytes(coreHover.range.end) });
    // An incremental edit in bytes: replace the `1` after the emoji key with `2`.
    const at = lines.findIndex((l) => l.includes('sequence_length'));
    const utf16 = { line: at, character: lines[at].indexOf('1}') };
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: { start: bytes(utf16), end: bytes({ line: at, character: utf16.character + 1 }) }, text: '2' }],
    });
    const after = utf8Text.replace('{"é🚀": 1}', '{"é🚀": 2}');
    const republished = await client.diagnostics((p) => p.uri === URI && p.version === 2);
    assert.deepEqual(republished.diagnostics.map((d) => d.message), service.check(after).diagnostics.map((d) => d.message));
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('pull diagnostics (LSP 3.17) when the client supports them: a full report, then unchanged for the same version', async () => {
  const client = startServer();
  try {
    const result = await initialized(client, { textDocument: { diagnostic: { dynamicRegistration: false } } });
    assert.deepEqual(result.capabilities.diagnosticProvider, { identifier: 'tcs', interFileDependencies: false, workspaceDiagnostics: false });
    await open(client, BROKEN);
    const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: URI } })) as { kind: string; resultId: string; items: never[] };
    assert.equal(report.kind, 'full');
    assert.deepEqual(shown(report.items), expected(BROKEN));
    const again = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: URI }, previousResultId: report.resultId })) as { kind: string };
    assert.equal(again.kind, 'unchanged');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.published.length, 0, 'a pull client gets no pushed diagnostics as well');
  } finally {
    client.kill();
  }
});

test('settings through workspace/configuration: validate.enable false publishes nothing; files adds patterns', async () => {
  const client = startServer();
  try {
    client.settings.value = { validate: { enable: false }, files: ['**/configs/*.yaml'] };
    await initialized(client);
    const other = 'file:///work/configs/pretrain.yaml';
    const ignored = 'file:///work/docker-compose.yaml';
    await open(client, BROKEN, URI);
    await open(client, BROKEN, other);
    await open(client, BROKEN, ignored);
    // Hover works either way (as in VS Code); a file no pattern matches is not served at all.
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: other }, position: { line: 4, character: 4 } });
    assert.ok(hover);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: ignored }, position: { line: 4, character: 4 } }), null);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(client.published.filter((p) => p.diagnostics.length > 0), []);
    // Turning validation on: the client says settings changed, the server asks again and publishes both configs.
    client.settings.value = { 'validate.enable': true, files: ['**/configs/*.yaml'] };
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.diagnostics((p) => p.uri === other && p.diagnostics.length > 0);
    await client.diagnostics((p) => p.uri === URI && p.diagnostics.length > 0);
    assert.ok(!client.published.some((p) => p.uri === ignored));
  } finally {
    client.kill();
  }
});

test('document symbols: the sections and their keys, with the key as the selection', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: URI } })) as { name: string; kind: number; selectionRange: { start: { line: number } }; children?: { name: string; detail?: string }[] }[];
    assert.deepEqual(symbols.map((s) => s.name), ['name', 'model', 'training', 'precision', 'parallelism', 'cluster']);
    const parallelism = symbols.find((s) => s.name === 'parallelism')!;
    assert.equal(parallelism.kind, 2 /* Module */);
    assert.equal(parallelism.selectionRange.start.line, EXAMPLE.split('\n').indexOf('parallelism:'));
    assert.deepEqual(parallelism.children?.map((c) => c.name), ['tensor', 'pipeline', 'context', 'zero_stage', 'schedule']);
    assert.equal(parallelism.children?.find((c) => c.name === 'schedule')?.detail, '1f1b');
    const attention = symbols.find((s) => s.name === 'model')!.children!.find((c) => c.name === 'attention') as unknown as { children: { name: string }[] };
    assert.deepEqual(attention.children.map((c) => c.name), ['type', 'heads', 'kv_heads', 'head_dim']);
  } finally {
    client.kill();
  }
});

test('trainingConfig/simulate and trainingConfig/timeline: the preview’s numbers, or why there are none', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    const sim = (await client.connection.sendRequest(SIMULATE_METHOD, { textDocument: { uri: URI } })) as SimulateResult;
    assert.equal(sim.status, 'ok');
    if (sim.status !== 'ok') return;
    assert.equal(sim.version, 1);
    assert.ok(sim.result.gpuHours > 0 && sim.result.memory.perStage.length >= 1);
    assert.equal((sim.result as Record<string, unknown>).timeline, undefined);
    const timeline = (await client.connection.sendRequest(TIMELINE_METHOD, { textDocument: { uri: URI }, schedule: 'gpipe', maxOps: 10 })) as TimelineResult;
    assert.equal(timeline.status, 'ok');
    if (timeline.status !== 'ok') return;
    assert.equal(timeline.timeline.schedule, 'gpipe');
    const ops = timeline.timeline.ops.flat();
    assert.ok(ops.length <= 10 && ops.length > 0 && ops.every((o) => o.end >= o.start));
    assert.ok(timeline.omittedOps > 0);

    await open(client, BROKEN, 'file:///work/b.train.yaml');
    const invalid = (await client.connection.sendRequest(SIMULATE_METHOD, { textDocument: { uri: 'file:///work/b.train.yaml' } })) as SimulateResult;
    assert.equal(invalid.status, 'invalid');
    if (invalid.status === 'invalid') assert.deepEqual(invalid.errors.map((e) => e.code), ['schema/unknown-key']);
    await assert.rejects(client.connection.sendRequest(SIMULATE_METHOD, { textDocument: { uri: URI }, schedule: 'nonsense' }), { code: -32602 });
  } finally {
    client.kill();
  }
});

test('bad requests get protocol errors and the server lives on: unknown method, unopened document, out-of-range position', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    await assert.rejects(client.connection.sendRequest('tcs/noSuchMethod', {}), { code: -32601 });
    await assert.rejects(client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere.train.yaml' }, position: { line: 0, character: 0 } }), { code: -32602 });
    await assert.rejects(client.connection.sendRequest('textDocument/completion', { textDocument: { uri: URI }, position: { line: 10_000, character: 0 } }), { code: -32602 });
    await assert.rejects(client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: -1, character: 0 } }), { code: -32602 });
    await assert.rejects(client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 'x' } }), { code: -32602 });
    await assert.rejects(client.connection.sendRequest('textDocument/documentSymbol', {}), { code: -32602 });
    await assert.rejects(client.connection.sendRequest(SIMULATE_METHOD, null), { code: -32602 });
    // Past a line's end means its end (LSP): not an error.
    assert.ok(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 5000 } }) !== undefined);
    // Notifications about unknown documents are ignored.
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///nowhere', version: 2 }, contentChanges: [{ text: 'x' }] });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///nowhere' } });
    assert.ok(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 4 } }));
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('malformed JSON-RPC is answered with -32700/-32600 and skipped; stdout holds protocol messages only', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    client.child.stdin.write(frame('{"jsonrpc": "2.0", "id": 1, "method": '));
    client.child.stdin.write(frame('[1, 2, 3]'));
    client.child.stdin.write(frame({ jsonrpc: '2.0', id: 'no-method' }));
    client.child.stdin.write(frame('\u00ff\u00fe not json at all'));
    // A console.log from anywhere in the server would corrupt the stream: the server's logs went to stderr.
    assert.ok(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 4 } }));
    const frames = parseFrames(client.stdout()).map((f) => f.body as { id?: unknown; error?: { code: number } });
    const errors = frames.filter((f) => f.error && (f.id === null || f.id === 'no-method')).map((f) => [f.id, f.error?.code]);
    assert.deepEqual(errors, [[null, -32700], [null, -32600], ['no-method', -32600], [null, -32700]]);
    assert.match(client.stderr(), /Parse error/);
    assert.equal(await stop(client), 0);
    assert.ok(parseFrames(client.stdout()).length >= 6);
  } finally {
    client.kill();
  }
});

test('cancellation: a request cancelled before it runs answers RequestCancelled (-32800); the next one is answered', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    // Both messages in one write (one pipe chunk), so the cancel is read before the request runs.
    client.child.stdin.write(Buffer.concat([
      frame({ jsonrpc: '2.0', id: 'sim-1', method: SIMULATE_METHOD, params: { textDocument: { uri: URI } } }),
      frame({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'sim-1' } }),
    ]));
    const answerTo = (id: string) => parseFrames(client.stdout(), { complete: false }).map((f) => f.body as { id?: unknown; error?: { code: number }; result?: unknown }).find((f) => f.id === id);
    const deadline = Date.now() + 10_000;
    while (!answerTo('sim-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const answer = answerTo('sim-1');
    assert.equal(answer?.error?.code, -32800, JSON.stringify(answer)?.slice(0, 200));
    // The server still answers afterwards.
    const sim = (await client.connection.sendRequest(SIMULATE_METHOD, { textDocument: { uri: URI } })) as SimulateResult;
    assert.equal(sim.status, 'ok');
  } finally {
    client.kill();
  }
});

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

test('a 10 MB document is refused by the core’s size cap, fast, and the server keeps answering', async () => {
  const client = startServer();
  try {
    await initialized(client);
    const big = `${EXAMPLE}\n${'# padding comment line for a big file ..........................\n'.repeat(160_000)}`;
    assert.ok(big.length > 10_000_000);
    const uri = 'file:///work/big.train.yaml';
    const started = Date.now();
    await open(client, big, uri);
    const published = await client.diagnostics((p) => p.uri === uri, 30_000);
    const ms = Date.now() - started;
    assert.deepEqual(shown(published.diagnostics), expected(big));
    assert.ok(published.diagnostics.length >= 1);
    // An edit at the end of the 10 MB text, then a hover: incremental sync keeps up.
    const last = big.split('\n').length - 1;
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, text: '# end\n' }] });
    await client.diagnostics((p) => p.uri === uri && p.version === 2, 30_000);
    await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
    console.log(`# 10 MB document: open → diagnostics ${ms} ms, server RSS ${(rssKiB(client.child.pid!) / 1024).toFixed(0)} MiB`);
    assert.equal(await stop(client), 0);
  } finally {
    client.kill();
  }
});

test('1,000 rapid edits: the server keeps up, memory stays bounded, and the last diagnostics match the last text', async () => {
  const client = startServer();
  try {
    await initialized(client);
    await open(client, EXAMPLE);
    // The clean example publishes nothing; a hover waits for the server to have the document.
    assert.ok(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: 4, character: 4 } }));
    const doc = TextDocument.create(URI, 'yaml', 1, EXAMPLE);
    const line = EXAMPLE.split('\n').indexOf('  pipeline: 1');
    const before = rssKiB(client.child.pid!);
    const started = Date.now();
    // Retype the pipeline value 1,000 times (1…1000, through values that break the world size), as fast as the pipe takes it.
    for (let v = 2; v <= 1001; v++) {
      const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
      const change = { range: { start: { line, character: 12 }, end: { line, character: text.length - 1 } }, text: String(v - 1) };
      TextDocument.update(doc, [change], v);
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: v }, contentChanges: [change] });
    }
    const last = await client.diagnostics((p) => p.uri === URI && p.version === 1001, 60_000);
    const ms = Date.now() - started;
    assert.deepEqual(shown(last.diagnostics), expected(doc.getText()));
    assert.ok(last.diagnostics.length > 0, 'pipeline 1000 breaks the layout');
    const hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line, character: 4 } });
    assert.ok(hover);
    const after = rssKiB(client.child.pid!);
    const publications = client.published.filter((p) => p.uri === URI).length;
    console.log(`# 1,000 edits: last diagnostics after ${ms} ms, ${publications} publications, RSS ${(before / 1024).toFixed(0)} → ${(after / 1024).toFixed(0)} MiB`);
    assert.ok(after - before < 100 * 1024, `RSS grew by ${((after - before) / 1024).toFixed(0)} MiB`);
    assert.ok(publications < 1000, `${publications} publications: the edits were not debounced`);
  } finally {
    client.kill();
  }
});

test('`tcs lsp` with a bad argument: usage on stderr, exit 2, nothing on stdout', () => {
  for (const args of [['--bogus'], ['--socket=0'], ['--socket=http://x']]) {
    const run = spawnSync(process.execPath, [CLI, 'lsp', ...args], { encoding: 'utf8', input: '' });
    assert.equal(run.status, 2, args.join(' '));
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /usage: tcs lsp/);
  }
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /lsp \[--stdio\]/);
});

test('--socket=PORT: the server connects to the editor’s listener on 127.0.0.1 and speaks the same protocol', async () => {
  const { createServer } = await import('node:net');
  const { createMessageConnection, SocketMessageReader, SocketMessageWriter } = await import('vscode-jsonrpc/node');
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<import('node:net').Socket>((resolve) => listener.once('connection', resolve));
  const child = spawn(process.execPath, [CLI, 'lsp', `--socket=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let socket: import('node:net').Socket | undefined;
  try {
    socket = await accepted;
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.listen();
    const result = (await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} })) as { serverInfo: { name: string } };
    assert.equal(result.serverInfo.name, 'tcs');
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
    assert.equal(stdout, '', 'in socket mode nothing goes to stdout');
    connection.dispose();
  } finally {
    if (child.exitCode === null) child.kill();
    // An open socket would keep this test process alive after the last test.
    socket?.destroy();
    listener.close();
  }
});
