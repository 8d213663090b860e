import { computeTrafficCounters, type TrafficCounters } from '../counters/traffic-counters.js';
import { StoreCorruptError } from '../errors.js';
import { arr, bool, num, object, optNum, parseStored, rates, str, strings } from '../redis/stored-json.js';

/**
 * State of an LSP in the simulator:
 * - `up`: every hop holds `bandwidthBps` and a label; traffic (and the counters) flow at that rate.
 * - `partial`: signalling failed half-way; the first hops hold a reservation and a label, the rest
 *   nothing; no traffic flows.
 * - `resize-partial`: a resize failed half-way; the first hops hold the new size, the rest the old one
 *   (`bandwidthBps`), at which traffic still flows. Resizing again to either size converges.
 * - `down`: a node on the path rebooted; the hops it held are gone, the other nodes still hold theirs.
 *
 * ```
 *   signal ──► up ◄──── resize ────► resize-partial
 *     │         │  (half-way)              │
 *     │         └──── reboot of a node ──► down ◄── reboot ─┘
 *     └─ half-way ──► partial ─── reboot ──► down
 *   teardown removes the LSP from every state; signal again converges partial/down.
 * ```
 */
export type LspStatus = 'up' | 'partial' | 'resize-partial' | 'down';

/** One hop of an LSP: the link from `from` to `to` and what the simulator holds for it. */
export interface LspHop {
  readonly linkId: string;
  readonly from: string;
  readonly to: string;
  /** Bandwidth reserved on the link for this LSP (0 when the hop was never set up or was lost). */
  readonly reservedBps: number;
  /**
   * The label `to` bound for this LSP, i.e. the label `from` sends with (RFC 3209 §4.1: the Resv's
   * LABEL object); 3 (Implicit NULL) at a PHP egress; `null` when not set up or lost in a reboot.
   */
  readonly label: number | null;
}

/** An RSVP-TE LSP as the simulator holds it. */
export interface Lsp {
  readonly lspId: string;
  readonly ingress: string;
  readonly egress: string;
  /** Node ids from ingress to egress. */
  readonly nodes: readonly string[];
  readonly hops: readonly LspHop[];
  /** The size the LSP was granted (the old size while a resize is partial). */
  readonly bandwidthBps: number;
  readonly setupPriority: number;
  readonly holdingPriority: number;
  readonly penultimateHopPopping: boolean;
  readonly status: LspStatus;
  /** Label the ingress pushes (the first hop's label), `null` unless set up. */
  readonly ingressLabel: number | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Counters as if traffic flowed at the granted rate while the LSP was up. */
  readonly counters: TrafficCounters;
}

const STATUSES: ReadonlySet<string> = new Set(['up', 'partial', 'resize-partial', 'down']);

/** Decodes a stored LSP record and computes its counters at `nowMs`. @internal */
export function decodeLsp(json: unknown, nowMs: number, meanPacketBytes: number): Lsp {
  const what = 'lsp';
  const o = parseStored(json, what);
  const status = str(o, 'status', what);
  if (!STATUSES.has(status)) throw new StoreCorruptError(`lsp.status: unknown status "${status}"`);
  const hops = arr(o, 'hops', what).map((raw, i): LspHop => {
    const h = object(raw, `lsp.hops[${i}]`);
    return {
      linkId: str(h, 'linkId', 'hop'),
      from: str(h, 'from', 'hop'),
      to: str(h, 'to', 'hop'),
      reservedBps: num(h, 'reservedBps', 'hop'),
      label: optNum(h, 'label', 'hop'),
    };
  });
  return {
    lspId: str(o, 'lspId', what),
    ingress: str(o, 'ingress', what),
    egress: str(o, 'egress', what),
    nodes: strings(o, 'nodes', what),
    hops,
    bandwidthBps: num(o, 'bandwidthBps', what),
    setupPriority: num(o, 'setupPriority', what),
    holdingPriority: num(o, 'holdingPriority', what),
    penultimateHopPopping: bool(o, 'php', what),
    status: status as LspStatus,
    ingressLabel: hops[0]?.label ?? null,
    createdAtMs: num(o, 'createdAtMs', what),
    updatedAtMs: num(o, 'updatedAtMs', what),
    counters: computeTrafficCounters(rates(o, what), nowMs, meanPacketBytes),
  };
}
