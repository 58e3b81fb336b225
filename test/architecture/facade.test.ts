/**
 * The adapters reach the language core through one door, language/service.ts (createLanguageService and the types
 * it re-exports), so the extension, the CLI, the bench and the language server see the same checker, whatever the
 * format. Any module path into language/ other than the facade fails here, naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../support/generate';

const ADAPTERS = ['extension', 'cli', 'server', 'webview', 'bench'];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(p);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** "file → specifier" for every relative module path (import, require, a lazy load) into language/ but the facade. */
export function doorsAround(root: string): string[] {
  const bad: string[] = [];
  for (const top of ADAPTERS) {
    for (const file of sourceFiles(join(root, top))) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/['"]((?:\.\.?\/)+[^'"\s]*)['"]/g)) {
        const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/);
        if (target[0] === 'language' && target.join('/') !== 'language/service') bad.push(`${relative(root, file)} → ${spec}`);
      }
    }
  }
  return bad;
}

test('extension/, cli/, server/, webview/ and bench/ import language/ only through language/service', () => {
  assert.deepEqual(doorsAround(repoRoot()), []);
});

test('a deep import into language/, static or lazy, is caught; the facade is not', () => {
  const root = mkdtempSync(join(tmpdir(), 'tcs-facade-'));
  try {
    for (const dir of ['cli', 'bench', 'language']) mkdirSync(join(root, dir));
    writeFileSync(join(root, 'cli', 'a.ts'), "import { checkText } from '../language/check';\nimport { x } from '../language/service';\n");
    writeFileSync(join(root, 'bench', 'b.ts'), "const m = load('../language/formats/yaml');\n");
    assert.deepEqual(doorsAround(root), ['cli/a.ts → ../language/check', 'bench/b.ts → ../language/formats/yaml']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
