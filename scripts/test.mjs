// Runs every compiled unit test (out/test/**/*.test.js, not e2e) with Node's built-in runner.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'e2e' && name !== 'integration') files.push(...collect(path));
    } else if (name.endsWith('.test.js') && existsSync(path.replace(/^out[\\/]/, '').replace(/\.js$/, '.ts'))) {
      // Only tests whose source still exists: a renamed or deleted test leaves its old .js behind in out/.
      files.push(path);
    }
  }
  return files;
}

const files = collect('out/test').sort();
if (files.length === 0) {
  console.error('no test files found under out/test');
  process.exit(1);
}
// A per-test timeout cancels a test that never settles, which fails the run instead of stalling CI; it is far above
// any test's run time, so load cannot trip it. Speed is measured in bench/, not here.
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=120000', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
