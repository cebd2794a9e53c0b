/** A tiny element builder: the viewer has no framework, so screens build DOM with h(). */
type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** A short-lived message at the bottom of the page (decisions, errors). */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const box = h('div', { class: `toast toast-${kind}`, role: 'status' }, message);
  document.body.appendChild(box);
  setTimeout(() => box.remove(), kind === 'error' ? 8000 : 2500);
}

export const formatNumber = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '–' : Number(value).toFixed(digits);

export const formatDate = (value: string | null | undefined): string => (value ? value.slice(0, 10) : '–');
