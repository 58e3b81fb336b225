// Starts code-server (the real VS Code workbench + a Node extension host) on 127.0.0.1, in its own process group, with
// the extension installed into a fresh extensions dir; resolves when the HTTP port answers.
//
//   const server = await startCodeServer({ folder, vsix });   // or { extensionDir } for an unpacked folder
//   ... server.url ...
//   await server.stop();                                      // kills the whole group (file watcher, extension host)
//
// Every server is also killed when this Node process exits, whatever the reason (see `live` below).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractZip } from './zip.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Installs what is missing (once; see setup.mjs) and returns the TCS_* environment; throws SetupError. */
import { ensureSetup, SetupError } from './setup.mjs';
export { ensureSetup, SetupError };

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.end();
  });
}

/** The unpacked folder name VS Code expects: publisher.name-version. */
export function extensionFolderName(manifest) {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
}

/** Process groups still running; killed on exit so nothing outlives the runner. */
const live = new Set();
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
process.on('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}

/**
 * @param {object} options
 * @param {string} options.folder        workspace folder to open
 * @param {string} [options.vsix]        a .vsix to install (unpacked into the extensions dir)
 * @param {string} [options.extensionDir] an unpacked extension folder (with package.json) to copy in instead
 * @param {number} [options.port]
 * @param {object} [options.settings]    extra user settings
 * @param {object} [options.setupEnv]    result of ensureSetup(), if already run
 * @param {number} [options.timeoutMs]
 * @param {boolean} [options.testPayload] accept extension-test `payload` URLs (extension-host integration suite)
 */
export async function startCodeServer(options) {
  const setup = options.setupEnv ?? ensureSetup();
  const port = options.port ?? (await freePort());
  const base = mkdtempSync(join(tmpdir(), 'tcs-code-server-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  const xdgConfig = join(base, 'xdg-config');
  for (const d of [userDataDir, extensionsDir, xdgConfig, join(userDataDir, 'User')]) mkdirSync(d, { recursive: true });

  // A quiet, deterministic workbench: no welcome page or walkthrough, no trust prompt, no update/telemetry chatter, no
  // auto-save, and no "A git repository was found in the parent folders" prompt (examples/ sits inside this repo).
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'git.openRepositoryInParentFolders': 'never',
    'update.showReleaseNotes': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'files.autoSave': 'off',
    'editor.hover.delay': 100,
    'editor.minimap.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...options.settings,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  let installed;
  if (options.vsix) {
    const tmp = join(base, 'unpack');
    extractZip(options.vsix, tmp, 'extension/');
    const manifest = JSON.parse(readFileSync(join(tmp, 'package.json'), 'utf8'));
    installed = join(extensionsDir, extensionFolderName(manifest));
    cpSync(tmp, installed, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
  }
  if (options.extensionDir) {
    const manifest = JSON.parse(readFileSync(join(options.extensionDir, 'package.json'), 'utf8'));
    const folder = join(extensionsDir, extensionFolderName(manifest));
    cpSync(options.extensionDir, folder, { recursive: true });
    installed ??= folder;
  }

  const logFile = join(base, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  const args = [
    setup.TCS_CODE_SERVER,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // The web workbench honours the `payload` URL parameter (extensionDevelopmentPath / extensionTestsPath) only when
    // not built or when the smoke-test driver is enabled; code-server passes the VS Code flag through --vscode-option.
    ...(options.testPayload ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    options.folder,
  ];
  const child = spawn(setup.TCS_CODE_SERVER_NODE, args, {
    detached: true, // own process group: stop() kills the group
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: xdgConfig,
      XDG_DATA_HOME: join(base, 'xdg-data'),
      XDG_CACHE_HOME: join(base, 'xdg-cache'),
      // Keep the extension host's Node options clean even if the caller runs under a debugger/test runner.
      NODE_OPTIONS: '',
    },
  });
  closeSync(logFd);
  const pid = child.pid;
  live.add(pid);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));

  const stop = async () => {
    if (!live.has(pid)) return;
    live.delete(pid);
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
    // Children (extension host, watcher) may outlive the leader for a moment; finish the group.
    killGroup(pid, 'SIGKILL');
    if (!process.env.TCS_KEEP_TMP) rmSync(base, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const t0 = Date.now();
  for (;;) {
    if (exited) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      live.delete(pid);
      throw new Error(`code-server exited (${JSON.stringify(exited)}) before answering:\n${tail}`);
    }
    if ((await httpStatus(`${url}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${options.timeoutMs ?? 60_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 100)); // poll interval for the HTTP condition
  }
  return {
    url,
    port,
    pid,
    folder: options.folder,
    userDataDir,
    extensionsDir,
    installedExtension: installed,
    logFile,
    startMs: Date.now() - t0,
    stop,
  };
}
