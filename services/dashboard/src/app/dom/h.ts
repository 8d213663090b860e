/**
 * A few lines of DOM building instead of a framework: `h('button', { type: 'button', onclick }, 'Save')`.
 * Attributes with `true` are set empty, `style` takes an object of properties, `false`/`undefined`/`null` are left out, `on<event>` values
 * become listeners; children are nodes or text (arrays flatten, `null`/`false` are skipped).
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type Attrs = Record<string, unknown>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el: Element, attrs: Attrs | undefined, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'style' && typeof value === 'object') {
      // Through the CSSOM, which a Content-Security-Policy without 'unsafe-inline' still allows.
      for (const [k, v] of Object.entries(value as Record<string, string>))
        (el as HTMLElement | SVGElement).style.setProperty(k, v);
    } else if (name === 'dataset' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, string>))
        (el as HTMLElement).dataset[k] = v;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
}

/** Appends children (flattening arrays, skipping empty ones). */
export function append(el: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (typeof child === 'string' || typeof child === 'number')
      el.appendChild(document.createTextNode(String(child)));
    else el.appendChild(child as Node);
  }
}

/** An HTML element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs, children);
  return el;
}

/** An SVG element. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, children);
  return el;
}

/** Replaces an element's children. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * Keeps one row per key in a table body: rows of keys that left are removed, new ones created,
 * and every row's cells re-rendered in the items' order. Rows keep their identity (and focus)
 * across refreshes.
 */
export function syncRows<T>(
  tbody: HTMLTableSectionElement,
  items: readonly T[],
  key: (item: T) => string,
  cells: (item: T) => Child[],
): void {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const row of Array.from(tbody.rows)) existing.set(row.dataset.key ?? '', row);
  const wanted = new Set(items.map(key));
  for (const [k, row] of existing) if (!wanted.has(k)) row.remove();
  let previous: HTMLTableRowElement | null = null;
  for (const item of items) {
    const k = key(item);
    let row = existing.get(k);
    if (!row) {
      row = h('tr', { dataset: { key: k } });
    }
    const fresh = cells(item).map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c)));
    const same =
      row.cells.length === fresh.length && fresh.every((c, i) => row!.cells[i]!.outerHTML === c.outerHTML);
    if (!same) row.replaceChildren(...fresh);
    const expectedNext: ChildNode | null = previous ? previous.nextSibling : tbody.firstChild;
    if (expectedNext !== row) tbody.insertBefore(row, expectedNext);
    previous = row;
  }
}
