/** The error banner over a stale preview: names the errors; each with a line is a button that reveals it. */
import type { PreviewError } from '../../protocol/preview';
import { clear, h, icon } from './dom';

/** Errors listed; the rest are counted. */
const SHOWN = 8;

export class BannerView {
  readonly root: HTMLElement;

  constructor(private readonly onReveal: (line: number) => void) {
    this.root = h('div', { class: 'banner', role: 'alert', hidden: true });
  }

  /** `title` says what state the preview is in; `errors` are the document's errors (may be empty). */
  show(title: string, errors: readonly PreviewError[], kind: 'error' | 'warning' = 'error'): void {
    clear(this.root);
    this.root.hidden = false;
    this.root.className = `banner banner-${kind}`;
    this.root.append(h('p', { class: 'banner-title' }, icon(kind === 'error' ? 'error' : 'warning'), ` ${title}`));
    if (errors.length === 0) return;
    const list = h('ul', { class: 'banner-list' });
    for (const e of errors.slice(0, SHOWN)) {
      const text = e.line >= 0 ? `Line ${e.line + 1}: ${e.message}` : e.message;
      if (e.line >= 0) {
        const button = h('button', { type: 'button', class: 'link-button', title: `Go to line ${e.line + 1}` }, text);
        button.addEventListener('click', () => this.onReveal(e.line));
        list.append(h('li', {}, button));
      } else {
        list.append(h('li', {}, text));
      }
    }
    if (errors.length > SHOWN) list.append(h('li', {}, `…and ${errors.length - SHOWN} more (see the Problems panel).`));
    this.root.append(list);
  }

  hide(): void {
    if (this.root.hidden && !this.root.firstChild) return;
    this.root.hidden = true;
    clear(this.root);
  }
}
