/** Benchmark of the language check (parse → schema → resolve → rules), the work done on every keystroke. */
import { createLanguageService } from '../language/service';
import { generateConfig, loadExample } from '../test/support/generate';
import { markdownTable, measure, ms, type Measurement } from './harness';

/** Targets from issue 2: the DeepSeek-V3 example and a 5,000-line config, median in-process. */
export const CHECK_TARGETS_MS = { example: 2, lines5000: 50 };

const language = createLanguageService();
const checkText = (text: string) => language.check(text);

export function checkBenchmarks(): { title: string; table: string; rows: Measurement[] } {
  const example = loadExample('deepseek-v3.train.yaml');
  const history = generateConfig(5000, 'history');
  const unknown = generateConfig(5000, 'unknown-keys');
  const lines = (t: string) => t.split('\n').length - 1;
  const rows = [
    measure('check deepseek-v3.train.yaml', () => checkText(example), { iterations: 500, warmup: 50, detail: { lines: lines(example), target: `≤ ${CHECK_TARGETS_MS.example} ms` } }),
    measure('check 5,000-line config (comment history)', () => checkText(history), { iterations: 50, detail: { lines: lines(history), target: `≤ ${CHECK_TARGETS_MS.lines5000} ms` } }),
    measure('check 5,000-line config (every line an unknown key)', () => checkText(unknown), { iterations: 30, detail: { lines: lines(unknown), target: '(worst case)' } }),
    quickFixes(example.replace(/^(\s*pipeline:)\s*\d+/m, '$1 7'), lines),
  ];
  const table = markdownTable(
    ['benchmark', 'lines', 'median ms', 'p95 ms', 'runs', 'target'],
    rows.map((r) => [r.name, r.detail?.lines ?? '', ms(r.medianMs), ms(r.p95Ms), r.iterations, r.detail?.target ?? '']),
  );
  return { title: 'Language check (in-process)', table, rows };
}

if (require.main === module) {
  const { title, table } = checkBenchmarks();
  console.log(`## ${title}\n\n${table}`);
}

/** The lightbulb on `pipeline: 7` in DeepSeek-V3: every fix of the key applied and the config re-checked. */
function quickFixes(text: string, lines: (t: string) => number): Measurement {
  const result = checkText(text);
  const target = result.diagnostics.find((d) => d.code === 'schedule/dualpipe-odd-ranks');
  if (!target) throw new Error('bench: pipeline 7 did not raise schedule/dualpipe-odd-ranks');
  const count = language.fixes(result, target).length;
  return measure(`quick fixes for pipeline: 7 (${count} fixes, each re-checked)`, () => language.fixes(result, target), {
    iterations: 100,
    detail: { lines: lines(text) },
  });
}
