/** `tcs schedule` through a fake CliIO. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleCommand } from '../../cli/schedule';

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = scheduleCommand(argv, { out: (t) => (out += t), err: (t) => (err += t), readFile: () => '' });
  return { code, out, err };
}

test('prints each rank’s order in the op notation (direction.microBatch, F&B pairs)', () => {
  const { code, out } = run('--type', 'dualpipe', '--ranks', '4', '--micro-batches', '8');
  assert.equal(code, 0);
  assert.match(out, /^rank 0: F0\.0 F0\.1 F0\.2 F1\.0 b1\.0 W1\.0 F1\.1 \(F0\.3&B1\.1\) /m);
  assert.doesNotMatch(out, /makespan/);
});

test('--costs executes: makespan, idle per rank and one timeline row per rank, width-bounded', () => {
  const { code, out } = run('--type=dualpipe', '--ranks=4', '--micro-batches=8', '--costs=F=1,B=2,W=1,FB=3', '--width=20');
  assert.equal(code, 0);
  assert.match(out, /^makespan 26$/m);
  assert.match(out, /^idle per rank 2 2 2 2$/m);
  const rows = out.split('\n').filter((line) => /^r\d+ \|/.test(line));
  assert.equal(rows.length, 4);
  for (const row of rows) assert.equal(row.length, 'r0 |'.length + 20 + 1);
});

test('--json prints the ops with start/end', () => {
  const { code, out } = run('--type', '1f1b', '--ranks', '2', '--micro-batches', '2', '--costs', 'F=1,B=2,W=1', '--json');
  assert.equal(code, 0);
  const parsed = JSON.parse(out);
  assert.equal(parsed.ranks, 2);
  assert.equal(parsed.makespan, 9);
  assert.deepEqual(parsed.order[1][1], { kind: 'B', microBatch: 0, start: 2, end: 4 });
});

for (const [name, argv, message] of [
  ['missing --type', ['--ranks', '4', '--micro-batches', '8'], /--type is required/],
  ['unknown type', ['--type', 'pipedream', '--ranks', '4', '--micro-batches', '8'], /unknown --type 'pipedream'/],
  ['non-integer ranks', ['--type', '1f1b', '--ranks', 'four', '--micro-batches', '8'], /--ranks must be a positive integer, got 'four'/],
  ['bad costs', ['--type', '1f1b', '--ranks', '4', '--micro-batches', '8', '--costs', 'F=1,Q=2'], /bad cost 'Q=2'/],
  ['unknown flag', ['--type', '1f1b', '--ranks', '4', '--micro-batches', '8', '--fast'], /unknown argument '--fast'/],
  ['invalid combination', ['--type', 'dualpipe', '--ranks', '3', '--micro-batches', '8'], /even number of pipeline ranks, got 3/],
] as const) {
  test(`usage error exits 2 with a clear message: ${name}`, () => {
    const { code, out, err } = run(...argv);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, message);
  });
}
