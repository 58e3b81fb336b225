/** The server's pure parts: position encodings, settings as editors send them, globs, transport arguments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { negotiateEncoding, utf16ToUtf8Column, utf8ToUtf16Column } from '../../server/encoding';
import { globToRegExp, isTrainingConfigPath, parseSettings, uriPath } from '../../server/settings';
import { parseTransport } from '../../server/transport';

test('encodings: the client’s first of utf-8/utf-16 wins; UTF-16 when it lists neither', () => {
  assert.equal(negotiateEncoding(['utf-32', 'utf-8', 'utf-16']), 'utf-8');
  assert.equal(negotiateEncoding(['utf-16', 'utf-8']), 'utf-16');
  assert.equal(negotiateEncoding(['utf-32']), 'utf-16');
  assert.equal(negotiateEncoding(undefined), 'utf-16');
});

test('UTF-8 columns are Buffer.byteLength of the line’s prefix, and convert back to the same UTF-16 column', () => {
  const line = 'a é 日 🚀 z';
  for (let c = 0; c <= line.length; c++) {
    // A column inside the surrogate pair is not a character boundary: skip it.
    if (c > 0 && line.charCodeAt(c - 1) >= 0xd800 && line.charCodeAt(c - 1) <= 0xdbff) continue;
    const bytes = utf16ToUtf8Column(line, c);
    assert.equal(bytes, Buffer.byteLength(line.slice(0, c)), `column ${c}`);
    assert.equal(utf8ToUtf16Column(line, bytes), c);
  }
  // A byte column inside a character moves to its start; past the end, to the end.
  assert.equal(utf8ToUtf16Column('é', 1), 0);
  assert.equal(utf8ToUtf16Column('ab', 99), 2);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.nat(40), (s, n) => {
      const c = Math.min(n, s.length);
      const back = utf8ToUtf16Column(s, utf16ToUtf8Column(s, c));
      return back <= c && c - back <= 1;
    }),
  );
});

test('settings arrive nested (Neovim’s settings table) or flat (VS Code’s keys); junk falls back to defaults', () => {
  assert.deepEqual(parseSettings({ validate: { enable: false }, files: ['a/*.yaml'] }), { validate: false, files: ['a/*.yaml'], formatFiles: [], defaults: undefined });
  assert.deepEqual(parseSettings({ 'validate.enable': false }), { validate: false, files: [], formatFiles: [], defaults: undefined });
  assert.deepEqual(parseSettings({ trainingConfig: { validate: { enable: false } } }), { validate: false, files: [], formatFiles: [], defaults: undefined });
  assert.deepEqual(parseSettings(null), { validate: true, files: [], formatFiles: [] });
  assert.deepEqual(parseSettings({ files: 'x', validate: 'no' }), { validate: true, files: [], formatFiles: [], defaults: undefined });
  assert.deepEqual(parseSettings({ files: [1, '', 'b.yaml'] }), { validate: true, files: ['b.yaml'], formatFiles: [], defaults: undefined });
  assert.deepEqual(parseSettings({ formats: { files: { '**/*.sh': 'megatron', 'x': 'nope' } }, defaultCluster: { gpu: 'h100-sxm', nodes: 4, bad: {} } }), {
    validate: true, files: [], formatFiles: [['**/*.sh', 'megatron']], defaults: { cluster: { gpu: 'h100-sxm', nodes: 4 } },
  });
});

test('globs match as VS Code document filters do, against the path and the path in each workspace folder', () => {
  const matches = (glob: string, path: string) => globToRegExp(glob)!.test(path);
  assert.ok(matches('**/*.train.yaml', '/home/u/x.train.yaml'));
  assert.ok(matches('**/*.train.yaml', 'x.train.yaml'));
  assert.ok(!matches('**/*.train.yaml', '/home/u/x.train.yaml.bak'));
  assert.ok(matches('**/configs/{pretrain,sft}/*.y*ml', '/r/configs/sft/a.yml'));
  assert.ok(matches('**/a.y?ml', '/r/a.yaml') && !matches('**/a.y?ml', '/r/a.yml'), '? is one character');
  assert.ok(!matches('**/configs/*.yaml', '/r/configs/deep/a.yaml'));
  assert.ok(matches('**/ds_config[0-9].json', '/r/ds_config3.json'));
  assert.ok(matches('**/(a).yaml', '/r/(a).yaml'), 'regex characters are literal');
  assert.equal(globToRegExp('{unclosed'), undefined);
  assert.ok(isTrainingConfigPath('/r/a.train.yml', []));
  assert.ok(!isTrainingConfigPath('/r/docker-compose.yaml', []));
  assert.ok(isTrainingConfigPath('/r/configs/a.yaml', ['configs/*.yaml'], ['/r']));
  assert.ok(!isTrainingConfigPath('/r/configs/a.yaml', ['configs/*.yaml'], ['/other']));
  assert.equal(uriPath('file:///home/u/my%20configs/a.train.yaml'), '/home/u/my configs/a.train.yaml');
  assert.equal(uriPath('file:///c%3A/x/a.train.yaml'), 'c:/x/a.train.yaml');
});

test('transport arguments: stdio by default, --socket=PORT / --socket PORT, --pipe=NAME; anything else is a usage error', () => {
  assert.deepEqual(parseTransport([]), { kind: 'stdio' });
  assert.deepEqual(parseTransport(['--stdio']), { kind: 'stdio' });
  assert.deepEqual(parseTransport(['--socket=5007']), { kind: 'socket', port: 5007 });
  assert.deepEqual(parseTransport(['--socket', '5007']), { kind: 'socket', port: 5007 });
  assert.deepEqual(parseTransport(['--pipe=/tmp/tcs.sock']), { kind: 'pipe', name: '/tmp/tcs.sock' });
  assert.deepEqual(parseTransport(['--clientProcessId=12', '--stdio']), { kind: 'stdio' });
  for (const bad of [['--socket=0'], ['--socket=70000'], ['--socket'], ['--pipe='], ['--verbose']]) assert.equal(typeof parseTransport(bad), 'string', bad.join(' '));
});
