// `npm run test:integration`: the extension-host suite (out/test/integration/index.js, the @vscode/test-electron
// contract: `run(): Promise<void>`) inside code-server's real extension host, through the web workbench's `payload`
// URL parameter, in Debian's chromium. The workbench calls window.codeAutomationExit(code) when run() settles; that
// code is our exit code. Console output of the extension host is forwarded to the page, and printed here.
//
// Options: --extension-dev-path DIR (default: the repo), --tests-path FILE (default out/test/integration/index.js),
//          --workspace DIR (default: a temp copy of examples/), --timeout SECONDS (default 300).
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureSetup, repoRoot, startCodeServer } from './server.mjs';
import { launchBrowser, openWorkbench, remoteUri, workbenchUrl } from './browser.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const devPath = resolve(option('extension-dev-path', repoRoot));
const testsPath = resolve(option('tests-path', join(devPath, 'out/test/integration/index.js')));
const timeoutMs = Number(option('timeout', '300')) * 1000;
const artifacts = join(repoRoot, 'test/e2e/artifacts');
mkdirSync(artifacts, { recursive: true });

let workspace = option('workspace');
let tempWorkspace;
if (!workspace) {
  tempWorkspace = mkdtempSync(join(tmpdir(), 'tcs-integration-'));
  workspace = join(tempWorkspace, 'examples');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
}

const t0 = Date.now();
let setupEnv;
try {
  setupEnv = ensureSetup();
} catch (error) {
  console.error(`integration: setup failed: ${error.message}`);
  process.exit(1);
}
let server;
let browser;
let exitCode = 1;
try {
  server = await startCodeServer({ folder: workspace, setupEnv, testPayload: true });
  console.log(`integration: code-server on ${server.url} (up in ${server.startMs} ms), workspace ${workspace}`);
  browser = await launchBrowser();
  let settle;
  const finished = new Promise((r) => (settle = r));
  const url = workbenchUrl(server, {
    folder: workspace,
    payload: [
      ['extensionDevelopmentPath', remoteUri(server, devPath)],
      ['extensionTestsPath', remoteUri(server, testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ],
  });
  const { page } = await openWorkbench(browser, url, {
    onPage: async (p) => {
      await p.exposeFunction('codeAutomationExit', (code) => settle(Number(code)));
      // The extension host's console reaches the page through codeAutomationLog(type, args); the suite's own lines
      // carry the "[tcs] " prefix (test/integration/harness.ts), everything else is workbench chatter.
      await p.exposeFunction('codeAutomationLog', (type, args) => {
        const text = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        if (text.startsWith('[tcs] ')) console.log(text.slice(6));
        else if (process.env.TCS_VERBOSE) console.log(`[workbench ${type}] ${text}`);
      });
    },
  });
  console.log(`integration: workbench up in ${((Date.now() - t0) / 1000).toFixed(1)}s; running the suite`);
  const timer = setTimeout(() => settle(-1), timeoutMs);
  exitCode = await finished;
  clearTimeout(timer);
  const shot = join(artifacts, 'integration-final.png');
  await page.screenshot({ path: shot }).catch(() => {});
  if (exitCode === -1) {
    console.error(`integration: TIMEOUT after ${timeoutMs / 1000}s waiting for codeAutomationExit — screenshot ${shot}`);
    exitCode = 1;
  } else if (exitCode !== 0) {
    console.error(`integration: FAILED (exit ${exitCode}) — screenshot ${shot}, server log ${server.logFile}`);
  }
} catch (error) {
  console.error(`integration: ERROR ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  const tStop = Date.now();
  await browser?.close().catch(() => {});
  await server?.stop();
  console.log(`integration: stopped browser and server in ${Date.now() - tStop} ms`);
  if (tempWorkspace) rmSync(tempWorkspace, { recursive: true, force: true });
}
console.log(`integration: exit ${exitCode} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
process.exit(exitCode);
