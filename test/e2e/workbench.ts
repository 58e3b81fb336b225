/** What a user does in the VS Code workbench, as Playwright steps against code-server's DOM. */
import type { Frame, Page } from 'playwright-core';
import { waitFor } from './harness';

export const MOD = 'Control';

export class Workbench {
  constructor(readonly page: Page) {}

  /**
   * Runs a command from the command palette by its label (e.g. "Training Config: Open Preview"). A command that
   * opens a picker of its own (`opensPicker`) leaves the quick input open for the caller; one that reloads the
   * page (`closes: false`) is not waited on.
   */
  async runCommand(label: string, { opensPicker = false, closes = true } = {}): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    if (opensPicker) {
      await waitFor(`the picker of "${label}"`, async () => !(await this.page.locator('.quick-input-widget input').inputValue()).startsWith('>'));
      return;
    }
    // `closes: false` for a command that replaces the page (a reload): nothing to wait for here.
    if (closes) await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Quick Open (Ctrl+P) a workspace file by name, and wait for its editor tab to be active. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press(`${MOD}+P`);
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor({ state: 'visible' });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  }

  /**
   * Focuses the first editor group (where the config is) and makes its text editor the active editor: the status
   * bar's cursor position shows only then. Coming from a webview, Ctrl+1 can move the DOM focus before the workbench
   * switches its active editor; clicking the group's active tab settles it.
   */
  async focusEditor(): Promise<void> {
    await this.page.keyboard.press(`${MOD}+1`);
    let clicked = false;
    await waitFor('the text editor to be focused and active', async () => {
      const focused = await this.page.evaluate(() => !!document.activeElement?.closest('.editor-group-container .monaco-editor'));
      const active = await this.page.locator('#status\\.editor\\.selection').first().isVisible().catch(() => false);
      if (focused && active) return true;
      if (!clicked) {
        clicked = true;
        await this.page.waitForTimeout(500);
        if (!(await this.page.locator('#status\\.editor\\.selection').first().isVisible().catch(() => false))) {
          await this.page.locator('.editor-group-container').first().locator('.tab.active').first().click();
        }
      }
      return false;
    });
  }

  /** Ctrl+G to a 1-based line; the cursor lands at its first column. */
  async goToLine(line: number): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const widget = this.page.locator('.quick-input-widget');
    // A webview that had focus (a button in the preview was just clicked) can take it back from the editor after
    // focusEditor saw it there; Go to Line then answers "Open a text editor first". Close it and focus again.
    for (let attempt = 1; ; attempt++) {
      await this.focusEditor();
      await this.page.keyboard.press(`${MOD}+G`);
      await input.waitFor({ state: 'visible' });
      await input.fill(`:${line}`);
      const answer = await waitFor('Go to Line to answer', async () => {
        const text = await widget.innerText();
        return /open a text editor first/i.test(text) ? 'no editor' : new RegExp(`\\b(?:line|Line) ${line}\\b`).test(text) ? 'line' : undefined;
      }, 10_000);
      if (answer === 'line') break;
      if (attempt >= 3) throw new Error(`Go to Line found no text editor after ${attempt} attempts`);
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden' });
    }
    // Enter before the picker has taken the typed line does nothing (the picker stays open): it offered the line above.
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden' });
    await waitFor(`the cursor on line ${line}`, async () => (await this.cursorLine()) === line);
  }

  /** The 1-based line of the cursor, from the status bar ("Ln 45, Col 3"). */
  async cursorLine(): Promise<number | undefined> {
    const text = await this.page.locator('#status\\.editor\\.selection').first().textContent({ timeout: 1000 }).catch(() => null);
    const m = /Ln (\d+)/.exec(text ?? '');
    return m ? Number(m[1]) : undefined;
  }

  async save(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press(`${MOD}+S`);
    await waitFor('the editor to be saved', async () => (await this.page.locator('.tab.active.dirty').count()) === 0);
  }

  /** Opens the Problems panel (View: Focus Problems) and returns the rows' accessible labels. */
  async showProblems(): Promise<void> {
    if (!(await this.page.locator('.markers-panel').first().isVisible().catch(() => false))) {
      await this.page.keyboard.press(`${MOD}+Shift+M`);
      await this.page.locator('.markers-panel').first().waitFor({ state: 'visible' });
    }
  }

  async problems(): Promise<string[]> {
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('aria-label') ?? (r as HTMLElement).innerText),
    );
  }

  /** The problem count the status bar shows (errors + warnings), or undefined while it is not rendered. */
  async problemCounts(): Promise<{ errors: number; warnings: number } | undefined> {
    const label = await this.page.locator('#status\\.problems').first().getAttribute('aria-label', { timeout: 1000 }).catch(() => null);
    const text = label ?? (await this.page.locator('#status\\.problems').first().textContent({ timeout: 1000 }).catch(() => null));
    if (!text) return undefined;
    if (/No Problems/i.test(text)) return { errors: 0, warnings: 0 };
    const count = (word: string) => {
      const m = new RegExp(`(\\d+)\\s*${word}|${word}:?\\s*(\\d+)`, 'i').exec(text);
      return m ? Number(m[1] ?? m[2]) : 0;
    };
    return { errors: count('Errors?'), warnings: count('Warnings?') };
  }

  /** Problems rows that are errors (the accessible label starts with "Error:"). */
  async errorRows(): Promise<string[]> {
    return (await this.problems()).filter((r) => /^Error\b/i.test(r.trim()));
  }

  /** Whether the editor draws an error squiggle on the given 1-based line (which must be rendered). */
  async squiggleOnLine(line: number, kind: 'error' | 'warning' = 'error'): Promise<boolean> {
    return this.page.evaluate(
      ({ line, kind }) => {
        const editor = document.querySelector('.editor-group-container .monaco-editor');
        if (!editor) return false;
        const numbers = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers'));
        const gutter = numbers.find((n) => n.textContent?.trim() === String(line));
        const top = (gutter?.parentElement as HTMLElement | undefined)?.style.top;
        if (!top) return false;
        return Array.from(editor.querySelectorAll(`.view-overlays > div`)).some(
          (row) => (row as HTMLElement).style.top === top && row.querySelector(`.squiggly-${kind}`) !== null,
        );
      },
      { line, kind },
    );
  }

  /** The text of a rendered 1-based line of the active editor, from the DOM (what the user sees). */
  async lineText(line: number): Promise<string | undefined> {
    return this.page.evaluate((line) => {
      const editor = document.querySelector('.editor-group-container .monaco-editor');
      if (!editor) return undefined;
      const numbers = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers'));
      const top = (numbers.find((n) => n.textContent?.trim() === String(line))?.parentElement as HTMLElement | undefined)?.style.top;
      const row = Array.from(editor.querySelectorAll('.view-lines > .view-line')).find((l) => (l as HTMLElement).style.top === top);
      return row ? (row as HTMLElement).innerText.replace(/\u00a0/g, ' ') : undefined;
    }, line);
  }

  /** The visible hover widget's text, if any. */
  async hoverText(): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents');
    const texts = await hover.evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => (e as HTMLElement).innerText));
    return texts.join('\n');
  }

  /** Labels in the visible suggest widget. */
  async suggestLabels(): Promise<string[]> {
    return this.page
      .locator('.suggest-widget.visible .monaco-list-row .label-name')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.trim()));
  }

  /** The frame of a webview whose document contains `text` (webviews are nested iframes). */
  async webviewFrameWith(pattern: RegExp): Promise<Frame | undefined> {
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame()) continue;
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (pattern.test(text)) return frame;
    }
    return undefined;
  }
}

