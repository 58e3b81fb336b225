/**
 * `tcs lsp` with a real client nobody here wrote: Neovim's built-in LSP client, headless, driven by
 * test/server/nvim/session.lua. Skips (saying how to install it) when `nvim` is not on PATH; CI installs it
 * (scripts/setup-neovim.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLanguageService } from '../../language/service';
import { repoRoot } from '../support/generate';
import { CLI } from '../support/lspClient';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const available = nvim.status === 0;
const SKIP = available ? false : 'nvim is not installed: `apt-get install -y neovim` (or npm run setup:neovim) to run this test';

test('Neovim: diagnostics, hover, completion and the quick fix, applied by Neovim, over `tcs lsp`', { skip: SKIP, timeout: 120_000 }, () => {
  const service = createLanguageService();
  const example = readFileSync(join(repoRoot(), 'examples', 'llama3-8b.train.yaml'), 'utf8');
  const broken = example.replace('  pipeline: 1', '  pipline: 1');
  const dir = mkdtempSync(join(tmpdir(), 'tcs-nvim-'));
  try {
    const file = join(dir, 'broken.train.yaml');
    const out = join(dir, 'seen.json');
    writeFileSync(file, broken);
    const script = join(repoRoot(), 'test', 'server', 'nvim', 'session.lua');
    const run = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${script}`], {
      encoding: 'utf8',
      timeout: 90_000,
      // Neovim's logs and state stay in the temporary folder.
      env: { ...process.env, TCS_OUT: out, TCS_FILE: file, TCS_CLI: CLI, TCS_NODE: process.execPath, XDG_CACHE_HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
    let seen: Record<string, unknown>;
    try {
      seen = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      return assert.fail(`nvim wrote nothing (exit ${run.status}, ${run.signal ?? ''}): ${run.stderr}\n${run.stdout}`);
    }
    assert.equal(seen.ok, true, `the session failed after ${JSON.stringify(seen.steps)}: ${String(seen.error)}`);

    const result = service.check(broken);
    const core = result.diagnostics;
    const diagnostics = seen.diagnostics as { lnum: number; col: number; end_col: number; message: string; source: string; code: string }[];
    assert.deepEqual(
      diagnostics.map((d) => ({ code: d.code, message: d.message, line: d.lnum, character: d.col, end: d.end_col })),
      core.map((d) => ({ code: d.code, message: d.message, line: d.range.start.line, character: d.range.start.character, end: d.range.end.character })),
    );
    assert.ok(diagnostics.every((d) => d.source === 'tcs'));
    assert.equal(seen.offset_encoding, 'utf-16');

    const hover = seen.hover as { kind: string; value: string };
    assert.equal(hover.kind, 'markdown');
    assert.equal(hover.value, service.hover(result, { line: 4, character: 4 })?.markdown);

    assert.deepEqual(seen.completion, service.completions(result, { line: 9, character: 0 }).map((i) => i.label));

    const unknownKey = core.find((d) => d.code === 'schema/unknown-key')!;
    assert.deepEqual((seen.actions as { title: string }[]).map((a) => a.title), service.fixes(result, unknownKey).map((f) => f.title));
    assert.equal(seen.applied, 'Rename to pipeline');
    assert.equal(seen.text_after, example, 'Neovim applied the edit and the buffer is the fixed config');
    assert.equal(seen.diagnostics_after, 0);
    assert.deepEqual(seen.steps, ['started', 'diagnostics', 'hover', 'completion', 'codeAction', 'applied', 'clean', 'stopped']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
