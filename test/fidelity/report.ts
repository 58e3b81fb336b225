/** `npm run fidelity`: the published-runs table and its error summary (test/fidelity/suite.ts). */
import { runSuite, summarise } from './suite';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
const num = (x: number) => (Math.abs(x) >= 1e4 ? x.toExponential(3) : x.toPrecision(4));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const outcomes = runSuite();
console.log(
  table([
    ['run', 'metric', 'published', 'simulated', 'error'],
    ...outcomes.map((o) => [o.run.file + (o.fits ? '' : ' (over HBM)'), o.run.metric, num(o.run.published), num(o.simulated), pct(o.error)]),
  ]),
);
console.log('');
console.log(
  table([
    ['group', 'runs', 'median |error|', 'max |error|'],
    ...summarise(outcomes).map((s) => [s.group, String(s.runs), `${(100 * s.medianAbs).toFixed(1)}%`, `${(100 * s.maxAbs).toFixed(1)}%`]),
  ]),
);