/** One edit's path on the wall clock, which the test, the extension host and the page all read (Date.now()). */
export interface EditPath {
  /** The input went in. */
  inputAt: number;
  /** The editor's own text changed on screen (the frame after the view's DOM changed), for reference. */
  editorPaintedAt: number;
  /** The extension host saw the change, posted the update; the page received and painted it. */
  editedAt: number;
  sentAt: number;
  receivedAt: number;
  paintedAt: number;
}

/**
 * Types `text` over the editor's selection and follows it to the preview's paint. The page stamps each step on
 * the wall clock (webview/main.ts); the editor's own repaint is stamped here by a MutationObserver on its lines.
 */
export async function timedEdit(page: Page, preview: Frame, text: string, timeoutMs = 20_000): Promise<EditPath> {
  const before = Number(await preview.evaluate(() => document.body.dataset.paintedVersion ?? '0'));
  await page.evaluate(() => {
    const w = window as unknown as { __tcsEditorPaintedAt?: number };
    w.__tcsEditorPaintedAt = 0;
    const lines = document.querySelector('.editor-group-container .monaco-editor .view-lines');
    if (!lines) return;
    // The editor renders in an animation frame; a task queued from its mutation runs once that frame is painted.
    const observer = new MutationObserver(() => {
      observer.disconnect();
      setTimeout(() => (w.__tcsEditorPaintedAt = Date.now()), 0);
    });
    observer.observe(lines, { subtree: true, childList: true, characterData: true });
  });
  const inputAt = Date.now();
  await page.keyboard.insertText(text);
  const stamps = await waitFor(
    'the preview to paint the edit',
    async () => {
      // A paint of a newer document version than before the input, and one the edit event produced.
      const d = await preview.evaluate(() => ({ ...document.body.dataset }));
      return Number(d.paintedVersion) > before && d.paintedAt && d.editedAt ? d : undefined;
    },
    timeoutMs,
  );
  const editorPaintedAt = await waitFor('the editor to repaint', () =>
    page.evaluate(() => (window as unknown as { __tcsEditorPaintedAt?: number }).__tcsEditorPaintedAt || undefined),
  );
  return {
    inputAt,
    editorPaintedAt,
    editedAt: Number(stamps.editedAt),
    sentAt: Number(stamps.sentAt),
    receivedAt: Number(stamps.receivedAt),
    paintedAt: Number(stamps.paintedAt),
  };
}

/** A short signature of every canvas in a frame: changes when what is drawn changes. */
export async function canvasSignature(frame: Frame): Promise<string> {
  return frame.evaluate(() => {
    const parts: string[] = [];
    for (const canvas of Array.from(document.querySelectorAll('canvas'))) {
      const data = canvas.toDataURL();
      let h = 0;
      for (let i = 0; i < data.length; i += 7) h = (h * 31 + data.charCodeAt(i)) | 0;
      parts.push(`${canvas.width}x${canvas.height}:${h}`);
    }
    const svgs = Array.from(document.querySelectorAll('svg')).map((s) => s.innerHTML.length);
    return `${parts.join(',')}|${svgs.join(',')}`;
  });
}
