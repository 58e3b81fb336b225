/**
 * `npm ci` prints no EBADENGINE warning: every locked package's `engines.node` admits the Node running the tests (CI
 * and `npm ci` here run Node 20). The check npm makes, on the same data (package-lock.json records each engines field).
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
