/**
 * Tiny DOM helpers. Text goes in through textContent only (never innerHTML), so a config's strings cannot inject
 * markup; styles are set through the CSSOM, which the page's CSP allows (inline style attributes it does not).
 */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A decorative codicon; the surrounding text or aria-label carries the meaning. */
export function icon(name: string, extra = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

/**
 * Sets an element's text only when it changed: an unchanged text node leaves style and layout alone. An element
 * holding one text node keeps it and gets new data (replacing the node, as `textContent =` does, costs more: the
 * 64-rank memory table changes a few hundred cells per keystroke).
 */
export function setText(el: HTMLElement, text: string): void {
  const only = el.firstChild;
  if (only !== null && only === el.lastChild && only.nodeType === TEXT_NODE) {
    const node = only as Text;
    if (node.data !== text) node.data = text;
  } else if (el.textContent !== text) el.textContent = text;
}

/** Node.TEXT_NODE, without reading the global `Node` (absent where the views are built on a stub document). */
const TEXT_NODE = 3;

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A section with a heading, labelled by it. */
export function section(id: string, title: string, iconName: string): { root: HTMLElement; body: HTMLElement; heading: HTMLElement } {
  const heading = h('h2', { id: `${id}-title` }, icon(iconName), ` ${title}`);
  const body = h('div', { class: 'section-body' });
  const root = h('section', { id, class: 'card', 'aria-labelledby': `${id}-title` }, heading, body);
  return { root, body, heading };
}
