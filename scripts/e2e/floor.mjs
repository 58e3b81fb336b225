// `npm run bench:preview-floor`: keystroke → webview painted, for the Training Config preview and for a reference
// webview that does no work (test/e2e/floor-extension), by the same procedure
// (test/e2e/workbench.ts timedEdit), each in its own code-server and browser, all open at once with their edits taking
// turns. The reference is the least any extension's preview can take in this editor on this machine; the difference
// is what the preview itself costs.
//
// Options: --runs N (timed edits per target, default 9); --only preview|reference|installed (one target; installed:
//          the reference beside Training Config Studio); --vsix FILE; --against FILE (another build's .vsix, measured
//          as a fourth target in the same run); --against-settings JSON (this build's preview again, with these
//          user settings on top, as a further target: what a setting costs, measured in the same run);
//          --installed-settings JSON (repeatable: the reference beside Training Config Studio with these settings, a
//          further target per occurrence: what one of the extension's features costs the editor);
//          --settings JSON (user settings for every target, e.g. '{"trainingConfig.validate.enable":false}' to see
//          what the problems cost the preview and the reference).
import { existsSync, readFileSync, readdirSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSetup, repoRoot, startCodeServer } from './server.mjs';
import { launchBrowser, openWorkbench, workbenchUrl } from './browser.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 9) : 9;
const EXAMPLE = 'deepseek-v3.train.yaml';

const require = createRequire(import.meta.url);
const driver = join(repoRoot, 'out/test/e2e/workbench.js');
if (!existsSync(driver)) {
  console.error('floor: out/test/e2e/workbench.js missing — run `npm run compile-tests`');
  process.exit(1);
}
const { Workbench, timedEdit } = require(driver);
const { waitFor } = require(join(repoRoot, 'out/test/e2e/harness.js'));

const option = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const extraSettings = JSON.parse(option('settings') ?? '{}');
const vsix = option('vsix') ?? join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
// Without --vsix, package this build: a .vsix left from an older commit would time old code.
if (!option('vsix')) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/package.mjs')], { stdio: 'inherit', cwd: repoRoot });
  if (r.status !== 0) process.exit(1);
}

const targets = [
  { name: 'reference webview (no work)', install: { extensionDir: join(repoRoot, 'test/e2e/floor-extension') }, command: 'Latency Floor: Open', frame: /latency floor/i },
  // The same reference beside Training Config Studio (its preview closed): what its language features cost the editor.
  { name: 'reference webview, Training Config Studio installed', install: { vsix, extensionDir: join(repoRoot, 'test/e2e/floor-extension') }, command: 'Latency Floor: Open', frame: /latency floor/i },
  { name: 'Training Config preview', install: { vsix }, command: 'Training Config: Open Preview', frame: /GPU[ -]?hours/i },
];
// --against FILE: another build's preview beside this one, in the same run (an A/B of a change).
const against = option('against');
if (against) targets.push({ name: `Training Config preview, ${against.replace(/.*\//, '')}`, install: { vsix: against }, command: 'Training Config: Open Preview', frame: /GPU[ -]?hours/i });
// --against-settings JSON: this build's preview once more, with these user settings on top (an A/B of a setting).
const againstSettings = option('against-settings');
if (againstSettings) targets.push({ name: `Training Config preview, ${againstSettings}`, install: { vsix }, settings: JSON.parse(againstSettings), command: 'Training Config: Open Preview', frame: /GPU[ -]?hours/i });
// --installed-settings JSON (repeatable): the reference beside Training Config Studio once more per occurrence, with
// these user settings on top: what each of the extension's editor features costs the editor, in the same run.
process.argv.forEach((arg, i) => {
  if (arg !== '--installed-settings' || process.argv[i + 1] === undefined) return;
  const json = process.argv[i + 1];
  targets.push({ ...targets[1], name: `reference webview, Training Config Studio installed, ${json}`, settings: JSON.parse(json) });
});

// CPU time comes in 10 ms ticks: its mean over the edits, not a median of ticks.
const mean = (ps, f) => (ps.length && ps.every((p) => f(p) !== undefined) ? Math.round(ps.reduce((a, p) => a + f(p), 0) / ps.length) : 'n/a');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const TICK_MS = 10; // /proc reports CPU time in USER_HZ ticks: 100 a second on x86 and arm Linux

/**
 * CPU milliseconds used so far by each process tree rooted at `roots` (Linux /proc; undefined elsewhere), exited
 * children included: wall time on a shared machine measures the neighbours too, CPU time measures the work.
 */
