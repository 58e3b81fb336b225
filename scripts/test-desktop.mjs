// `npm run test:desktop`: the extension-host integration suite (out/test/integration/index.js) in a desktop VS Code
// downloaded by @vscode/test-electron. Needs a desktop session (or xvfb-run) and network access to download VS Code —
// it does not work on the offline CI machine, where `npm run test:integration` runs the same suite in code-server.
//
//   npm run test:desktop                       # latest stable VS Code
//   TCS_VSCODE_VERSION=1.100.0 npm run test:desktop
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const temp = mkdtempSync(join(tmpdir(), 'tcs-desktop-'));
const workspace = join(temp, 'examples');
cpSync(join(root, 'examples'), workspace, { recursive: true });

let code = 1;
try {
  code = await runTests({
    version: process.env.TCS_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
      '--user-data-dir', join(temp, 'user-data')],
  });
} catch (error) {
  console.error(`test:desktop failed: ${error?.message ?? error}`);
  console.error('It needs a desktop (or xvfb-run) and network access to download VS Code; offline, use `npm run test:integration`.');
  code = 1;
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(code);
