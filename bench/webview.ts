/**
 * The preview page's update in a real Chromium (Debian's, through playwright-core): the built dist/webview.js and
 * dist/webview.css in a page with a stub `acquireVsCodeApi`, fed the examples' resolved configs as the host would.
 * Measures host message → `rendered` (posted after the browser painted), and the page's own work before paint.
 * No editor and no transport: this is the webview's share of keystroke → preview. Skipped without Chromium.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLanguageService } from '../language/service';
import type { ResolvedConfig, ScheduleKind } from '../simulator/config';
import type { HostMessage, RenderedMessage } from '../protocol/preview';
import { loadExamples, repoRoot } from '../test/support/generate';
import type { Measurement } from './harness';

export const CHROMIUM = process.env.TCS_CHROMIUM ?? '/usr/bin/chromium';

interface BrowserSample {
  /** Date.now() at post → the page's paint stamp. */
  toPaint: number;
  /** Date.now() at post → every row of the schedule comparison showing this update's numbers. */
  toCompared: number;
  /** The page's own work before paint (updateMs). */
  work: number;
  /** The timeline canvas draw alone (renderMs). */
  draw: number;
  /** CPU time over the whole update, comparison included (Chromium's metrics: the page's main thread; the renderer process, workers included). */
  mainCpu: number;
  processCpu: number;
}

/** One case: a config under two schedules, alternated so every update redraws the timeline. */
interface Case {
  name: string;
  configs: ResolvedConfig[];
  /**
   * A new config every update, as a keystroke in the FFN width makes: every op's duration changes, so nothing comes
   * from the page's simulation cache and no row's inputs are the previous update's.
   */
  fresh?: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const example of loadExamples()) {
    const config = createLanguageService().check(example.text).config;
    if (!config) continue;
    const other: ScheduleKind = config.parallelism.schedule === '1f1b' ? 'gpipe' : '1f1b';
    out.push({ name: example.name, configs: [config, { ...config, parallelism: { ...config.parallelism, schedule: other } }] });
  }
  // Issue 15 §3: the big shapes (a 1T-class 1F1B run, 64 ranks × 512 micro-batches; a 530B-class interleaved run,
  // 35 × 280), from the Llama 3 405B example with the layout changed.
  const llama = loadExamples().find((e) => e.name.startsWith('llama3-405b'));
  const base = llama && createLanguageService().check(llama.text).config;
  if (base) {
    const shape = (schedule: ScheduleKind, pipeline: number, microBatches: number, virtualStages: number, layers: number): ResolvedConfig => {
      const data = (base.cluster.nodes * base.cluster.gpusPerNode) / (base.parallelism.tensor * pipeline);
      return {
        ...base,
        model: { ...base.model, layers },
        training: { ...base.training, globalBatchSize: data * microBatches },
        parallelism: { ...base.parallelism, schedule, pipeline, data, virtualStages, microBatches },
        cluster: { ...base.cluster, nodes: Math.round((base.parallelism.tensor * pipeline * data) / base.cluster.gpusPerNode) },
      };
    };
    const oneF = shape('1f1b', 64, 512, 1, 128);
    const inter = shape('interleaved-1f1b', 35, 280, 3, 105);
    out.push({ name: '1F1B 64 × 512', configs: [oneF], fresh: true });
    out.push({ name: 'interleaved 35 × 280', configs: [inter], fresh: true });
  }
  return out;
}

