/**
 * Dependencies point one way: adapters (extension/, webview/, cli/, server/) → language/ → simulator/.
 * protocol/ holds the messages two adapters exchange and imports only the core; no adapter imports another;
 * bench/ may use test/support, never the other way. A new import against these arrows fails here, naming it.
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

test('the layering check sees a back edge: a simulator file importing language/ and a webview file importing extension/', () => {
  const root = mkdtempSync(join(tmpdir(), 'tcs-layers-'));
  try {
    mkdirSync(join(root, 'simulator'));
    mkdirSync(join(root, 'webview'));
    writeFileSync(join(root, 'simulator', 'x.ts'), "import type { A } from '../language/check';\nimport { b } from './y';\n");
    writeFileSync(join(root, 'webview', 'v.ts'), "type C = import('../extension/preview').C;\nconst p = require('../protocol/preview');\n");
    assert.deepEqual(backEdges(root).sort(), [
      "simulator/x.ts → language/ ('../language/check')",
      "webview/v.ts → extension/ ('../extension/preview')",
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
