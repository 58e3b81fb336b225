/**
 * Dependencies point one way: adapters (extension/, webview/, cli/, server/) → language/ → simulator/.
 * protocol/ holds the messages two adapters exchange and imports only the core; no adapter imports another;
 * bench/ may use test/support, never the other way. The adapters and the bench reach language/ through one door,
 * language/service.ts (createLanguageService and the types it re-exports), so all see the same checker whatever the
 * format. A new import against these arrows fails here, naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/generate';

/** Which top-level folders each folder may import from (besides itself and npm packages). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  simulator: ['schemas'],
  language: ['simulator', 'schemas'],
  protocol: ['simulator', 'language'],
  extension: ['language', 'simulator', 'protocol', 'schemas'],
  webview: ['language', 'simulator', 'protocol'],
  cli: ['language', 'simulator', 'protocol', 'server', 'schemas'],
  server: ['language', 'simulator', 'protocol', 'schemas'],
  test: ['language', 'simulator', 'protocol', 'extension', 'webview', 'cli', 'server', 'schemas'],
  bench: ['language', 'simulator', 'protocol', 'extension', 'webview', 'cli', 'server', 'schemas', 'test'],
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'artifacts') out.push(...sourceFiles(p));
    } else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative module specifier in a file: imports, re-exports, require() and import(). */
export function relativeImports(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const specs: string[] = [];
  const add = (e: ts.Expression | undefined) => {
    if (e && ts.isStringLiteralLike(e) && e.text.startsWith('.')) specs.push(e.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal as ts.StringLiteral);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

/** The back edges of the tree at root: "from → to (specifier)". */
export function backEdges(root: string): string[] {
  const bad: string[] = [];
  for (const top of Object.keys(ALLOWED)) {
    for (const file of sourceFiles(join(root, top))) {
      for (const spec of relativeImports(file, readFileSync(file, 'utf8'))) {
        const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/)[0];
        if (target === top) continue;
        if (!ALLOWED[top].includes(target)) bad.push(`${relative(root, file)} → ${target}/ ('${spec}')`);
      }
    }
  }
  return bad;
}

test('no folder imports against the layering (adapters → language → simulator; protocol between adapters)', () => {
  assert.deepEqual(backEdges(repoRoot()), []);
});

/** The adapters (and the bench) that must use the language facade. */
const THROUGH_FACADE = ['extension', 'webview', 'cli', 'server', 'bench'];

/** "file → specifier" for every relative module path (import, require, a lazy load) into language/ but the facade. */
export function facadeBypasses(root: string): string[] {
  const bad: string[] = [];
  for (const top of THROUGH_FACADE) {
    for (const file of sourceFiles(join(root, top))) {
      // Every relative string literal, so a lazy load('../language/x') in the bench counts too.
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/['"]((?:\.\.?\/)+[^'"\s]*)['"]/g)) {
        const target = relative(root, resolve(dirname(file), spec)).split(/[\\/]/);
        if (target[0] === 'language' && target.join('/') !== 'language/service') bad.push(`${relative(root, file)} → ${spec}`);
      }
    }
  }
  return bad;
}

test('extension/, webview/, cli/, server/ and bench/ import language/ only through language/service', () => {
  assert.deepEqual(facadeBypasses(repoRoot()), []);
});

/** Runs `check` on a temporary tree of files (path → text). */
function withTree(files: Record<string, string>, check: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'tcs-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    check(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the layering check sees a back edge: a simulator file importing language/ and a webview file importing extension/', () => {
  withTree({
    'simulator/x.ts': "import type { A } from '../language/check';\nimport { b } from './y';\n",
    'webview/v.ts': "type C = import('../extension/preview').C;\nconst p = require('../protocol/preview');\n",
  }, (root) => {
    assert.deepEqual(backEdges(root).sort(), [
      "simulator/x.ts → language/ ('../language/check')",
      "webview/v.ts → extension/ ('../extension/preview')",
    ]);
  });
});

test('the facade check sees a deep import into language/, static or lazy, and lets the facade through', () => {
  withTree({
    'cli/a.ts': "import { checkText } from '../language/check';\nimport { x } from '../language/service';\n",
    'bench/b.ts': "const m = load('../language/formats/yaml');\n",
  }, (root) => {
    assert.deepEqual(facadeBypasses(root), ['cli/a.ts → ../language/check', 'bench/b.ts → ../language/formats/yaml']);
  });
});
