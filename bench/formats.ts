/**
 * Other formats' speed: checking each fixture in its own format (read by its front end, what it lacks assumed,
 * checked on its own lines: what the editor and `tcs check launch.sh` do per file), the three exporters on the DeepSeek-V3 example,
 * and the hostile sizes (a 10^5-line script, a 1 MB TOML). Run standalone: node out/bench/formats.js
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService, EXPORTERS } from '../language/service';
import { repoRoot } from '../test/support/generate';
import { markdownTable, type Measurement, measure, ms } from './harness';

export function formatBenchmarks(): { title: string; table: string; rows: Measurement[] } {
  const dir = join(repoRoot(), 'test', 'fixtures', 'formats');
  const rows: Measurement[] = [];
  const language = createLanguageService();
  const check = (text: string, fileName: string) => language.check(text, { fileName });
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    const format = language.formatOf(text, name);
    if (format) rows.push(measure(`check ${name} (${format})`, () => check(text, name), { iterations: 50, detail: { chars: text.length } }));
  }
  const ds = language.parse(readFileSync(join(repoRoot(), 'examples', 'deepseek-v3.train.yaml'), 'utf8')).value;
  for (const [target, e] of Object.entries(EXPORTERS)) rows.push(measure(`export deepseek-v3 → ${target}`, () => e.run(ds), { iterations: 50 }));
  // The launch line first, so the script is recognised (detection reads the first 200,000 characters).
  const long = 'torchrun pretrain_gpt.py --num-layers 32\n' + Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'B=$A' : '# c')).join('\n') + '\n';
  if (language.formatOf(long, 'long.sh') !== 'megatron') throw new Error('the long script was not recognised');
  rows.push(measure('check a 10^5-line launch script', () => check(long, 'long.sh'), { iterations: 5, warmup: 1, detail: { chars: long.length } }));
  const toml = '[model]\nflavor = "8B"\n[training]\n' + Array.from({ length: 40_000 }, (_, i) => `k${i} = "${'x'.repeat(12)}"`).join('\n') + '\n';
  rows.push(measure('check a 1 MB TOML', () => check(toml, 'big.toml'), { iterations: 5, warmup: 1, detail: { chars: toml.length } }));
  const table = markdownTable(['case', 'median', 'p95'], rows.map((r) => [r.name, ms(r.medianMs), ms(r.p95Ms)]));
  return { title: 'Other formats: check and export', table, rows };
}

if (require.main === module) process.stdout.write(formatBenchmarks().table + '\n');
