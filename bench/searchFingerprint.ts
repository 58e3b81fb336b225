/**
 * What `tcs search --json` answers, as one hash per case (its JSON less the `seconds` field, keys sorted), so a change
 * meant only to make the search faster can show its results are byte-identical: run it before and after and diff
 * the two outputs. `results` hashes the frontier, the top K and the file's own layout; `all` the whole answer, the
 * counters (rejected, pruned, simulated, …) included — those may move when pruning changes, the results may not.
 * Run standalone: node out/bench/searchFingerprint.js (after npm run compile-tests).
 */
import { createHash } from 'node:crypto';
import { searchCommand } from '../cli/search';
import { transcriptIO } from '../test/support/fakeIO';
import { loadExamples } from '../test/support/generate';

/** The cases: both published examples under each objective and option the search takes, and two node ranges. */
export const FINGERPRINT_CASES: readonly { example: string; args: readonly string[] }[] = [
  { example: 'deepseek-v3', args: [] },
  { example: 'deepseek-v3', args: ['--objective', 'days'] },
  { example: 'deepseek-v3', args: ['--objective', 'cost', '--memory-headroom', '0.1', '--top', '10'] },
  { example: 'llama3-405b', args: [] },
  { example: 'llama3-405b', args: ['--objective', 'days', '--top', '10'] },
  { example: 'llama3-405b', args: ['--memory-headroom', '0.2'] },
  { example: 'mixtral-8x7b', args: ['--nodes', '4-16'] },
  { example: 'llama3-8b', args: ['--nodes', '1-8', '--top', '8'] },
];

/** Keys sorted at every level, so the hash does not depend on the order fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const hash = (value: unknown) => createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

export function searchFingerprints(): string[] {
  const examples = new Map(loadExamples().map((e) => [e.name.replace(/\.train\.ya?ml$/, ''), e]));
  return FINGERPRINT_CASES.map(({ example, args }) => {
    const e = examples.get(example);
    if (!e) return `${example} ${args.join(' ')}: missing example`;
    const io = transcriptIO({ [e.name]: e.text });
    const code = searchCommand([e.name, ...args, '--json'], io);
    if (code !== 0) return `${example} ${args.join(' ')}: exit ${code} ${io.stderr.trim()}`;
    const { seconds: _seconds, ...answer } = JSON.parse(io.stdout) as Record<string, unknown>;
    const counters = ['candidates', 'rejected', 'overMemory', 'pruned', 'simulated'].map((k) => `${k} ${answer[k]}`).join(', ');
    return `${[example, ...args].join(' ')}: results ${hash({ frontier: answer.frontier, top: answer.top, current: answer.current })} all ${hash(answer)} (${counters})`;
  });
}

if (require.main === module) console.log(searchFingerprints().join('\n'));
