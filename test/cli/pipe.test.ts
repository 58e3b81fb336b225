/** `tcs … | head`: a reader that closes the pipe early ends the command quietly, without a stack trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/generate';

test('a closed stdout (EPIPE) ends tcs without an unhandled error', async () => {
  // A long timeline, so the output outgrows the pipe's buffer after the reader has gone.
  const args = ['schedule', '--type', 'dualpipe', '--ranks', '16', '--micro-batches', '400', '--costs', 'F=1,B=2,W=1'];
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|at .*cli\.js/, stderr);
  assert.equal(code, 0);
});
