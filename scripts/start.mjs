// `npm start`: build the extension and serve it in a real VS Code (code-server) on 127.0.0.1 with examples/ open;
// prints the URL; Ctrl+C stops the server's whole process group.
// The first run installs code-server, Node 24 and chromium (scripts/e2e/setup.mjs); a setup that fails says why in one
// line, names its log and exits 1 (it is not retried until its inputs change or `--retry` asks).
// `npm start -- --cli`: the same analysis in the terminal instead —
// `tcs check examples/*.train.yaml` and `tcs simulate examples/deepseek-v3.train.yaml`.
// Options: --port N (default 8080, or a free port if taken), --no-setup (fail instead of installing anything),
// --retry (try a failed setup again).
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
  if (argv.includes('--no-setup')) setupEnv = ensureSetup({ check: true });
  else setupEnv = ensureSetup({ retry: argv.includes('--retry') || undefined });
} catch (error) {
  // One line that says why (and names the log), then a non-zero exit: the terminal analysis only when asked for.
  console.error(`start: the editor cannot start: ${error.message}`);
  console.error('start: `npm start -- --cli` shows the same checks and simulation in the terminal instead.');
  process.exit(1);
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
