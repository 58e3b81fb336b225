// `npm run package`: production build, then `vsce package` → training-config-studio-<version>.vsix; prints its size and
// file list. Offline by construction: --no-dependencies (the bundles are self-contained, so vsce never runs `npm list`),
// no `vscode:prepublish` hook, stdin closed so a vsce prompt fails instead of waiting. What goes in is decided by
// .vscodeignore and checked by test/package/vsix.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = process.env.TCS_VSIX ?? join(root, `${pkg.name}-${pkg.version}.vsix`);

function run(args, what) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    console.error(`package: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`package: ${what} took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

run(['scripts/build.mjs', '--production'], 'production build');
for (const bundle of ['dist/extension.js']) {
  if (!existsSync(join(root, bundle))) console.warn(`package: warning: ${bundle} missing — the extension has no entry yet`);
}
if (existsSync(out)) rmSync(out);
const vsce = join(root, 'node_modules/@vscode/vsce/vsce');
run(
  [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out],
  'vsce package',
);
const bytes = statSync(out).size;
console.log(`package: ${out} — ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`);
