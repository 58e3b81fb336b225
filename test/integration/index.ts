/**
 * Extension-host integration suite: the real `vscode` API against the real extension.
 * The @vscode/test-electron contract — `run(): Promise<void>` — so the same module runs
 *   - in code-server through the workbench's `payload` URL (scripts/e2e/integration.mjs, `npm run test:integration`), and
 *   - in a downloaded desktop VS Code (scripts/test-desktop.mjs, `npm run test:desktop`).
 * The workspace is a temporary copy of examples/; documents are edited in memory and reverted, never saved.
 */
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { previewLatency, type PreviewLatency, type PreviewState } from '../../extension/preview';
import { assert, log, measure, runAll, test, waitFor } from './harness';

const EXTENSION_ID = 'training-config-studio.training-config-studio';
const EXAMPLE = 'deepseek-v3.train.yaml';
/** Edits timed by the preview-latency case; the median is reported. */
const LATENCY_RUNS = 9;
const SCHEDULE_NAMES = ['gpipe', '1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'zbv', 'dualpipe', 'dualpipev'];

let extension: vscode.Extension<unknown> | undefined;

function exampleUri(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert(folder, 'no workspace folder is open (the runner opens a copy of examples/)');
  return vscode.Uri.joinPath(folder.uri, EXAMPLE);
}

async function openExample(): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(exampleUri());
  return vscode.window.showTextDocument(document, { preview: false });
}

function tcsDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'tcs');
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? '');
}

function lineOf(document: vscode.TextDocument, pattern: RegExp): number {
  for (let line = 0; line < document.lineCount; line++) if (pattern.test(document.lineAt(line).text)) return line;
  throw new Error(`no line matches ${pattern}`);
}

/** Replaces the first match of `pattern` on `line` with `text`, in memory. */
async function replaceOnLine(editor: vscode.TextEditor, line: number, pattern: RegExp, text: string): Promise<void> {
  const lineText = editor.document.lineAt(line).text;
  const m = pattern.exec(lineText);
  assert(m, `line ${line + 1} (${lineText.trim()}) does not match ${pattern}`);
  const range = new vscode.Range(line, m.index, line, m.index + m[0].length);
  const ok = await editor.edit((b) => b.replace(range, text));
  assert(ok, 'editor.edit was rejected');
}

async function revertAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (!document.isDirty) continue;
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/**
 * The preview's last rendered headline — extension/preview.ts getPreviewState(), reached through its internal command
 * (the extension bundle and this test module are separate module instances, so importing it would see other state).
 */
async function previewState(): Promise<PreviewState | undefined> {
  return vscode.commands.executeCommand<PreviewState | undefined>('trainingConfig._previewState');
}