function pageHtml(): string {
  const dist = join(repoRoot(), 'dist');
  const css = readFileSync(join(dist, 'webview.css'), 'utf8');
  const script = readFileSync(join(dist, 'webview.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return `<!DOCTYPE html><html><head><meta charset="UTF-8"><style>${css}</style></head>
<body style="width:900px"><main id="app"></main>
<script>
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
</script>
<script>${script}</script></body></html>`;
}

/** `only`: the cases whose name matches (all by default). */
export async function webviewBenchmarks(runs: number, only?: RegExp): Promise<Measurement[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (\`npm run e2e:setup\` installs it)`);
  // Required lazily: only this benchmark needs the browser driver.
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.setContent(pageHtml(), { waitUntil: 'load' });
    // CPU time, besides wall time: on a shared machine the wall clock measures the neighbours too.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const cpu = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
      return { main: get('ThreadTime'), process: get('ProcessTime') };
    };
    const results: Measurement[] = [];
    for (const c of cases().filter((x) => !only || only.test(x.name))) {
      const samples: BrowserSample[] = [];
      const draws: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const picked = c.configs[i % c.configs.length];
        const config = c.fresh ? { ...picked, model: { ...picked.model, ffnHiddenSize: picked.model.ffnHiddenSize + 128 * (i + 1) } } : picked;
        const message: HostMessage = { type: 'update', uri: `file:///${c.name}`, version: i + 1, sentAt: 0, config, errors: [] };
        const before = await cpu();
        const timed = await page.evaluate(
          (m) =>
            new Promise<Omit<BrowserSample, 'mainCpu' | 'processCpu'>>((resolve) => {
              const w = window as unknown as { __posted: RenderedMessage[] };
              const sentAt = Date.now();
              w.__posted.length = 0;
              let painted: RenderedMessage | undefined;
              const poll = () => {
                painted ??= w.__posted.find((x) => x.type === 'rendered' && x.version === m.version);
                // The comparison redraws after the paint and fills its rows as the workers finish: done when the page
                // says every row shows this version's numbers (a row not busy may still show the previous config's).
                const compared = document.body.dataset.comparedVersion === String(m.version);
                if (painted && compared) resolve({ toPaint: painted.paintedAt - sentAt, toCompared: Date.now() - sentAt, work: painted.updateMs, draw: painted.renderMs });
                else setTimeout(poll, 1);
              };
              window.postMessage({ ...m, sentAt }, '*');
              poll();
            }),
          message,
        );
        const after = await cpu();
        const sample: BrowserSample = { ...timed, mainCpu: after.main - before.main, processCpu: after.process - before.process };
        // The page's schedule comparison runs after the paint; let it finish, as between a person's keystrokes.
        if (!c.fresh) await page.waitForTimeout(400);
        if (i >= 3) samples.push(sample);
        // Draws of the example's own schedule (even i), for the timeline row.
        if (i >= 3 && (c.fresh || i % 2 === 0)) draws.push(sample.draw);
      }
      const stat = (xs: number[]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return { median: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] };
      };
      const paint = stat(samples.map((s) => s.toPaint));
      const compared = stat(samples.map((s) => s.toCompared));
      const work = stat(samples.map((s) => s.work));
      const mainCpu = stat(samples.map((s) => s.mainCpu));
      const processCpu = stat(samples.map((s) => s.processCpu));
      results.push({
        name: `${c.name}: message → painted`,
        medianMs: paint.median,
        p95Ms: paint.p95,
        iterations: samples.length,
        detail: { 'work before paint (median)': Math.round(work.median * 10) / 10 },
      });
      results.push({
        name: `${c.name}: message → painted, comparison rows included`,
        medianMs: compared.median,
        p95Ms: compared.p95,
        iterations: samples.length,
        detail: { 'CPU, page thread (median)': Math.round(mainCpu.median), 'CPU, renderer incl. workers (median)': Math.round(processCpu.median) },
      });
      const own = c.configs[0];
      const draw = stat(draws);
      results.push({
        name: `${c.name}: timeline draw, ${own.parallelism.schedule} ${own.parallelism.pipeline} × ${own.parallelism.microBatches}`,
        medianMs: draw.median,
        p95Ms: draw.p95,
        iterations: draws.length,
      });
    }
    return results;
  } finally {
    await browser.close();
  }
}

if (require.main === module) {
  // node out/bench/webview.js [runs] [case name pattern]
  webviewBenchmarks(Number(process.argv[2] ?? 15), process.argv[3] ? new RegExp(process.argv[3]) : undefined).then(
    (rows) => {
      for (const r of rows) console.log(`${r.name}: median ${r.medianMs} ms, p95 ${r.p95Ms} ms${r.detail ? `, ${JSON.stringify(r.detail)}` : ''}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
