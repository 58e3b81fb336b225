// `npm run test:e2e`: the packaged extension (.vsix, unpacked into a fresh extensions dir) in code-server on
// 127.0.0.1, a temp copy of examples/ open, Debian's chromium driving it; runs out/test/e2e/suite.js.
// Prints PASS/FAIL per case and `N passed, N failed`; exit 1 on any failure (screenshots in test/e2e/artifacts/).
//
// Options: --vsix FILE (default training-config-studio-<version>.vsix; built with scripts/package.mjs if missing),
//          --suite FILE (default out/test/e2e/suite.js), --keep (leave the server up until Ctrl+C, for debugging).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureSetup, repoRoot, SetupError, startCodeServer } from './server.mjs';
import { launchBrowser, openWorkbench, workbenchUrl } from './browser.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const t0 = Date.now();
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const vsix = resolve(option('vsix', join(repoRoot, `${pkg.name}-${pkg.version}.vsix`)));
const suitePath = resolve(option('suite', join(repoRoot, 'out/test/e2e/suite.js')));
const artifacts = join(repoRoot, 'test/e2e/artifacts');
mkdirSync(artifacts, { recursive: true });
for (const f of readdirSync(artifacts)) if (f.endsWith('.png')) rmSync(join(artifacts, f));

if (!existsSync(vsix)) {
  console.log(`e2e: ${vsix} missing — packaging`);
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs')], { stdio: 'inherit', cwd: repoRoot });
  if (r.status !== 0) process.exit(1);
}
if (!existsSync(suitePath)) {
  console.error(`e2e: ${suitePath} missing — run \`npm run compile-tests\``);
  process.exit(1);
}

const temp = mkdtempSync(join(tmpdir(), 'tcs-e2e-'));
const workspace = join(temp, 'examples');
cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
// As with `npm start` (examples/ inside this repository): the folder sits in a git repository's subfolder, which is
// what makes VS Code ask about "a git repository found in the parent folders" unless the served settings say never.
spawnSync('git', ['init', '-q', temp], { stdio: 'ignore' });

let server;
let browser;
let failed = 1;
try {
  const setupEnv = ensureSetup();
  server = await startCodeServer({ folder: workspace, vsix, setupEnv });
  console.log(`e2e: code-server ${server.url} up in ${server.startMs} ms; extension ${server.installedExtension}`);
  browser = await launchBrowser();
  const { page, workbenchMs } = await openWorkbench(browser, workbenchUrl(server));
  console.log(`e2e: workbench ready in ${workbenchMs} ms`);
  const suite = createRequire(import.meta.url)(suitePath);
  const result = await suite.run({ page, workspace, repoRoot, artifacts });
  failed = result.failed;
  if (process.argv.includes('--keep')) {
    console.log(`e2e: --keep: ${server.url} stays up; Ctrl+C to stop`);
    await new Promise((r) => process.once('SIGINT', r));
  }
} catch (error) {
  console.error(error instanceof SetupError ? `e2e: setup failed: ${error.message}` : `e2e: ERROR ${error?.stack ?? error}`);
  if (server) console.error(`e2e: server log ${server.logFile}`);
  failed = 1;
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  rmSync(temp, { recursive: true, force: true });
}
console.log(`e2e: ${failed === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)}s; screenshots in ${artifacts}`);
process.exit(failed === 0 ? 0 : 1);