/** `node dist/cli.js simulate FILE --json`, with whatever Node runs this host (Electron runs as Node for it). */
function cliSimulate(file: string): Promise<{ gpuHours: number }> {
  const cli = join(extension!.extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, 'simulate', file, '--json'],
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`tcs simulate failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as { gpuHours: number });
        } catch (e) {
          reject(new Error(`tcs simulate printed no JSON: ${String(e)}\n${stdout.slice(0, 500)}`));
        }
      },
    );
  });
}

function previewTabOpen(): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && /preview/i.test(t.label)));
}

// ---------------------------------------------------------------------------------------------------------------

test('the extension is installed, declares its capabilities, and activates only on demand', async () => {
  extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert(extension, `extension ${EXTENSION_ID} is not installed`);
  const manifest = extension.packageJSON as {
    activationEvents?: string[];
    capabilities?: { untrustedWorkspaces?: { supported?: unknown }; virtualWorkspaces?: unknown };
  };
  assert(!(manifest.activationEvents ?? []).includes('*'), 'activationEvents must not contain "*"');
  assert(manifest.capabilities?.untrustedWorkspaces?.supported === true, 'capabilities.untrustedWorkspaces.supported must be true (runs no workspace code)');
  assert(manifest.capabilities?.virtualWorkspaces !== undefined, 'capabilities.virtualWorkspaces must be declared');
  const activeBefore = extension.isActive;
  const t0 = performance.now();
  const api = (await extension.activate()) as { analysis?: unknown } | undefined;
  if (activeBefore) log('  activation: already active (workspaceContains:**/*.train.yaml activated it at startup); the e2e suite reads its time from Running Extensions');
  else measure('activation (getExtension().activate())', performance.now() - t0);
  assert(extension.isActive, 'extension did not become active');
  assert(api && api.analysis !== undefined, 'activate() must return { analysis }');
});

test('the DeepSeek-V3 example opens with no problems', async () => {
  const editor = await openExample();
  assert(editor.document.languageId !== 'plaintext', `language id is ${editor.document.languageId}`);
  // A clean file produces no event to wait on; break it, see the error, restore it, and see it go.
  const line = lineOf(editor.document, /^\s*pipeline:\s*16\b/);
  await replaceOnLine(editor, line, /16/, '7');
  await waitFor('an error after breaking pipeline', () => tcsDiagnostics(editor.document.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  await replaceOnLine(editor, line, /\b7\b/, '16');
  await waitFor('no tcs errors on the restored example', () => !tcsDiagnostics(editor.document.uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  const left = tcsDiagnostics(editor.document.uri);
  assert(
    !left.some((d) => d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning),
    `expected no problems, got: ${left.map((d) => `${codeOf(d)} line ${d.range.start.line + 1}`).join(', ')}`,
  );
  await revertAll();
});

let brokenDiagnostic: vscode.Diagnostic | undefined;

test('pipeline: 7 reports an error on that line, its range on the key or value', async () => {
  const editor = await openExample();
  const line = lineOf(editor.document, /^\s*pipeline:\s*16\b/);
  const t0 = performance.now();
  await replaceOnLine(editor, line, /16/, '7');
  const onLine = await waitFor('a tcs error on the pipeline line', () => {
    const ds = tcsDiagnostics(editor.document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.range.start.line === line);
    return ds.length ? ds : undefined;
  });
  measure('keystroke → diagnostic (extension host)', performance.now() - t0);
  const published = (extension?.exports as { analysis?: { lastEditToUpdateMs?: number } } | undefined)?.analysis?.lastEditToUpdateMs;
  if (published !== undefined) measure('edit event → diagnostics published (extension host clock)', published);
  brokenDiagnostic = onLine.find((d) => codeOf(d) === 'parallelism/pipeline-split') ?? onLine[0];
  log(`  diagnostics on line ${line + 1}: ${onLine.map((d) => `${codeOf(d)}: ${d.message}`).join(' | ')}`);
  assert(codeOf(brokenDiagnostic).includes('/'), `expected an area/rule code, got ${codeOf(brokenDiagnostic)}`);
  const r = brokenDiagnostic.range;
  const text = editor.document.lineAt(line).text;
  log(`  range: ${r.start.line + 1}:${r.start.character}-${r.end.line + 1}:${r.end.character} ("${text.slice(r.start.character, r.end.character)}")`);
  assert(r.end.line === line && r.end.character > r.start.character, 'the range must be a non-empty span on the pipeline line');
  assert(/pipeline|7/.test(text.slice(r.start.character, r.end.character)), 'the range must cover the pipeline key or its value');
});

test('the quick fix corrects the file and the problem goes away', async () => {
  assert(brokenDiagnostic, 'needs the previous case');
  const editor = await openExample();
  const uri = editor.document.uri;
  const line = brokenDiagnostic.range.start.line;
  const before = editor.document.lineAt(line).text;
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, brokenDiagnostic.range, vscode.CodeActionKind.QuickFix.value);
  const fixes = (actions ?? []).filter((a) => a.kind?.value.startsWith('quickfix') ?? true);
  log(`  quick fixes: ${fixes.map((a) => a.title).join(' | ')}`);
  const fix = fixes.find((a) => a.isPreferred) ?? fixes.find((a) => a.diagnostics?.some((d) => codeOf(d) === codeOf(brokenDiagnostic!))) ?? fixes[0];
  assert(fix, 'no quick fix offered for the diagnostic');
  if (fix.edit) assert(await vscode.workspace.applyEdit(fix.edit), 'applyEdit failed');
  if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
  const code = codeOf(brokenDiagnostic);
  await waitFor(`${code} to disappear after the fix`, () => !tcsDiagnostics(uri).some((d) => codeOf(d) === code));
  assert(editor.document.getText() !== '' && editor.document.lineAt(line).text !== before, 'the fix did not change the line');
  // The preferred fix was tried against the whole config: when its title says it clears every error, it does.
  if (fix.isPreferred && /clears all \d+ errors/.test(fix.title)) {
    await waitFor('no errors left after the preferred fix', () => !tcsDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error));
  }
  assert(fix.isPreferred && /clears all/.test(fix.title), `pipeline 7 on DeepSeek-V3 should be offered a preferred fix that clears every error: "${fix.title}"`);
  log(`  fixed: "${before.trim()}" → "${editor.document.lineAt(line).text.trim()}"`);
  await revertAll();
});

test('hover on a key shows its documentation', async () => {
  const editor = await openExample();
  const line = lineOf(editor.document, /^\s*pipeline:/);
  const character = editor.document.lineAt(line).text.indexOf('pipeline') + 2;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, character));
  const text = hoverText(hovers ?? []);
  log(`  hover: ${text.split('\n')[0].slice(0, 120)}`);
  assert(text.trim().length > 20, `hover on "pipeline" is empty or too short: ${JSON.stringify(text)}`);
  assert(/pipeline/i.test(text), 'hover does not mention the pipeline');
});

test('completion on the schedule value offers the schedule names', async () => {
  const editor = await openExample();
  const line = lineOf(editor.document, /^\s*schedule:/);
  const character = editor.document.lineAt(line).text.indexOf(':') + 2;
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(line, character));
  const labels = (list?.items ?? []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
  const missing = SCHEDULE_NAMES.filter((s) => !labels.includes(s));
  assert(missing.length === 0, `completion is missing ${missing.join(', ')} (got ${labels.slice(0, 20).join(', ')})`);
});

test('the preview opens and renders the same GPU-hours as `tcs simulate --json`', async () => {
  const editor = await openExample();
  const t0 = performance.now();
  await vscode.commands.executeCommand('trainingConfig.openPreview');
  await waitFor('a Preview webview tab', () => previewTabOpen());
  const state = await waitFor('the preview to render (getPreviewState)', () => previewState(), 30_000);
  measure('open preview → first render (host-observed)', performance.now() - t0);
  measure('preview timeline draw (webview renderMs)', state.renderMs);
  if (state.roundTripMs !== undefined) measure('preview message round trip (post → rendered)', state.roundTripMs);
  const cli = await cliSimulate(editor.document.uri.fsPath);
  log(`  preview gpuHours=${state.gpuHours}, cli gpuHours=${cli.gpuHours}, schedule=${state.schedule}`);
  assert(Math.abs(state.gpuHours - cli.gpuHours) <= 1e-6 * Math.max(1, cli.gpuHours), `preview ${state.gpuHours} ≠ cli ${cli.gpuHours}`);
}, 60_000);

/** Edits the schedule back and forth; each edit's path edit → post → arrival → paint, as medians over the runs. */
test('changing the schedule redraws the preview: edit → paint, segment by segment', async () => {
  const editor = await openExample();
  await vscode.window.showTextDocument(editor.document, { preserveFocus: false, viewColumn: editor.viewColumn });
  const line = lineOf(editor.document, /^\s*schedule:/);
  const samples: PreviewLatency[] = [];
  const updates: number[] = [];
  const gpuHours = new Map<string, number>();
  let state: PreviewState | undefined;
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const [from, to] = i % 2 === 0 ? ['dualpipe', '1f1b'] : ['1f1b', 'dualpipe'];
    await replaceOnLine(editor, line, new RegExp(`${from}\\b`), to);
    const version = editor.document.version;
    state = await waitFor(`the preview to paint version ${version} (${to})`, async () => {
      const s = await previewState();
      return s && s.version === version && s.schedule === to ? s : undefined;
    }, 30_000);
    const latency = previewLatency(state);
    assert(latency, 'the render carries no timing for the edit (editedAt/sentAt missing)');
    assert(latency.editToPost >= 0 && latency.transport >= 0 && latency.webview >= 0, `negative segment ${JSON.stringify(latency)}`);
    samples.push(latency);
    updates.push(state.updateMs);
    gpuHours.set(to, state.gpuHours);
    // Let the page finish its schedule comparison, as between keystrokes of a person reading the preview.
    await new Promise((r) => setTimeout(r, 300));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const series = (key: keyof PreviewLatency) => samples.map((x) => x[key]);
  log(`  edit → paint per run: ${series('editToPaint').join(', ')} ms`);
  measure(`edit event → preview painted (median of ${LATENCY_RUNS})`, median(series('editToPaint')));
  measure('  host: edit event → post (check, resolve)', median(series('editToPost')));
  measure('  transport: host post → webview receives', median(series('transport')));
  measure('  webview: receive → painted (simulate, views, paint)', median(series('webview')));
  measure('  of which simulate and views before paint (updateMs)', median(updates));
  const [dualpipe, oneF1B] = [gpuHours.get('dualpipe') ?? NaN, gpuHours.get('1f1b') ?? NaN];
  log(`  GPU-hours shown: dualpipe ${dualpipe}, 1f1b ${oneF1B}`);
  assert(dualpipe > 0 && oneF1B > dualpipe, 'the preview did not re-simulate: DualPipe should cost fewer GPU-hours than 1F1B');
  await revertAll();
}, 90_000);

test('with the preview open, problems appear and the preview dims for the same broken edit', async () => {
  const editor = await openExample();
  await vscode.window.showTextDocument(editor.document, { preserveFocus: false, viewColumn: editor.viewColumn });
  const line = lineOf(editor.document, /^\s*pipeline:/);
  const t0 = performance.now();
  await replaceOnLine(editor, line, /16\b/, '7');
  const version = editor.document.version;
  await waitFor('the odd-ranks error', () => tcsDiagnostics(editor.document.uri).some((d) => codeOf(d) === 'schedule/dualpipe-odd-ranks'), 10_000);
  measure('edit → problems published, preview open (host-observed)', performance.now() - t0);
  const state = await waitFor(`the preview to report version ${version}`, async () => {
    const s = await previewState();
    return s && s.version === version ? s : undefined;
  }, 10_000);
  assert(state.stale, 'the preview should show the broken config as stale');
  await revertAll();
  await waitFor('the error to go after the revert', () => !tcsDiagnostics(editor.document.uri).some((d) => codeOf(d) === 'schedule/dualpipe-odd-ranks'), 10_000);
}, 60_000);

test("the preview's \"use this schedule\" is an undoable edit of parallelism.schedule, and junk is refused", async () => {
  const editor = await openExample();
  const line = lineOf(editor.document, /^\s*schedule:/);
  const refused = await vscode.commands.executeCommand<boolean>('trainingConfig._applySchedule', 'rm -rf');
  assert(refused === false, 'an unknown schedule was applied');
  const applied = await vscode.commands.executeCommand<boolean>('trainingConfig._applySchedule', '1f1b');
  assert(applied === true, 'the schedule edit was not applied (is the preview open?)');
  await waitFor('the schedule line to read 1f1b', () => /^\s*schedule: 1f1b\b/.test(editor.document.lineAt(line).text));
  await vscode.commands.executeCommand('undo');
  await waitFor('undo to restore dualpipe', () => /^\s*schedule: dualpipe\b/.test(editor.document.lineAt(line).text));
  await revertAll();
}, 30_000);

test('a Megatron-LM launch script is recognised by its content and its flag line gets the diagnostic; a compose file does not', async () => {
  const compose = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'services:\n  trainer:\n    image: nvcr.io/nvidia/pytorch:24.05-py3\n    command: torchrun train.py\n' });
  const script = await vscode.workspace.openTextDocument({
    language: 'shellscript',
    content: [
      '#!/bin/bash',
      '# tcs: cluster.gpu=h100-sxm cluster.nodes=4 cluster.gpus_per_node=8',
      'torchrun --nproc-per-node 8 pretrain_gpt.py \\',
      '  --num-layers 30 --hidden-size 4096 --num-attention-heads 32 --seq-length 4096 \\',
      '  --pipeline-model-parallel-size 4 --tensor-model-parallel-size 2 \\',
      '  --micro-batch-size 1 --global-batch-size 512 --bf16',
      '',
    ].join('\n'),
  });
  const editor = await vscode.window.showTextDocument(script, { preview: false });
  const line = lineOf(editor.document, /--pipeline-model-parallel-size 4/);
  const d = await waitFor('megatron/layers-not-divisible on the --pipeline-model-parallel-size line', () =>
    tcsDiagnostics(script.uri).find((x) => codeOf(x) === 'megatron/layers-not-divisible' && x.range.start.line === line));
  const text = editor.document.lineAt(line).text.slice(d.range.start.character, d.range.end.character);
  log(`  ${codeOf(d)} at ${line + 1}:${d.range.start.character} ("${text}")`);
  assert(/pipeline-model-parallel-size|4/.test(text), `the range must cover the flag or its value, got "${text}"`);
  assert(tcsDiagnostics(compose.uri).length === 0, 'a docker-compose YAML must not be checked as a training config');
  for (const document of [script, compose]) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}, 30_000);

export function run(): Promise<void> {
  return runAll('integration');
}
