/**
 * The editor and `tcs check` agree on every fixture in each format: the same diagnostics (what is assumed
 * included) at the same ranges, with the same fixes. The editor's path is the extension's: the document selected
 * by extension/selection.ts, checked and fixed through the language service; the CLI's is `tcs check --json`.
 * And `tcs import` assumes exactly what the check says it assumes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { main } from '../../cli/main';
import { selectDocument } from '../../extension/selection';
import { createLanguageService, DEFAULT_PATTERNS, importFiles, recheckBudget, type FormatId } from '../../language/service';
import { fakeIO } from '../support/fakeIO';
import { FIXTURES, fixture } from '../formats/helpers';

const language = createLanguageService();
/** A start-up log is plain text the editor probes only by a `trainingConfig.formats.files` glob. */
const FORMAT_FILES: Array<[string, FormatId]> = [['**/*.log', 'megatron']];
const LANGUAGE_OF: Record<string, string> = { sh: 'shellscript', yaml: 'yaml', json: 'json', toml: 'plaintext', log: 'plaintext' };
/** `**\/*.train.yaml` and the like, as vscode.languages.match reads them for a path without folders. */
const matches = (name: string) => (pattern: string) => new RegExp(`^${pattern.replace(/^\*\*\//, '').replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`).test(name);

function editorDiagnostics(name: string, text: string) {
  const languageId = LANGUAGE_OF[name.slice(name.lastIndexOf('.') + 1)] ?? 'plaintext';
  const selection = selectDocument({ fileName: `/w/${name}`, languageId, text }, { yamlPatterns: DEFAULT_PATTERNS, formatFiles: FORMAT_FILES }, matches(name), language.formatOf);
  // The editor's own re-check budget is per request; a loaded test machine must not run out of it.
  const result = language.check(text, { fileName: name, format: selection?.format });
  return {
    format: selection?.format,
    diagnostics: result.diagnostics.map(({ severity, code, message, path, range, ...rest }) => {
      const fixes = language.fixes(result, { severity, code, message, path, range, ...rest }, recheckBudget(256, 60_000)).map((p) => ({ title: p.title, errorsLeft: p.errorsLeft, edits: p.fix.edits }));
      return fixes.length > 0 ? { severity, code, message, path, range, fixes } : { severity, code, message, path, range };
    }),
  };
}

function cliDiagnostics(name: string, text: string) {
  const f = fakeIO({ [name]: text });
  main(['check', '--json', name], f.io);
  const [file] = (JSON.parse(f.out()) as { files: { diagnostics: { fixes?: { title: string; errorsLeft?: number; edits: unknown }[] }[] }[] }).files;
  return file.diagnostics.map((d) => (d.fixes ? { ...d, fixes: d.fixes.map(({ title, errorsLeft, edits }) => ({ title, errorsLeft, edits })) } : d));
}

const names = readdirSync(FIXTURES).filter((n) => !n.startsWith('.')).sort();

test('every format has fixtures here', () => {
  const formats = new Set(names.map((n) => editorDiagnostics(n, fixture(n)).format));
  for (const f of ['megatron', 'torchtitan', 'nemo', 'deepspeed', 'hf']) assert.ok(formats.has(f as never), f);
});

for (const name of names) {
  test(`${name}: the editor and tcs check report the same diagnostics and fixes`, () => {
    const text = fixture(name);
    const editor = editorDiagnostics(name, text);
    assert.ok(editor.format, `${name} is selected by the editor`);
    assert.deepEqual(cliDiagnostics(name, text), editor.diagnostics);
  });

  test(`${name}: tcs import assumes what the check says it assumes`, () => {
    const text = fixture(name);
    // One info per fact: the cluster's keys in one, a wholly absent model in one, every other key in its own.
    const infos = language.check(text, { fileName: name }).diagnostics.filter((d) => d.code === 'formats/assumed');
    const covers = (d: { path: string }, path: string) => d.path === path || ((d.path === 'cluster' || d.path === 'model') && path.startsWith(`${d.path}.`));
    const imported = importFiles([{ name, text }]);
    assert.ok(imported.ok);
    for (const a of imported.assumed) {
      const d = infos.find((x) => covers(x, a.path));
      assert.ok(d, `${a.path} is said`);
      if (d.path !== 'model') assert.ok(d.message.includes(String(a.value)), `${d.message} names ${a.value}`);
    }
    for (const d of infos) {
      // A file with no parallel layout at all gets one statement (memory is not checked); it names no assumed value.
      if (d.path === 'parallelism') {
        const value = language.parse(text, { fileName: name }).value as Record<string, unknown> | null;
        assert.equal(value?.parallelism, undefined, `${name}: the no-layout info only where the file has no layout`);
        continue;
      }
      assert.ok(imported.assumed.some((a) => covers(d, a.path)), `${d.path} is assumed by import too`);
    }
  });
}
