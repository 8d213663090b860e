/**
 * The provider network as an SVG: one line per physical link, coloured and widened by its busier
 * direction's utilisation, and a details box with each direction's reserved bandwidth by holding
 * priority. A link shows its details on hover or keyboard focus, and keeps them on click / Enter.
 */
import { h, replaceChildren, s } from '../dom/h.js';
import { formatBps, formatPercent } from '../model/format.js';
import {
  bundleLoads,
  priorityLabel,
  utilisationColour,
  utilisationWidth,
  type BundleLoad,
  type TopologySnapshot,
} from '../model/link-load.js';
import { layoutTopology, type NodePosition } from '../model/topology-layout.js';
import { panel } from './view.js';

const WIDTH = 640;
const HEIGHT = 360;

/** Colours of the holding priorities 0…7 in the breakdown bars. */
export const PRIORITY_COLOURS = [
  '#c92a2a',
  '#d9480f',
  '#e67700',
  '#5f3dc4',
  '#1971c2',
  '#0c8599',
  '#2b8a3e',
  '#868e96',
];

function describe(bundle: BundleLoad): string {
  const dirs = bundle.directions
    .map((d) => `${d.from} to ${d.to} ${formatBps(d.reservedBps)} of ${formatBps(d.capacityBps)}`)
    .join('; ');
  return `Link ${bundle.id}: ${formatPercent(bundle.utilisation)} used (${dirs})`;
}

export class TopologyPanel {
  readonly element: HTMLElement;
  readonly #svg: SVGSVGElement;
  readonly #linksLayer: SVGGElement;
  readonly #nodesLayer: SVGGElement;
  readonly #details: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #links = new Map<string, SVGGElement>();
  #bundles: BundleLoad[] = [];
  #positions = new Map<string, NodePosition>();
  #layoutKey = '';
  /** The link whose details stay shown (clicked), and the one under the pointer or focus. */
  #pinned: string | undefined;
  #hovered: string | undefined;

