/**
 * The packaged extension ships only what a user needs: the dist/ bundles, schemas/, examples/, README.md, LICENSE,
 * package.json and images/icon.png (plus vsce's own [Content_Types].xml and extension.vsixmanifest).
 * Checked two ways: the file list `vsce ls --no-dependencies` computes from .vscodeignore (always), and the central
 * directory of the built .vsix (when `npm run package` has made one).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles, PackageManager } from '@vscode/vsce';

const root = join(__dirname, '..', '..', '..');
/** vsce stores README.md as readme.md and LICENSE as LICENSE.txt inside the .vsix. */
const SHIPPED = /^(dist\/[^/]+\.(js|css|ttf)|schemas\/[^/]+\.json|examples\/[^/]+\.train\.ya?ml|README\.md|readme\.md|LICENSE(\.txt)?|package\.json|images\/icon\.png)$/;
const VSCE_OWN = ['[Content_Types].xml', 'extension.vsixmanifest'];
/** Each bundle build.mjs makes from a source that exists must be in the package. */
const BUNDLES: [source: string, bundle: string][] = [
  ['extension/extension.ts', 'dist/extension.js'],
  ['cli/main.ts', 'dist/cli.js'],
  ['extension/searchWorker.ts', 'dist/searchWorker.js'],
  ['webview/main.ts', 'dist/webview.js'],
  ['webview/style.css', 'dist/webview.css'],
];

function required(): string[] {
  const files = ['package.json', 'README.md', 'LICENSE', 'examples/deepseek-v3.train.yaml'];
  for (const [source, bundle] of BUNDLES) if (existsSync(join(root, source))) files.push(bundle);
  if (existsSync(join(root, 'images/icon.png'))) files.push('images/icon.png');
  // The webview's codicon stylesheet loads the font beside it.
  if (existsSync(join(root, 'dist/codicon.css'))) files.push('dist/codicon.css', 'dist/codicon.ttf');
  return files;
}

/** Names in a zip's central directory (enough of the format for a .vsix). */
function zipEntries(buffer: Buffer): string[] {
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'not a zip file');
  const names: string[] = [];
  let at = buffer.readUInt32LE(eocd + 16);
  for (let n = buffer.readUInt16LE(eocd + 10); n > 0; n--) {
    assert.equal(buffer.readUInt32LE(at), 0x02014b50, 'bad central directory entry');
    const nameLength = buffer.readUInt16LE(at + 28);
    names.push(buffer.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  return names;
}

test('.vscodeignore lets only the bundles, schemas, examples, README, LICENSE, package.json and icon into the package', async () => {
  const files = (await listFiles({ cwd: root, packageManager: PackageManager.None })).map((f) => f.replace(/\\/g, '/'));
  const unexpected = files.filter((f) => !SHIPPED.test(f));
  assert.deepEqual(unexpected, [], `files that would be packaged but should not be: ${unexpected.join(', ')}`);
  const missing = required().filter((f) => !files.includes(f));
  assert.deepEqual(missing, [], `files missing from the package: ${missing.join(', ')}`);
  assert.ok(files.some((f) => f.startsWith('schemas/')), 'no schemas packaged');
});

test('the built .vsix holds exactly the shipped files under extension/', (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(root, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) {
    t.skip(`no ${pkg.name}-${pkg.version}.vsix yet (npm run package makes it)`);
    return;
  }
  // A package older than the bundles describes an earlier tree: `npm test` rebuilds dist/ but not the .vsix.
  const bundle = join(root, 'dist/extension.js');
  if (existsSync(bundle) && statSync(vsix).mtimeMs < statSync(bundle).mtimeMs) {
    t.skip(`${pkg.name}-${pkg.version}.vsix is older than dist/ (npm run package rebuilds it)`);
    return;
  }
  const entries = zipEntries(readFileSync(vsix)).filter((e) => !e.endsWith('/'));
  for (const own of VSCE_OWN) assert.ok(entries.includes(own), `${own} missing from the .vsix`);
  const inside = entries.filter((e) => !VSCE_OWN.includes(e));
  const outside = inside.filter((e) => !e.startsWith('extension/'));
  assert.deepEqual(outside, [], `entries outside extension/: ${outside.join(', ')}`);
  const unexpected = inside.map((e) => e.slice('extension/'.length)).filter((f) => !SHIPPED.test(f));
  assert.deepEqual(unexpected, [], `unexpected files in the .vsix: ${unexpected.join(', ')}`);
  const names = inside.map((e) => e.slice('extension/'.length));
  const alias: Record<string, string> = { LICENSE: 'LICENSE.txt', 'README.md': 'readme.md' };
  const missing = required().filter((f) => !names.includes(f) && !(alias[f] && names.includes(alias[f])));
  assert.deepEqual(missing, [], `files missing from the .vsix: ${missing.join(', ')}`);
  assert.ok(readdirSync(root).includes(`${pkg.name}-${pkg.version}.vsix`));
});
