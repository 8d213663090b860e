import { InvalidArgumentError } from '../errors.js';

/** The default key prefix: one hash tag, so every key of the simulated network lives in one cluster slot. */
export const DEFAULT_PREFIX = '{pesim}';

/**
 * Names of the Redis keys of one simulated network. Every key starts with the prefix, whose hash tag
 * (`{…}`) puts the whole network in one Redis Cluster slot: the Lua scripts change links, labels and
 * LSP records of several nodes atomically, which Cluster allows only within one slot.
 *
 * | key | type | content |
 * |---|---|---|
 * | `P:meta` | hash | `network`: canonical topology + label range (checked by every process) |
 * | `P:link:cap` | hash | link id → max reservable bit/s (the simulator's own copy) |
 * | `P:link:resv` | hash | link id → reserved bit/s |
 * | `P:lsp` | hash | LSP id → LSP record (JSON) |
 * | `P:node:<n>:lsps` | set | ids of LSPs whose path includes node n |
 * | `P:node:<n>:label:next` | string | next never-used label of node n |
 * | `P:node:<n>:label:free` | zset | released labels of node n (score = label; lowest reused first) |
 * | `P:node:<n>:label:owner` | hash | label → owner (`rsvp:<lsp>`, `ldp:<fec>`, `vrf:<vpn>`) |
 * | `P:pe:<pe>:ldp` | hash | FEC → label |
 * | `P:pe:<pe>:vrf` | hash | VPN id → VRF (JSON: RD, RTs, VPN label) |
 * | `P:pe:<pe>:routes` | hash | `<vpn>\|<ce>` → membership route (JSON) |
 * | `P:pe:<pe>:uni` | hash | session id → UNI session (JSON) |
 * | `P:pe:<pe>:marking` | hash | service class → DSCP |
 * | `P:faults` | hash | fault id → fault spec (JSON) |
 * | `P:faults:state` | hash | `<id>:remaining`, `<id>:rng`, `__seq` |
 */
export class PeSimKeys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    if (typeof prefix !== 'string' || !/^[^\s{}]*\{[^\s{}]+\}[^\s{}]*$/.test(prefix)) {
      throw new InvalidArgumentError(
        'prefix',
        'must contain exactly one non-empty hash tag such as "{pesim}" (so Redis Cluster keeps the network in one slot)',
      );
    }
    this.prefix = prefix;
  }

  get meta(): string {
    return `${this.prefix}:meta`;
  }
  get linkCapacity(): string {
    return `${this.prefix}:link:cap`;
  }
  get linkReserved(): string {
    return `${this.prefix}:link:resv`;
  }
  get lsps(): string {
    return `${this.prefix}:lsp`;
  }
  get faults(): string {
    return `${this.prefix}:faults`;
  }
  get faultState(): string {
    return `${this.prefix}:faults:state`;
  }
  nodeLsps(node: string): string {
    return `${this.prefix}:node:${node}:lsps`;
  }
  labelNext(node: string): string {
    return `${this.prefix}:node:${node}:label:next`;
  }
  labelFree(node: string): string {
    return `${this.prefix}:node:${node}:label:free`;
  }
  labelOwner(node: string): string {
    return `${this.prefix}:node:${node}:label:owner`;
  }
  ldp(pe: string): string {
    return `${this.prefix}:pe:${pe}:ldp`;
  }
  vrfs(pe: string): string {
    return `${this.prefix}:pe:${pe}:vrf`;
  }
  routes(pe: string): string {
    return `${this.prefix}:pe:${pe}:routes`;
  }
  sessions(pe: string): string {
    return `${this.prefix}:pe:${pe}:uni`;
  }
  marking(pe: string): string {
    return `${this.prefix}:pe:${pe}:marking`;
  }

  /** The four per-node keys the RSVP-TE scripts take for each node of a path, in script order. */
  pathNodeKeys(node: string): [string, string, string, string] {
    return [this.labelNext(node), this.labelFree(node), this.labelOwner(node), this.nodeLsps(node)];
  }
}
