/**
 * scripts/e2e/setup.mjs: nested installs run in a clean environment, and a failed setup is remembered, not repeated.
 *
 * The environment test reproduces how `npm start` reaches the code-server install: a real outer `npm run` (which
 * exports its npm_config_* options, its user agent, INIT_CWD and node_modules/.bin on PATH to the script), and inside
 * it a nested `npm run` started with setup.mjs's cleanEnv and another Node first on PATH (a shim that execs this Node
 * and marks its children). The nested script must run on that Node and see its own npm's user agent — the value
 * code-server's postinstall parses for the Node major — and none of the outer npm's variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(__dirname, '..', '..', '..');
const setupUrl = pathToFileURL(join(root, 'scripts/e2e/setup.mjs')).href;
const OUTER_AGENT = 'npm/0.0.0 node/v0.0.0 outer-agent';

function npmAvailable(): boolean {
  return spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;
}

test('a nested npm started from inside an npm script runs on the Node first on PATH, with none of the outer npm variables', { skip: !npmAvailable() && 'npm not on PATH' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcs-setup-env-'));
  try {
    const shimBin = join(dir, 'node24-bin');
    mkdirSync(shimBin);
    writeFileSync(join(shimBin, 'node'), `#!/bin/sh\nTCS_SHIM_NODE=yes exec "${process.execPath}" "$@"\n`);
    chmodSync(join(shimBin, 'node'), 0o755);
    const inner =
      'const e = process.env; console.log(JSON.stringify({ shim: e.TCS_SHIM_NODE, agent: e.npm_config_user_agent, ' +
      'leak: e.npm_config_tcs_leak, event: e.npm_lifecycle_event, pkg: e.npm_package_name, initCwd: e.INIT_CWD, ' +
      "outerBin: (e.PATH || '').split(':').filter((p) => p.includes('outer-pkg')), version: process.version }))";
    const outer =
      `import { spawnSync } from 'node:child_process'; import { cleanEnv } from ${JSON.stringify(setupUrl)};\n` +
      `const env = cleanEnv({ nodeBin: ${JSON.stringify(shimBin)} });\n` +
      `const r = spawnSync('npm', ['run', '--silent', 'inner'], { cwd: ${JSON.stringify(join(dir, 'inner-pkg'))}, env, encoding: 'utf8' });\n` +
      `process.stdout.write(r.stdout); process.stderr.write(r.stderr); process.exit(r.status ?? 1);\n`;
    mkdirSync(join(dir, 'outer-pkg/node_modules/.bin'), { recursive: true });
    mkdirSync(join(dir, 'inner-pkg'));
    writeFileSync(join(dir, 'outer-pkg/outer.mjs'), outer);
    writeFileSync(join(dir, 'outer-pkg/package.json'), JSON.stringify({ name: 'outer-pkg', private: true, scripts: { outer: 'node outer.mjs' } }));
    writeFileSync(join(dir, 'inner-pkg/inner.cjs'), inner);
    writeFileSync(join(dir, 'inner-pkg/package.json'), JSON.stringify({ name: 'inner-pkg', private: true, scripts: { inner: 'node inner.cjs' } }));

    // The outer npm: its own options (--user-agent as npm start's npm would carry "npm/… node/v20…", and an extra one).
    const r = spawnSync('npm', ['run', '--silent', 'outer', `--user-agent=${OUTER_AGENT}`, '--tcs-leak=outer'], {
      cwd: join(dir, 'outer-pkg'),
      encoding: 'utf8',
      env: { ...process.env, npm_config_user_agent: undefined } as NodeJS.ProcessEnv,
    });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(seen.shim, 'yes', 'the nested npm and its script run on the Node put first on PATH');
    assert.match(seen.agent, new RegExp(`node/${process.version.replace(/\./g, '\\.')}\\b`), `the nested npm's own user agent, not the outer one: ${seen.agent}`);
    assert.doesNotMatch(seen.agent, /outer-agent/);
    assert.equal(seen.leak, undefined, 'an outer npm_config_* option reaches the nested npm');
    assert.equal(seen.event, 'inner');
    assert.equal(seen.pkg, 'inner-pkg');
    assert.match(seen.initCwd, /inner-pkg$/);
    assert.deepEqual(seen.outerBin, [], "the outer package's node_modules/.bin stays off the nested PATH");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function setupCli(cache: string, args: string[] = []) {
  return spawnSync(process.execPath, [join(root, 'scripts/e2e/setup.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TCS_CACHE: cache, TCS_SETUP_RETRY: '' },
  });
}

function inputsKey(): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { inputsKey } from ${JSON.stringify(setupUrl)}; console.log(inputsKey());`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('a failed setup is reported in one line with its log and not retried while its inputs are unchanged', () => {
  const cache = mkdtempSync(join(tmpdir(), 'tcs-setup-failed-'));
  try {
    const log = join(cache, 'setup.log');
    const failed = { reason: 'code-server 4.139.1 on Node 24 failed (exit 1): ERROR: code-server currently requires node v24.', log, inputs: inputsKey(), at: '2026-01-01T00:00:00Z' };
    writeFileSync(join(cache, 'failed.json'), JSON.stringify(failed));
    const r = setupCli(cache);
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^setup: FAILED: the last setup failed .*requires node v24\..*--retry.*\(log: .*setup\.log\)$/);
    assert.equal(existsSync(log), false, 'nothing was run again');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('--check names what a first run would install and installs nothing', () => {
  const cache = mkdtempSync(join(tmpdir(), 'tcs-setup-check-'));
  try {
    const r = setupCli(cache, ['--check']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /would install: .*code-server 4\.139\.1/);
    assert.equal(existsSync(join(cache, 'setup.log')), false);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("a failure's one-line reason is the cause in the log, not npm's summary of the failed script", () => {
  const script = `import { lastErrorLine } from ${JSON.stringify(setupUrl)};
    const logs = JSON.parse(process.argv[1]);
    console.log(JSON.stringify(logs.map(lastErrorLine)));`;
  const logs = [
    // code-server 4.139's postinstall under an npm whose user agent says node/v20 (the bug this setup avoids)
    'Installing Code dependencies...\nERROR: code-server currently requires node v24.\nWe have detected that you are on node v20\n' +
      'but configurations that do not use the same node version are unsupported.\nnpm error code 1\nnpm error path /c/node_modules/code-server\n' +
      'npm error command failed\nnpm error command sh -c sh ./postinstall.sh\nnpm error A complete log of this run can be found in: /root/.npm/_logs/x.log\n',
    // code-server 4.100's postinstall as root without unsafe-perm
    'Please pass --unsafe-perm to npm to install code-server\nOtherwise post-install scripts will not have permissions to run\nSee https://docs.npmjs.com/misc/config#unsafe-perm\nnpm error code 1\nnpm error A complete log of this run can be found in: /x.log\n',
    'npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/code-server - Not found\nnpm error A complete log of this run can be found in: /x.log\n',
  ];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(logs)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    'ERROR: code-server currently requires node v24.',
    'Please pass --unsafe-perm to npm to install code-server',
    'npm error 404 Not Found - GET https://registry.npmjs.org/code-server - Not found',
  ]);
});
