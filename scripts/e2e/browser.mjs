// Debian's chromium driven by playwright-core (never a downloaded browser), and the code-server workbench URL.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.TCS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`npm run e2e:setup\``);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * The workbench URL for a folder; `payload` pairs (extensionDevelopmentPath, extensionTestsPath, …) go through the
 * web workbench's `payload` parameter, with paths as vscode-remote URIs on this server.
 */
export function workbenchUrl(server, { folder = server.folder, payload } = {}) {
  const params = new URLSearchParams({ folder });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params}`;
}

export function remoteUri(server, absPath) {
  return `vscode-remote://127.0.0.1:${server.port}${absPath}`;
}

/** Opens the workbench and waits for it to be laid out. */
export async function openWorkbench(browser, url, { timeoutMs = 60_000, onPage } = {}) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  if (onPage) await onPage(page);
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  return { context, page, workbenchMs: Date.now() - t0 };
}