function treeCpuMs(roots) {
  if (!existsSync('/proc/self/stat')) return undefined;
  const parent = new Map();
  const cpu = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command (which may hold spaces and parentheses): state ppid … utime stime cutime cstime.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(name), Number(f[1]));
    cpu.set(Number(name), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS);
  }
  return roots.map((root) => {
    let total = 0;
    for (const [pid, ms] of cpu) {
      for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) {
        if (p === root) {
          total += ms;
          break;
        }
      }
    }
    return total;
  });
}

/** This process's children (Linux /proc; empty elsewhere). */
function childPids() {
  if (!existsSync('/proc/self/stat')) return [];
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Opens the target's editor and webview; `edit(i)` times one keystroke, `close()` stops it all. */
async function openTarget(target, setupEnv) {
  const temp = mkdtempSync(join(tmpdir(), 'tcs-floor-'));
  const workspace = join(temp, 'examples');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  const scheduleLine = readFileSync(join(workspace, EXAMPLE), 'utf8').split(/\r?\n/).findIndex((l) => /^\s*schedule:/.test(l)) + 1;
  let server;
  let browser;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer({ folder: workspace, setupEnv, ...target.install, settings: { ...extraSettings, ...target.settings } });
    const childrenBefore = childPids();
    browser = await launchBrowser();
    // Playwright starts the browser as a child of this process: the new child is its root.
    const browserPid = childPids().find((pid) => !childrenBefore.includes(pid) && pid !== server.pid) ?? -1;
    const { page } = await openWorkbench(browser, workbenchUrl(server));
    const wb = new Workbench(page);
    await wb.openFile(EXAMPLE);
    await wb.focusEditor();
    await wb.runCommand(target.command);
    const frame = await waitFor(`the ${target.name} webview`, () => wb.webviewFrameWith(target.frame), 30_000);
    await page.waitForTimeout(1500);
    const edit = async (i) => {
      const to = i % 2 === 0 ? '1f1b' : 'dualpipe';
      await wb.goToLine(scheduleLine);
      await page.keyboard.press('End');
      await page.keyboard.press('Control+Shift+ArrowLeft');
      const before = treeCpuMs([server.pid, browserPid]);
      const path = await timedEdit(page, frame, to);
      // Everything the keystroke set off (background rows, debounced status) finishes within this pause.
      await page.waitForTimeout(400);
      const after = treeCpuMs([server.pid, browserPid]);
      if (before && after) [path.serverCpuMs, path.browserCpuMs] = [after[0] - before[0], after[1] - before[1]];
      return path;
    };
    return { edit, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const only = option('only');
const kinds = ['reference', 'installed', 'preview'];
const chosen = only ? [targets[kinds.indexOf(only)], ...targets.slice(3)].filter(Boolean) : targets;
let setupEnv;
try {
  setupEnv = ensureSetup();
} catch (error) {
  console.error(`floor: setup failed: ${error.message}`);
  process.exit(1);
}
// Every target is open at once and the edits take turns (one per target per round), so a change in the machine's
// load during the run falls on all targets alike instead of on whichever was measured then.
const sessions = [];
const paths = chosen.map(() => []);
try {
  for (const target of chosen) sessions.push(await openTarget(target, setupEnv));
  // One untimed edit first: the first edit of a session pays for loading and compiling code.
  for (let i = 0; i <= RUNS; i++) {
    for (let t = 0; t < sessions.length; t++) {
      const path = await sessions[t].edit(i);
      if (i > 0) paths[t].push(path);
    }
  }
} finally {
  for (const s of sessions) await s.close();
}
const rows = chosen.map((target, t) => {
  const m = (f) => median(paths[t].map(f));
  console.log(`floor: ${target.name}: ${paths[t].map((p) => p.paintedAt - p.inputAt).join(', ')} ms`);
  return [
    target.name,
    m((p) => p.paintedAt - p.inputAt),
    m((p) => p.editedAt - p.inputAt),
    m((p) => p.sentAt - p.editedAt),
    m((p) => p.receivedAt - p.sentAt),
    m((p) => p.paintedAt - p.receivedAt),
    m((p) => p.editorPaintedAt - p.inputAt),
    mean(paths[t], (p) => p.serverCpuMs),
    mean(paths[t], (p) => p.browserCpuMs),
  ];
});
const header = ['webview', 'keystroke → painted', 'keystroke → host event', 'event → post', 'post → page', 'page → painted', "editor's own repaint", 'CPU: code-server + extension host', 'CPU: browser'];
console.log(`\nMedians of ${RUNS} edits (CPU: mean per edit, including the 400 ms after it), ms:\n`);
console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