  constructor() {
    this.#linksLayer = s('g', { class: 'links' });
    this.#nodesLayer = s('g', { class: 'nodes' });
    this.#svg = s(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        role: 'group',
        'aria-label': 'Provider network: links coloured by utilisation',
        class: 'topology',
      },
      this.#linksLayer,
      this.#nodesLayer,
    );
    this.#details = h('div', { class: 'link-details', id: 'link-details', 'aria-live': 'polite' });
    this.#summary = h('p', { class: 'topology-summary' });
    this.element = panel(
      'Topology',
      { id: 'topology', className: 'topology-panel' },
      this.#summary,
      h('div', { class: 'topology-body' }, h('div', { class: 'topology-canvas' }, this.#svg), this.#details),
      legend(),
    );
    this.#renderDetails();
  }

  /** The figures of one physical link as last drawn (tests and other views read them). */
  bundle(id: string): BundleLoad | undefined {
    return this.#bundles.find((b) => b.id === id);
  }

  update(topology: TopologySnapshot): void {
    this.#bundles = bundleLoads(topology.links);
    const layoutKey = JSON.stringify([topology.nodes, this.#bundles.map((b) => [b.id, b.a, b.b])]);
    if (layoutKey !== this.#layoutKey) {
      this.#layoutKey = layoutKey;
      this.#positions = layoutTopology(topology.nodes, topology.links, { width: WIDTH, height: HEIGHT });
      this.#drawNodes(topology);
    }
    this.#drawLinks();
    const busiest = [...this.#bundles].sort((x, y) => y.utilisation - x.utilisation)[0];
    this.#summary.textContent =
      busiest && busiest.utilisation > 0
        ? `${topology.nodes.length} routers, ${this.#bundles.length} links; busiest: ${busiest.id} at ${formatPercent(busiest.utilisation)}`
        : `${topology.nodes.length} routers, ${this.#bundles.length} links; nothing reserved`;
    this.#renderDetails();
  }

  #drawNodes(topology: TopologySnapshot): void {
    replaceChildren(
      this.#nodesLayer,
      topology.nodes.map((n) => {
        const p = this.#positions.get(n.id) ?? { x: 0, y: 0 };
        const pe = n.kind === 'PE';
        return s(
          'g',
          { class: `node node-${pe ? 'pe' : 'p'}`, transform: `translate(${p.x} ${p.y})`, 'data-node': n.id },
          pe ? s('rect', { x: -24, y: -14, width: 48, height: 28, rx: 6 }) : s('circle', { r: 18 }),
          s('text', { 'text-anchor': 'middle', dy: '0.35em' }, n.id),
          s('title', {}, `${n.kind} ${n.id}${n.routerId ? ` (router id ${n.routerId})` : ''}`),
        );
      }),
    );
  }

  #drawLinks(): void {
    const seen = new Set<string>();
    for (const bundle of this.#bundles) {
      seen.add(bundle.id);
      const a = this.#positions.get(bundle.a);
      const b = this.#positions.get(bundle.b);
      if (!a || !b) continue;
      let g = this.#links.get(bundle.id);
      if (!g) {
        g = this.#createLink(bundle.id);
        this.#links.set(bundle.id, g);
        this.#linksLayer.appendChild(g);
      }
      const [hit, line, label, title] = [...g.children] as [
        SVGLineElement,
        SVGLineElement,
        SVGTextElement,
        SVGTitleElement,
      ];
      for (const l of [hit, line]) {
        l.setAttribute('x1', String(a.x));
        l.setAttribute('y1', String(a.y));
        l.setAttribute('x2', String(b.x));
        l.setAttribute('y2', String(b.y));
      }
      line.setAttribute('stroke', utilisationColour(bundle.utilisation));
      line.setAttribute('stroke-width', String(utilisationWidth(bundle.utilisation)));
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      label.setAttribute('x', String(mx));
      label.setAttribute('y', String(my - 6));
      label.textContent = bundle.utilisation > 0 ? formatPercent(bundle.utilisation) : '';
      const text = describe(bundle);
      title.textContent = text;
      g.setAttribute('aria-label', text);
      g.dataset.utilisation = String(bundle.utilisation);
      g.dataset.reservedBps = String(Math.max(...bundle.directions.map((d) => d.reservedBps)));
      g.classList.toggle('selected', this.#pinned === bundle.id);
      g.setAttribute('aria-pressed', String(this.#pinned === bundle.id));
    }
    for (const [id, g] of this.#links) {
      if (!seen.has(id)) {
        g.remove();
        this.#links.delete(id);
      }
    }
  }

  #createLink(id: string): SVGGElement {
    const g = s(
      'g',
      { class: 'link', tabindex: 0, role: 'button', 'data-link': id },
      s('line', { class: 'link-hit' }),
      s('line', { class: 'link-line', 'stroke-linecap': 'round' }),
      s('text', { class: 'link-label', 'text-anchor': 'middle' }),
      s('title'),
    );
    const show = (): void => {
      this.#hovered = id;
      this.#renderDetails();
    };
    const hide = (): void => {
      if (this.#hovered === id) this.#hovered = undefined;
      this.#renderDetails();
    };
    const toggle = (): void => {
      this.#pinned = this.#pinned === id ? undefined : id;
      this.#drawLinks();
      this.#renderDetails();
    };
    g.addEventListener('mouseenter', show);
    g.addEventListener('mouseleave', hide);
    g.addEventListener('focus', show);
    g.addEventListener('blur', hide);
    g.addEventListener('click', toggle);
    g.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      } else if (event.key === 'Escape' && this.#pinned !== undefined) {
        this.#pinned = undefined;
        this.#drawLinks();
        this.#renderDetails();
      }
    });
    return g;
  }

  #renderDetails(): void {
    const id = this.#hovered ?? this.#pinned;
    const bundle = id === undefined ? undefined : this.bundle(id);
    if (!bundle) {
      replaceChildren(
        this.#details,
        h('h3', {}, 'Link details'),
        h(
          'p',
          { class: 'hint' },
          'Hover over a link, or focus it and press Enter, to see its use by priority.',
        ),
      );
      return;
    }
    replaceChildren(
      this.#details,
      h('h3', {}, `Link ${bundle.id}`),
      bundle.directions.map((d) =>
        h(
          'div',
          { class: 'direction', 'data-direction': d.id },
          h(
            'p',
            {},
            h('strong', {}, `${d.from} → ${d.to}`),
            ` ${formatBps(d.reservedBps)} of ${formatBps(d.capacityBps)} (${formatPercent(d.utilisation)})`,
          ),
          priorityBar(d.byPriority, d.capacityBps),
          d.byPriority.length === 0
            ? h('p', { class: 'hint' }, 'nothing reserved')
            : h(
                'table',
                { class: 'priorities' },
                h('caption', { class: 'visually-hidden' }, `${d.from} to ${d.to} by holding priority`),
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'col' }, 'Holding priority'),
                    h('th', { scope: 'col' }, 'Reserved'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  d.byPriority.map((p) =>
                    h(
                      'tr',
                      { 'data-priority': p.priority },
                      h(
                        'td',
                        {},
                        h('span', {
                          class: 'swatch',
                          style: { background: PRIORITY_COLOURS[p.priority] ?? '#868e96' },
                        }),
                        priorityLabel(p.priority),
                      ),
                      h('td', {}, formatBps(p.bps)),
                    ),
                  ),
                ),
              ),
        ),
      ),
    );
  }
}

/** A horizontal bar: each priority's share of the capacity, stacked most important first. */
function priorityBar(loads: readonly { priority: number; bps: number }[], capacityBps: number): HTMLElement {
  return h(
    'div',
    { class: 'priority-bar', 'aria-hidden': 'true' },
    loads.map((p) =>
      h('span', {
        style: {
          width: `${capacityBps > 0 ? Math.min((100 * p.bps) / capacityBps, 100) : 0}%`,
          background: PRIORITY_COLOURS[p.priority] ?? '#868e96',
        },
      }),
    ),
  );
}

function legend(): HTMLElement {
  const item = (colour: string, text: string): HTMLElement =>
    h('li', {}, h('span', { class: 'swatch', style: { background: colour } }), text);
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Link colours' },
    item(utilisationColour(0), 'idle'),
    item(utilisationColour(0.2), 'under 50 %'),
    item(utilisationColour(0.6), '50–80 %'),
    item(utilisationColour(0.9), 'over 80 %'),
    item(utilisationColour(1.2), 'overbooked'),
  );
}
