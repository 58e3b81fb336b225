/**
 * End-to-end: the packaged extension in a real VS Code (code-server) driven through Debian's chromium, as a user sees
 * it. Run by scripts/e2e/run.mjs (`npm run test:e2e`), which starts the server with the .vsix installed, opens a temp
 * copy of examples/ and calls run(). Screenshots land in test/e2e/artifacts/.
 */
import type { Frame, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatGpuHours } from '../../webview/format';
import { assert, E2eRun, Fatal, waitFor, type E2eResult } from './harness';
import { canvasSignature, MOD, timedEdit, Workbench, type EditPath } from './workbench';

/** A node of CDP's Page.getFrameTree. */
interface FrameNode {
  frame: { id: string; url: string };
  childFrames?: FrameNode[];
}

export interface E2eContext {
  page: Page;
  /** The opened workspace folder (a temp copy of examples/). */
  workspace: string;
  repoRoot: string;
  artifacts: string;
}

const EXAMPLE = 'deepseek-v3.train.yaml';
/** Edits timed by the latency case (an even number ends on the schedule it started from). */
const LATENCY_RUNS = 8;
const SCHEDULE_NAMES = ['gpipe', '1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2', 'zbv', 'dualpipe', 'dualpipev'];

/** 1-based line of the first match. */
function lineOf(text: string, pattern: RegExp): number {
  const i = text.split(/\r?\n/).findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern}`);
  return i + 1;
}

export async function run(ctx: E2eContext): Promise<E2eResult> {
  const { page, workspace, repoRoot, artifacts } = ctx;
  const wb = new Workbench(page);
  const e2e = new E2eRun(page, artifacts);
  const file = join(workspace, EXAMPLE);
  const original = readFileSync(file, 'utf8');
  const pipelineLine = lineOf(original, /^\s*pipeline:\s*16\b/);
  const scheduleLine = lineOf(original, /^\s*schedule:\s*dualpipe\b/);
  const onDisk = () => readFileSync(file, 'utf8');

  e2e.test('open the DeepSeek-V3 example: no problems', async () => {
    await wb.openFile(EXAMPLE);
    await wb.showProblems();
    await wb.focusEditor();
    // The extension activates on the file and analyses it; the status bar then shows its item. No problems appear.
    await waitFor('the Training Config status bar item', () => page.locator('.statusbar-item[id*="training-config" i], .statusbar-item[id*="trainingConfig" i]').first().isVisible());
    const counts = await waitFor('the problem counts', () => wb.problemCounts());
    const rows = await wb.problems();
    await e2e.screenshot('01-editor-clean');
    // "No problems" = no errors or warnings; informational notes (e.g. uneven layer split) are printed, not failed.
    const serious = rows.filter((r) => /^(Error|Warning)\b/i.test(r.trim()));
    if (rows.length) console.log(`  notes: ${rows.filter((r) => /^Info\b/i.test(r.trim())).join(' | ').slice(0, 300)}`);
    assert(counts.errors === 0 && counts.warnings === 0 && serious.length === 0, `expected no problems, got ${JSON.stringify(counts)}: ${serious.join(' | ')}`);
  });

  e2e.test('activation time, as Developer: Show Running Extensions reports it', async () => {
    await wb.runCommand('Developer: Show Running Extensions');
    const row = page.locator('.monaco-list-row', { hasText: 'Training Config Studio' }).first();
    await row.waitFor({ state: 'visible' });
    const text = await waitFor('an activation time on the row', async () => {
      const t = await row.innerText();
      return /\d+\s*ms/.test(t) ? t : undefined;
    });
    const ms = Number(/(\d+)\s*ms/.exec(text)![1]);
    e2e.measure('extension activation (Running Extensions)', ms);
    console.log(`  running extensions: ${text.replace(/\s+/g, ' ').trim()}`);
    await e2e.screenshot('01b-running-extensions');
    await page.keyboard.press('Escape'); // Running Extensions opens as a modal editor in 1.139
    await row.waitFor({ state: 'hidden' });
    await wb.openFile(EXAMPLE);
  });

  e2e.test('the workbench opens without prompts: nothing asks about the git repository in the parent folder', async () => {
    // The workspace is a subfolder of a git repository (as examples/ is under `npm start`); the git extension would
    // ask "A git repository was found in the parent folders…" within seconds of opening the file (it has, by now).
    await wb.runCommand('Notifications: Show Notifications');
    const center = page.locator('.notifications-center');
    await center.waitFor({ state: 'visible' });
    const text = (await center.innerText()).replace(/\s+/g, ' ').trim();
    await e2e.screenshot('01c-notifications');
    await page.keyboard.press('Escape');
    console.log(`  notifications: ${text.slice(0, 300) || '(none)'}`);
    assert(!/parent folder|repository/i.test(text), `a git prompt is shown: ${text.slice(0, 300)}`);
    await wb.focusEditor();
  });

  e2e.test('pipeline: 16 → 7 shows the error on that line in the Problems panel and the editor', async () => {
    await wb.goToLine(pipelineLine);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    const t0 = Date.now();
    await page.keyboard.type('7');
    const row = await waitFor(`an error in the Problems panel at line ${pipelineLine}`, async () =>
      (await wb.errorRows()).find((r) => new RegExp(`\\b(Ln|line) ${pipelineLine}\\b`, 'i').test(r) || r.includes(`${pipelineLine}:`)),
    );
    e2e.measure('keystroke → diagnostic in the Problems panel', Date.now() - t0);
    await waitFor(`an error squiggle on editor line ${pipelineLine}`, () => wb.squiggleOnLine(pipelineLine));
    console.log(`  problem: ${row}`);
    await e2e.screenshot('02-editor-pipeline-7');
    assert(/pipeline/i.test(row) || /parallelism\//.test(row), `the problem does not talk about the pipeline: ${row}`);
  });

  e2e.test('apply the quick fix: the file is corrected and the problem is gone', async () => {
    await wb.goToLine(pipelineLine);
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press(`${MOD}+.`);
    const menu = page.locator('.action-widget .monaco-list-row.action');
    await menu.first().waitFor({ state: 'visible' });
    const titles = await menu.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).innerText.trim()));
    console.log(`  quick fixes: ${titles.join(' | ')}`);
    await e2e.screenshot('03-quick-fix-menu');
    await page.keyboard.press('Enter');
    await waitFor(`no error left at line ${pipelineLine}`, async () =>
      !(await wb.errorRows()).some((r) => new RegExp(`\\b(Ln|line) ${pipelineLine}\\b`, 'i').test(r)),
    );
    await waitFor('the squiggle to go', async () => !(await wb.squiggleOnLine(pipelineLine)));
    const fixedLine = await waitFor('the corrected line', () => wb.lineText(pipelineLine));
    console.log(`  fixed line ${pipelineLine}: ${fixedLine.trim()}`);
    await e2e.screenshot('04-editor-fixed');
    assert(/pipeline:\s*\d+/.test(fixedLine) && !/pipeline:\s*7\b/.test(fixedLine), `line ${pipelineLine} was not corrected: ${fixedLine}`);
    const others = await wb.errorRows();
    if (others.length) console.log(`  other errors the new value causes (reported elsewhere, expected): ${others.join(' | ').slice(0, 300)}`);
    // Back to the published config for the next cases: File: Revert File, then no errors at all.
    await wb.runCommand('File: Revert File');
    await waitFor('no errors after reverting', async () => (await wb.errorRows()).length === 0);
  });

  e2e.test('hover on a key shows its documentation', async () => {
    await wb.goToLine(lineOf(original, /^\s*hidden_size:/)); // scrolls it into view
    const key = page.locator('.editor-group-container .view-lines .view-line span span', { hasText: /^hidden_size$/ }).first();
    await key.waitFor({ state: 'visible' });
    await key.hover();
    const text = await waitFor('a hover with documentation', async () => {
      const t = await wb.hoverText();
      return t.trim().length > 20 ? t : undefined;
    });
    console.log(`  hover: ${text.split('\n')[0].slice(0, 120)}`);
    await e2e.screenshot('05-hover-hidden-size');
    await page.mouse.move(0, 0);
    assert(/hidden/i.test(text), `hover does not document hidden_size: ${text.slice(0, 200)}`);
  });

  e2e.test('completion on the schedule value offers the schedule names', async () => {
    await wb.goToLine(scheduleLine);
    await page.keyboard.press('End');
    await page.keyboard.press(`${MOD}+Shift+ArrowLeft`);
    await page.keyboard.press('Backspace');
    await page.keyboard.press(`${MOD}+Space`);
    const labels = await waitFor('the suggest widget with schedule names', async () => {
      const l = await wb.suggestLabels();
      return l.length > 0 ? l : undefined;
    });
    await e2e.screenshot('06-completion-schedule');
    console.log(`  suggestions: ${labels.join(', ')}`);
    await page.keyboard.press('Escape');
    await page.keyboard.press(`${MOD}+Z`);
    await wb.save();
    assert(onDisk().includes('schedule: dualpipe'), 'undo did not restore the schedule');
    const missing = SCHEDULE_NAMES.filter((s) => !labels.includes(s));
    assert(missing.length === 0, `schedule names missing from completion: ${missing.join(', ')} (got ${labels.join(', ')})`);
  });

  let preview: Frame | undefined;

  e2e.test('open the preview: its GPU-hours equal `tcs simulate --json` for the same file', async () => {
    await wb.save();
    const cli = JSON.parse(execFileSync(process.execPath, [join(repoRoot, 'dist/cli.js'), 'simulate', file, '--json'], { encoding: 'utf8' })) as { gpuHours: number };
    const expected = formatGpuHours(cli.gpuHours);
    await wb.focusEditor();
    const t0 = Date.now();
    await wb.runCommand('Training Config: Open Preview');
    await page.locator('.tab[aria-label^="Preview"], .tab[aria-label*="Preview"]').first().waitFor({ state: 'visible' });
    preview = await waitFor('the preview webview to show GPU-hours', async () => {
      // Fail fast, with its message, when the command reports an error instead of opening the preview.
      const dialog = page.locator('.monaco-dialog-box');
      if (await dialog.isVisible()) throw new Fatal(`the preview command failed: ${(await dialog.innerText()).replace(/\s+/g, ' ')}`);
      return wb.webviewFrameWith(/GPU[ -]?hours/i);
    }, 30_000);
    const frame = preview;
    await waitFor(`the preview to show ${expected} GPU-hours (cli: ${cli.gpuHours})`, async () => (await frame.evaluate(() => document.body.innerText)).includes(expected), 20_000);
    e2e.measure('open preview → GPU-hours shown', Date.now() - t0);
    await waitFor('the timeline to be drawn', async () => (await canvasSignature(frame)).length > 1);
    // The schedule comparison runs in the page's workers (blob: workers under the webview's CSP), not on its thread.
    await waitFor('the comparison rows to be simulated in a worker', async () => (await frame.evaluate(() => document.body.dataset.rowsSimulatedIn)) === 'worker', 20_000);
    await e2e.screenshot('07-preview-dualpipe');
  }, 90_000);

  e2e.test('change the schedule to 1f1b: the timeline redraws', async () => {
    assert(preview, 'needs the preview from the previous case');
    const frame = preview;
    const before = await canvasSignature(frame);
    const textBefore = await frame.evaluate(() => document.body.innerText);
    await wb.goToLine(scheduleLine);
    await page.keyboard.press('End');
    await page.keyboard.press(`${MOD}+Shift+ArrowLeft`);
    // One input event replaces the value, like a pasted or completed word: the latency of one edit, not of typing.
    const t0 = Date.now();
    await page.keyboard.insertText('1f1b');
    await waitFor('the timeline to redraw for 1f1b', async () => {
      const [sig, text] = await Promise.all([canvasSignature(frame), frame.evaluate(() => document.body.innerText)]);
      return sig !== before && text !== textBefore;
    }, 20_000);
    e2e.measure('keystroke → preview redraw observed (first edit, polling)', Date.now() - t0);
    await e2e.screenshot('08-preview-1f1b');
    await wb.save();
  }, 60_000);

  e2e.test('keystroke → preview painted, step by step (median of several edits)', async () => {
    assert(preview, 'needs the preview from the previous cases');
    const frame = preview;
    const paths: EditPath[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const [from, to] = i % 2 === 0 ? ['1f1b', 'dualpipe'] : ['dualpipe', '1f1b'];
      await wb.goToLine(scheduleLine);
      await page.keyboard.press('End');
      await page.keyboard.press(`${MOD}+Shift+ArrowLeft`);
      assert((await wb.lineText(scheduleLine))?.includes(from), `line ${scheduleLine} should read ${from}`);
      const path = await timedEdit(page, frame, to);
      assert(path.inputAt <= path.editedAt && path.editedAt <= path.sentAt && path.sentAt <= path.receivedAt && path.receivedAt <= path.paintedAt, `steps out of order: ${JSON.stringify(path)}`);
      paths.push(path);
      // A reader's pause: the page finishes its schedule comparison before the next edit.
      await page.waitForTimeout(400);
    }
    const median = (f: (p: EditPath) => number) => {
      const xs = paths.map(f).sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)];
    };
    console.log(`  keystroke → preview painted per edit: ${paths.map((p) => p.paintedAt - p.inputAt).join(', ')} ms`);
    e2e.measure(`keystroke → preview painted (median of ${LATENCY_RUNS})`, median((p) => p.paintedAt - p.inputAt));
    e2e.measure('  keystroke → extension host change event (workbench, server)', median((p) => p.editedAt - p.inputAt));
    e2e.measure('  change event → update posted (check, resolve)', median((p) => p.sentAt - p.editedAt));
    e2e.measure('  posted → received by the page (transport)', median((p) => p.receivedAt - p.sentAt));
    e2e.measure('  received → painted (simulate, views, next frame)', median((p) => p.paintedAt - p.receivedAt));
    e2e.measure("  for reference: keystroke → the editor's own text painted", median((p) => p.editorPaintedAt - p.inputAt));
    await wb.save();
    assert(/schedule:\s*1f1b\b/.test(onDisk()), 'the edits should end on 1f1b');
  }, 120_000);

  /** The preview's frame again (after a hide/show or a reload the webview is a new document). */
  const findPreview = () => waitFor('the preview webview to show GPU-hours', () => wb.webviewFrameWith(/GPU[ -]?hours/i), 30_000);

  e2e.test('an invalid edit keeps the last preview, dimmed, under a banner naming the error; undo restores it', async () => {
    const frame = (preview = await findPreview());
    const gpuHoursBefore = await frame.evaluate(() => document.querySelector('#headline .tile-value')?.textContent ?? '');
    await wb.goToLine(pipelineLine);
    await page.keyboard.press('End');
    await page.keyboard.press(`${MOD}+Shift+ArrowLeft`);
    await page.keyboard.insertText('7');
    const banner = await waitFor('the banner to name an error on a line', async () => {
      const text = await frame.evaluate(() => (document.querySelector('.banner:not([hidden])') as HTMLElement | null)?.innerText ?? '');
      return /Line \d+:/.test(text) ? text : undefined;
    }, 20_000);
    console.log(`  banner: ${banner.replace(/\s+/g, ' ').slice(0, 160)}`);
    const state = await frame.evaluate(() => ({
      stale: document.querySelector('.content')?.classList.contains('stale') ?? false,
      gpuHours: document.querySelector('#headline .tile-value')?.textContent ?? '',
    }));
    assert(state.stale, 'the last preview is not dimmed (no .stale on the content)');
    assert(state.gpuHours === gpuHoursBefore, `the last good numbers should stay: ${state.gpuHours} ≠ ${gpuHoursBefore}`);
    await page.waitForTimeout(200); // the dimming's transition
    await e2e.screenshot('09-preview-invalid-banner');
    await wb.focusEditor();
    await page.keyboard.press(`${MOD}+Z`);
    await waitFor('the banner to go and the preview to brighten', () =>
      frame.evaluate(() => !document.querySelector('.banner:not([hidden])') && !document.querySelector('.content.stale')),
    );
    await wb.save();
  }, 60_000);

  e2e.test('the comparison\'s "Use" button rewrites parallelism.schedule as one undoable edit', async () => {
    const frame = (preview = await findPreview());
    const before = onDisk();
    const current = /schedule:\s*(\S+)/.exec(before)?.[1];
    const [target, label] = current === 'dualpipe' ? ['1f1b', '1F1B'] : ['dualpipe', 'DualPipe'];
    const button = frame.locator(`button[aria-label="Use ${label} in the config"]`);
    await waitFor(`the "Use ${label}" button`, () => button.isVisible());
    await button.click();
    await wb.goToLine(scheduleLine);
    await waitFor(`the schedule line to read ${target}`, async () => (await wb.lineText(scheduleLine))?.includes(`schedule: ${target}`) ?? false);
    await waitFor(`the preview to show ${label} as current`, () =>
      frame.evaluate((l) => (document.querySelector('.compare tr[aria-current="true"] th') as HTMLElement | null)?.innerText === l, label),
    );
    await e2e.screenshot('10-preview-use-schedule');
    await wb.focusEditor();
    await page.keyboard.press(`${MOD}+Z`);
    await waitFor(`undo to restore ${current}`, async () => (await wb.lineText(scheduleLine))?.includes(`schedule: ${current}`) ?? false);
    await wb.save();
    assert(onDisk() === before, 'the file differs after the edit was undone');
  }, 60_000);

  e2e.test('the preview\'s tables are in the accessibility tree while scrolled out of sight', async () => {
    const frame = (preview = await findPreview());
    await frame.evaluate(() => window.scrollTo(0, 0));
    // Two frames and a pause: what is rendered for a scroll position settles in the frames after it.
    await frame.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 250)))));
    const below = await frame.evaluate(() => {
      const t = document.querySelector('#ablation table');
      return t ? t.getBoundingClientRect().top > window.innerHeight : undefined;
    });
    // Chromium's own tree (what a screen reader reads), not a DOM walk: CSS such as content-visibility prunes it.
    // The webview's frame is out of process (its own CDP target) or part of the page's (found by URL).
    let cdp = await page.context().newCDPSession(frame).catch(() => undefined);
    let frameId: string | undefined;
    if (!cdp) {
      cdp = await page.context().newCDPSession(page);
      const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: FrameNode };
      const frames: FrameNode[] = [];
      const walk = (n: FrameNode) => (frames.push(n), (n.childFrames ?? []).forEach(walk));
      walk(frameTree);
      // code-server's webview content frame reports its parent's URL to CDP (it is written into, not navigated):
      // the content frame is the only child of the frame with the parent's URL.
      const parentUrl = frame.parentFrame()?.url();
      frameId = (frames.find((f) => f.frame.url === frame.url()) ?? frames.find((f) => f.frame.url === parentUrl)?.childFrames?.[0])?.frame.id;
      assert(frameId, `the preview's frame (${frame.url()}) is in neither its own CDP target nor the page's frame tree`);
    }
    try {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree', frameId ? { frameId } : {})) as { nodes: { role?: { value?: string }; name?: { value?: string } }[] };
      const tables = nodes.filter((n) => n.role?.value === 'table').map((n) => n.name?.value ?? '');
      console.log(`  tables in the accessibility tree (the ablation ${below ? 'below the fold' : 'in view'}): ${tables.join(' | ')}`);
      const captions = [
        'Memory per GPU by pipeline rank, GiB',
        'The same config under each pipeline schedule',
        'The config with each efficiency choice undone',
        // The layout search's table, the card furthest down: with content-visibility: auto it left the tree.
        'Every plotted layout: GPU-hours, peak memory, days and what it changes',
      ];
      for (const caption of captions) {
        assert(tables.includes(caption), `the table "${caption}" is missing from the accessibility tree`);
      }
    } finally {
      await cdp.detach().catch(() => {});
    }
  }, 30_000);

  e2e.test('the timeline zooms from the keyboard', async () => {
    const frame = (preview = await findPreview());
    const canvas = frame.locator('canvas.timeline-canvas');
    const label = frame.locator('.zoom-label');
    await canvas.focus();
    await canvas.press('0');
    await waitFor('0 to fit the timeline (1×)', async () => (await label.innerText()).trim() === '1×');
    const before = await canvasSignature(frame);
    await canvas.press('+');
    await waitFor('the zoom label to leave 1×', async () => (await label.innerText()).trim() !== '1×');
    console.log(`  zoom after "+": ${(await label.innerText()).trim()}`);
    await waitFor('the canvas to redraw', async () => (await canvasSignature(frame)) !== before);
    await canvas.press('0');
    await waitFor('0 to fit again', async () => (await label.innerText()).trim() === '1×');
  }, 30_000);

  e2e.test('light and high-contrast themes recolour the preview, the timeline included', async () => {
    const frame = (preview = await findPreview());
    const themes: [string, RegExp, string][] = [
      ['Light Modern', /vscode-light/, '11-preview-light'],
      ['Dark High Contrast', /vscode-high-contrast/, '12-preview-high-contrast'],
      ['Dark Modern', /vscode-dark/, ''],
    ];
    for (const [theme, bodyClass, shot] of themes) {
      const before = await canvasSignature(frame);
      await wb.runCommand('Preferences: Color Theme', { opensPicker: true });
      const input = page.locator('.quick-input-widget input');
      await input.fill(theme);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      await waitFor(`the webview body to carry ${bodyClass}`, () => frame.evaluate((re) => new RegExp(re).test(document.body.className), bodyClass.source));
      await waitFor(`the timeline to redraw in ${theme}`, async () => (await canvasSignature(frame)) !== before);
      if (shot) await e2e.screenshot(shot);
    }
  }, 90_000);

  e2e.test('the preview and its zoom come back after it is hidden, after Reload Window, and after a hard page reload', async () => {
    let frame = await findPreview();
    // Zoom in: the host re-sends the config whenever the page comes back, but only the page's saved state has the zoom.
    const zoom = () => frame.locator('.zoom-label').innerText().then((t) => t.trim());
    const canvas = frame.locator('canvas.timeline-canvas');
    await canvas.focus();
    await canvas.press('0');
    await waitFor('the timeline to fit (1×)', async () => (await zoom()) === '1×');
    await canvas.press('+');
    const zoomed = await waitFor('the timeline to zoom in', async () => ((await zoom()) !== '1×' ? zoom() : undefined));
    await page.waitForTimeout(500); // the page saves zoom and pan after 250 ms without change
    // Hide: a new untitled editor in the preview's group covers it; closing it shows the preview again.
    await page.keyboard.press(`${MOD}+2`);
    await page.keyboard.press(`${MOD}+N`);
    await waitFor('the preview to be hidden', async () => (await wb.webviewFrameWith(/GPU[ -]?hours/i)) === undefined, 10_000);
    await page.keyboard.press(`${MOD}+W`);
    frame = await findPreview();
    await waitFor('the timeline to be drawn again', async () => (await canvasSignature(frame)).length > 1);
    const restored = () => frame.evaluate(() => document.body.dataset.restored ?? '');
    assert((await zoom()) === zoomed, `zoom after hide/show: ${await zoom()}, before: ${zoomed} (restored: ${await restored()})`);
    // Reload as a user does (Developer: Reload Window lets the workbench save its state first); the workbench then
    // restores the panel through the extension's WebviewPanelSerializer, with the page's saved state.
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await wb.runCommand('Developer: Reload Window', { opensPicker: false, closes: false });
    await navigated;
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await findPreview();
    await waitFor('the restored timeline to be drawn', async () => (await canvasSignature(frame)).length > 1);
    assert((await zoom()) === zoomed, `zoom after reload: ${await zoom()}, before: ${zoomed} (restored: ${await restored()})`);
    await e2e.screenshot('13-preview-after-reload');
    // A hard reload, as when the browser tab is refreshed or reopened after code-server's connection dropped: the
    // workbench runs no save on the way out. The panel must still come back through the serializer with the page's
    // state as the workbench last saved it; the browser workbench saves its state every 5 s
    // (BrowserStorageService.BROWSER_DEFAULT_FLUSH_INTERVAL), so a zoom chosen 6 s before is in it.
    const timeline = frame.locator('canvas.timeline-canvas');
    await timeline.focus();
    await timeline.press('+');
    const zoomedMore = await waitFor('the timeline to zoom in further', async () => ((await zoom()) !== zoomed ? zoom() : undefined));
    await page.waitForTimeout(11_000); // the page's 250 ms debounce, then at least one of the workbench's 5 s saves
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await findPreview();
    await waitFor('the timeline to be drawn after the hard reload', async () => (await canvasSignature(frame)).length > 1);
    // The state comes back as the workbench last stored it: the newest zoom, or (on a loaded machine whose save ran
    // late) the one before it. Either is the page's saved state through the serializer; the default 1× is a failure.
    const saved = [zoomedMore, zoomed];
    await waitFor(`the zoom to come back as ${saved.join(' or ')}`, async () => saved.includes(await zoom()), 10_000).catch(async () => {
      throw new Error(`zoom after a hard reload: ${await zoom()}, saved: ${saved.join(' or ')} (page state restored: ${await restored()})`);
    });
    console.log(`  zoom after a hard reload: ${await zoom()} (newest saved ${zoomedMore})`);
    preview = frame;
    await e2e.screenshot('14-preview-after-hard-reload');
  }, 150_000);

  return e2e.run();
}
