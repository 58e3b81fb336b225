// `npm start`: build the extension and serve it in a real VS Code (code-server) on 127.0.0.1 with examples/ open;
// prints the URL; Ctrl+C stops the server's whole process group.
// `npm start -- --cli` (or when code-server cannot be set up): the same analysis in the terminal —
// `tcs check examples/*.train.yaml` and `tcs simulate examples/deepseek-v3.train.yaml`.
// Options: --port N (default 8080, or a free port if taken), --no-setup (fail instead of installing code-server).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureSetup, freePort, repoRoot, startCodeServer } from './e2e/server.mjs';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

function node(args) {
  return spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' }).status ?? 1;
}

function runCli() {
  const examples = readdirSync(join(repoRoot, 'examples'))
    .filter((f) => f.endsWith('.train.yaml'))
    .map((f) => join('examples', f));
  console.log(`\n$ tcs check ${examples.join(' ')}`);
  const check = node(['dist/cli.js', 'check', ...examples]);
  console.log('\n$ tcs simulate examples/deepseek-v3.train.yaml');
  const simulate = node(['dist/cli.js', 'simulate', 'examples/deepseek-v3.train.yaml']);
  process.exit(check === 0 && simulate === 0 ? 0 : 1);
}

console.log('start: building…');
if (node(['scripts/build.mjs']) !== 0) process.exit(1);
if (argv.includes('--cli')) runCli();

let setupEnv;
try {
  if (argv.includes('--no-setup')) throw new Error('--no-setup');
  console.log('start: checking code-server and chromium (first run installs them, ~5 min)…');
  setupEnv = ensureSetup();
} catch (error) {
  console.log(`start: no code-server available (${error.message.split('\n')[0]}); showing the CLI instead.`);
  runCli();
}

// Stage the extension exactly as it would be packaged (the files vsce would include), installed unpacked.
const stage = mkdtempSync(join(tmpdir(), 'tcs-start-'));
const { listFiles, PackageManager } = createRequire(import.meta.url)('@vscode/vsce');
for (const file of await listFiles({ cwd: repoRoot, packageManager: PackageManager.None })) {
  mkdirSync(dirname(join(stage, file)), { recursive: true });
  cpSync(join(repoRoot, file), join(stage, file));
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
let port = Number(option('port') ?? process.env.TCS_PORT ?? 8080);
if (!option('port') && !(await portFree(port))) port = await freePort(); // 8080 taken: any free port
const server = await startCodeServer({ folder: join(repoRoot, 'examples'), extensionDir: stage, port, setupEnv });
rmSync(stage, { recursive: true, force: true });
const url = `${server.url}/?folder=${encodeURIComponent(join(repoRoot, 'examples'))}`;
console.log(`\nTraining Config Studio in VS Code: ${url}`);
console.log('Open a *.train.yaml file; "Training Config: Open Preview" shows the timeline. Ctrl+C stops the server.\n');

const shutdown = async () => {
  await server.stop();
  console.log('start: stopped.');
  process.exit(0);
};
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
await new Promise(() => {}); // serve until a signal
