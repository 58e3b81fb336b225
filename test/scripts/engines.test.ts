/**
 * What `npm ci` prints about the lockfile. No EBADENGINE warning: every locked package's `engines.node` admits the
 * Node running the tests (CI and `npm ci` here run Node 20). The check npm makes, on the same data (package-lock.json
 * records each engines field).
 * No "install scripts not yet covered by allowScripts" list (npm 11.19, this machine's, skips a dependency's install
 * script unless package.json's `allowScripts` allows it): every locked package with an install script has a decision there, but
 * optional ones, which npm then leaves out (keytar, vsce's credential store for publishing: listing it, even as
 * denied, makes npm install it and its 30 dependencies unbuilt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
// semver (npm's own range semantics) ships no types; this is the one function used.
const { satisfies } = require('semver') as { satisfies(version: string, range: string, options?: object): boolean };

test(`every locked dependency supports this Node (${process.version})`, () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: unknown }> };
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const node = (entry.engines as { node?: unknown } | undefined)?.node;
    if (typeof node === 'string' && !satisfies(process.version, node, { includePrerelease: true })) refused.push(`${path}: node ${node}`);
  }
  assert.deepEqual(refused, []);
});

test('every locked package with an install script is allowed or denied in package.json', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, unknown> };
  const decided = new Set(Object.keys(pkg.allowScripts ?? {}).map((k) => k.replace(/(.)@.*$/, '$1')));
  const undecided = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript === true && entry.optional !== true)
    .map(([path]) => path.replace(/^.*node_modules\//, ''))
    .filter((name) => name !== '' && !decided.has(name));
  assert.deepEqual(undecided, []);
});
