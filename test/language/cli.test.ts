import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCommand } from '../../cli/check';
import { main } from '../../cli/main';
import { fakeIO } from '../support/fakeIO';
import { DEEPSEEK } from './helpers';


test('check prints file:line:col severity code message with 1-based positions and exits 1 on errors', () => {
  const f = fakeIO({ 'a.train.yaml': DEEPSEEK().replace('  pipeline: 16', '  pipline: 16') });
  assert.equal(checkCommand(['a.train.yaml'], f.io), 1);
  assert.match(f.out(), /^a\.train\.yaml:40:3 error schema\/unknown-key Unknown key `pipline`/m);
  assert.match(f.out(), /1 file checked: 1 error/);
});

test('check exits 0 on a clean file', () => {
  const f = fakeIO({ 'ds.train.yaml': DEEPSEEK() });
  assert.equal(checkCommand(['ds.train.yaml'], f.io), 0);
});

test('check --json prints files with 0-based ranges', () => {
  const f = fakeIO({ 'a.train.yaml': DEEPSEEK().replace('  pipeline: 16', '  pipline: 16') });
  assert.equal(checkCommand(['--json', 'a.train.yaml'], f.io), 1);
  const parsed = JSON.parse(f.out());
  const d = parsed.files[0].diagnostics.find((x: { code: string }) => x.code === 'schema/unknown-key');
  assert.equal(parsed.files[0].file, 'a.train.yaml');
  assert.deepEqual(Object.keys(d).sort(), ['code', 'fixes', 'message', 'path', 'range', 'severity']);
  assert.deepEqual(d.range.start, { line: 39, character: 2 });
  // The rename fix, tried against the whole file: it leaves nothing wrong.
  assert.deepEqual(Object.keys(d.fixes[0]).sort(), ['edits', 'errorsLeft', 'preferred', 'title']);
  assert.match(d.fixes[0].title, /pipeline/);
  assert.equal(d.fixes[0].errorsLeft, 0);
  assert.equal(d.fixes[0].preferred, true);
});

test("check prints each problem's best quick fix, judged against the whole file", () => {
  const f = fakeIO({ 'p.train.yaml': DEEPSEEK().replace('  pipeline: 16', '  pipeline: 7') });
  assert.equal(checkCommand(['p.train.yaml'], f.io), 1);
  const lines = f.out().split('\n');
  const dualpipe = lines.findIndex((l) => / error schedule\/dualpipe-odd-ranks /.test(l));
  assert.ok(dualpipe >= 0, f.out());
  assert.equal(lines[dualpipe + 1], '  fix: Set pipeline to 16 (clears all 3 errors)');
});

test('check offers no fix that would add errors: an info whose only fixes break the config prints none', () => {
  const text = DEEPSEEK().replace('  layers: 61', '  layers: 63');
  const f = fakeIO({ 'l.train.yaml': text });
  assert.equal(checkCommand(['l.train.yaml'], f.io), 0);
  const lines = f.out().split('\n');
  const uneven = lines.findIndex((l) => / info parallelism\/uneven-stages /.test(l));
  assert.ok(uneven >= 0, f.out());
  assert.doesNotMatch(lines[uneven + 1], /^ {2}fix/, f.out());
  const json = fakeIO({ 'l.train.yaml': text });
  checkCommand(['--json', 'l.train.yaml'], json.io);
  const d = JSON.parse(json.out()).files[0].diagnostics.find((x: { code: string }) => x.code === 'parallelism/uneven-stages');
  assert.equal(d.fixes, undefined);
});

test('an unreadable file is an error, and no files is a usage error', () => {
  const f = fakeIO({});
  assert.equal(checkCommand(['missing.yaml'], f.io), 1);
  assert.match(f.out(), /cli\/unreadable Cannot read the file: no such file/);
  assert.equal(checkCommand([], fakeIO({}).io), 2);
});

test('a byte-order mark does not shift columns', () => {
  const f = fakeIO({ 'b.yaml': '\uFEFFnme: x\n' });
  checkCommand(['b.yaml'], f.io);
  assert.match(f.out(), /^b\.yaml:1:1 error schema\/unknown-key/m);
});

test('an unknown command named like an Object.prototype member is a usage error, not a crash', () => {
  for (const name of ['constructor', 'toString', '__proto__']) {
    const f = fakeIO({});
    assert.equal(main([name], f.io), 2, name);
    assert.match(f.err(), /unknown command/);
  }
});
