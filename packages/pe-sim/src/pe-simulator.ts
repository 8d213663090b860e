import type { Cluster, Redis } from 'ioredis';
import { parseRouteDistinguisher } from './bgp/route-distinguisher.js';
import { parseRouteTargets } from './bgp/route-target.js';
import {
  buildVrfTable,
  decodeMembershipRoute,
  decodeVrf,
  type MembershipRoute,
  type Vrf,
  type VrfTable,
} from './bgp/vrf.js';
import { systemClock, type SimClock } from './clock/sim-clock.js';
import {
  ConflictError,
  InvalidArgumentError,
  LabelSpaceExhaustedError,
  LspNotUpError,
  NoBandwidthError,
  NotFoundError,
  PeFailedHalfWayError,
  PeRebootedError,
  PeRefusedError,
  PeTimeoutError,
  StoreCorruptError,
  TopologyMismatchError,
  UnknownLinkError,
  UnknownNodeError,
  UnknownPeError,
  UnknownVpnError,
} from './errors.js';
import { checkFaultSpec, type Fault, type FaultMode, type FaultSpec } from './faults/fault-spec.js';
import { checkLabelRange, DEFAULT_LABEL_RANGE, type LabelRange } from './labels/label-range.js';
import { MAX_TIME_MS } from './limits.js';
import { parseIpPrefix } from './net/ip-prefix.js';
import { isOperationKind, type OperationKind } from './operation-kind.js';
import type {
  BgpAdvertiseMembershipRequest,
  BgpAdvertiseMembershipResult,
  BgpWithdrawMembershipRequest,
  BgpWithdrawMembershipResult,
  CallOptions,
  LabelBinding,
  LdpBinding,
  LdpBindingRequest,
  LdpBindResult,
  LdpReleaseResult,
  LinkState,
  MarkingApplyRequest,
  MarkingApplyResult,
  RebootReport,
  RsvpTeResizeRequest,
  RsvpTeResizeResult,
  RsvpTeSignalRequest,
  RsvpTeSignalResult,
  RsvpTeTeardownRequest,
  RsvpTeTeardownResult,
  UniAddSessionRequest,
  UniModifySessionRequest,
  UniRemoveSessionRequest,
  UniRemoveSessionResult,
} from './operation-requests.js';
import { DEFAULT_PREFIX, PeSimKeys } from './redis/pe-sim-keys.js';
import { ScriptCode, ScriptRunner, type ScriptName, type ScriptReply } from './redis/script-runner.js';
import { parseStored } from './redis/stored-json.js';
import { decodeLsp, type Lsp, type LspStatus } from './rsvp-te/lsp.js';
import {
  parseSimTopology,
  resolveExplicitRoute,
  type SimTopology,
  type SimTopologySpec,
} from './topology/sim-topology.js';
import { decodeUniSession, type MarkingRule, type UniSession } from './uni/uni-session.js';
import { requireBps, requireDscp, requireId, requireMs, requirePriority } from './validate.js';

/** Options of {@link PeSimulator}. */
export interface PeSimulatorOptions {
  /** The Redis connection (or Cluster) holding the shared simulated network. Not closed by the simulator. */
  redis: Redis | Cluster;
  /** Key prefix with one hash tag. Processes sharing a prefix share one network. @defaultValue '{pesim}' */
  prefix?: string;
  /** The provider network: `{ nodes, links: [{ id, from, to, maxReservableBps }] }`. */
  topology: SimTopologySpec;
  /** Time for counters, latency and deadlines. @defaultValue the system clock */
  clock?: SimClock;
  /** Latency in ms added to each operation kind before the PE acts. @defaultValue 0 for every kind */
  latency?: Partial<Record<OperationKind, number>>;
  /** Default seed of the probabilistic faults' RNG. @defaultValue 1 */
  seed?: number;
  /** How long a caller waits for a PE's answer before {@link PeTimeoutError}. @defaultValue 10 000 ms */
  deadlineMs?: number;
  /** Mean packet size for packet counters. @defaultValue 500 bytes */
  meanPacketBytes?: number;
  /** Label space of every node. @defaultValue 16 … 1 048 575 */
  labelRange?: LabelRange;
}

const DEFAULTS = {
  prefix: DEFAULT_PREFIX,
  seed: 1,
  deadlineMs: 10_000,
  meanPacketBytes: 500,
  labelRange: DEFAULT_LABEL_RANGE,
} as const;

/** Where a running operation is: the operation kind a deadline that passes now names. */
interface Progress {
  op: OperationKind;
}

/** The fault-drawing argument of a retried script: the operation has drawn its fault already. */
const NO_DRAW = '';

/** No class rule to resolve a session's DSCP with. */
const NO_CLASS_RULES: ReadonlyMap<string, number> = new Map();

/**
 * A simulated MPLS provider network whose state lives in Redis, so any number of worker processes
 * drive one network: per-PE VRFs and membership routes (RFC 4364), LDP bindings, RSVP-TE LSPs with
 * per-hop admission and labels (RFC 3209), UNI sessions, DSCP marking, traffic counters, latency and
 * fault injection. Every change is one Lua script, so concurrent workers cannot over-admit a link or
 * bind a label twice.
 *
 * The operations are named after the provisioner's job types (DESIGN.md §4); each addresses one PE
 * (the ingress for `rsvp-te.*`), which is what faults and latency key on.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4364
 * @see https://www.rfc-editor.org/rfc/rfc3209
 * @see https://www.rfc-editor.org/rfc/rfc5036
 */
export class PeSimulator {
  /** The simulator's own validated copy of the topology. */
  readonly topology: SimTopology;
  /** The Redis key names of this network. */
  readonly keys: PeSimKeys;
  readonly #redis: Redis | Cluster;
  readonly #scripts: ScriptRunner;
  readonly #clock: SimClock;
  readonly #latency = new Map<OperationKind, number>();
  readonly #seed: number;
  readonly #deadlineMs: number;
  readonly #meanPacketBytes: number;
  readonly #labelRange: LabelRange;
  #ready: Promise<void> | undefined;

  constructor(options: PeSimulatorOptions) {
    if (!options || typeof options !== 'object' || !options.redis) {
      throw new InvalidArgumentError('redis', 'an ioredis connection is required');
    }
    this.topology = parseSimTopology(options.topology);
    this.keys = new PeSimKeys(options.prefix ?? DEFAULTS.prefix);
    this.#redis = options.redis;
    this.#scripts = new ScriptRunner(options.redis);
    this.#clock = options.clock ?? systemClock;
    this.#seed = options.seed ?? DEFAULTS.seed;
    if (!Number.isInteger(this.#seed) || this.#seed < 0 || this.#seed > 0x7fffffff) {
      throw new InvalidArgumentError('seed', 'must be an integer in 0…2147483647');
    }
    this.#deadlineMs = requireMs(options.deadlineMs ?? DEFAULTS.deadlineMs, 'deadlineMs', false);
    this.#meanPacketBytes = options.meanPacketBytes ?? DEFAULTS.meanPacketBytes;
    if (!Number.isInteger(this.#meanPacketBytes) || this.#meanPacketBytes < 1) {
      throw new InvalidArgumentError('meanPacketBytes', 'must be a positive integer');
    }
    this.#labelRange = checkLabelRange(options.labelRange ?? DEFAULTS.labelRange);
    for (const [op, ms] of Object.entries(options.latency ?? {})) {
      if (!isOperationKind(op)) throw new InvalidArgumentError('latency', `"${op}" is not an operation kind`);
      this.setLatency(op, ms);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up
  // ---------------------------------------------------------------------------------------------

  /**
   * Stores the topology and label range in Redis, or checks that the network already stored under the
   * prefix is the same one. Operations call it on first use; call it to fail early, or with
   * `replace: true` to overwrite another network's description (its state is kept).
   */
  async init(options: { replace?: boolean } = {}): Promise<void> {
    if (options.replace) {
      await this.#initialize(true);
      this.#ready = Promise.resolve();
      return;
    }
    await this.#ensureReady();
  }

  #ensureReady(): Promise<void> {
    this.#ready ??= this.#initialize(false).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #initialize(replace: boolean): Promise<void> {
    const network = JSON.stringify({
      topology: JSON.parse(this.topology.canonical) as unknown,
      labelRange: [this.#labelRange.min, this.#labelRange.max],
    });
    const args: (string | number)[] = [network, replace ? '1' : '0'];
    for (const link of this.topology.links.values()) args.push(link.id, link.maxReservableBps);
    const result = await this.#scripts.run(
      'initNetwork-3',
      [this.keys.meta, this.keys.linkCapacity, this.keys.linkReserved],
      args,
    );
    if (result === ScriptCode.TopologyMismatch) throw new TopologyMismatchError();
  }

  /** Sets the latency of one operation kind (this process only). */
  setLatency(op: OperationKind, ms: number): void {
    if (!isOperationKind(op))
      throw new InvalidArgumentError('op', `"${String(op)}" is not an operation kind`);
    this.#latency.set(op, requireMs(ms, `latency.${op}`));
  }

  /**
   * Changes a link's capacity in the simulator's own bookkeeping only (the broker's copy is not told):
   * a way to make the two disagree, as when an operator reconfigures a router. Existing reservations stay.
   */
  async setLinkCapacity(linkId: string, maxReservableBps: number): Promise<void> {
    if (!this.topology.links.has(linkId)) throw new UnknownLinkError(linkId);
    requireBps(maxReservableBps, 'maxReservableBps');
    await this.#ensureReady();
    await this.#redis.hset(this.keys.linkCapacity, linkId, maxReservableBps);
  }

  /** Deletes every key of this network (all processes sharing the prefix see an empty network). */
  async clear(): Promise<number> {
    const pattern = `${this.keys.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
    const clients: (Redis | Cluster)[] =
      'nodes' in this.#redis && typeof this.#redis.nodes === 'function'
        ? (this.#redis as Cluster).nodes('master')
        : [this.#redis];
    let deleted = 0;
    for (const client of clients) {
      let cursor = '0';
      do {
        const [next, keys] = await (client as Redis).scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) deleted += await client.del(...keys);
      } while (cursor !== '0');
    }
    this.#ready = undefined;
    return deleted;
  }

  // ---------------------------------------------------------------------------------------------
  // Operation driver: deadline, latency; the fault draw is part of each operation's script
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs one PE operation (or, with several `ops`, operations the PE handles back to back in one
   * script): the latency of each kind is waited, then `body` runs the script, which draws the fault
   * first (scripts/includes/faults.lua) — one Redis round trip per operation.
   */
  async #run<T>(
    ops: OperationKind | readonly [OperationKind, ...OperationKind[]],
    pe: string,
    call: CallOptions | undefined,
    body: (progress: Progress) => Promise<T>,
  ): Promise<T> {
    const deadlineMs =
      call?.deadlineMs === undefined ? this.#deadlineMs : requireMs(call.deadlineMs, 'deadlineMs', false);
    await this.#ensureReady();
    const kinds = typeof ops === 'string' ? [ops] : ops;
    const progress: Progress = { op: kinds[0] };
    const attempt = this.#attempt(kinds, progress, body);
    let cancelDeadline: () => void = () => undefined;
    const deadline = new Promise<never>((_, reject) => {
      cancelDeadline = this.#clock.after(deadlineMs, () =>
        reject(new PeTimeoutError(pe, progress.op, deadlineMs)),
      );
    });
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      cancelDeadline();
      // A late answer after the deadline is dropped, as a caller that gave up would drop it.
      attempt.catch(() => undefined);
    }
  }

  async #attempt<T>(
    kinds: readonly OperationKind[],
    progress: Progress,
    body: (progress: Progress) => Promise<T>,
  ): Promise<T> {
    for (const op of kinds) {
      const latency = this.#latency.get(op) ?? 0;
      progress.op = op;
      if (latency > 0) await this.#clock.sleep(latency);
    }
    progress.op = kinds[0] ?? progress.op;
    return body(progress);
  }

  /**
   * Runs an operation's script with the addressed PE (and `draw`, the operation kind, for the
   * scripts that take it) after its own arguments, and turns a fault reply into what the caller sees:
   * `refuse` rejects; `reboot` wipes the PE, then rejects; `timeout` never answers (the deadline
   * rejects). Any other reply is the operation's own.
   */
  async #script(
    stem: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    pe: string,
    progress: Progress,
    draw: OperationKind | typeof NO_DRAW | null = null,
  ): Promise<ScriptReply> {
    const reply = await this.#scripts.reply(stem, keys, draw === null ? [...args, pe] : [...args, pe, draw]);
    const code = reply[0];
    if (
      code !== ScriptCode.FaultRefused &&
      code !== ScriptCode.FaultReboot &&
      code !== ScriptCode.FaultTimeout
    ) {
      return reply;
    }
    const faultId = String(reply[1]);
    const op = isOperationKind(reply[2]) ? reply[2] : progress.op;
    progress.op = op;
    if (code === ScriptCode.FaultRefused) throw new PeRefusedError(pe, op, faultId);
    if (code === ScriptCode.FaultReboot) {
      await this.#reboot(pe);
      throw new PeRebootedError(pe, op);
    }
    return new Promise<never>(() => undefined);
  }

  #now(): number {
    const now = this.#clock.now();
    if (!Number.isFinite(now) || now < 0 || now > MAX_TIME_MS) {
      throw new InvalidArgumentError('clock', `now() must be a time in 0…${MAX_TIME_MS} ms`);
    }
    return Math.floor(now);
  }

  #requirePe(pe: unknown, field = 'pe'): string {
    const id = requireId(pe, field);
    const node = this.topology.nodes.get(id);
    if (!node) throw new UnknownPeError(id, 'is not a node of the simulated network');
    if (node.kind !== 'PE') throw new UnknownPeError(id, 'is a P router, not a PE');
    return id;
  }

  #requireNode(node: unknown): string {
    const id = requireId(node, 'node');
    if (!this.topology.nodes.has(id)) throw new UnknownNodeError(id);
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // uni.* and marking.apply
  // ---------------------------------------------------------------------------------------------

  /**
   * `uni.add-session`. Idempotent per session id: the same request again returns the session as it is.
   * With `sessionDscp`, the PE then runs a per-session `marking.apply` of that DSCP in the same script
   * (both operations' latencies are waited first; each draws its own fault, in order, and a fault of
   * the second leaves the session attached, as two separate calls would).
   */
  async uniAddSession(request: UniAddSessionRequest, call?: CallOptions): Promise<UniSession> {
    const pe = this.#requirePe(request.pe);
    const sessionId = requireId(request.sessionId, 'sessionId');
    const vpnId = requireId(request.vpnId, 'vpnId');
    const config = JSON.stringify({
      sessionId,
      pe,
      vpnId,
      ce: requireId(request.ce, 'ce'),
      interface: requireId(request.interface, 'interface'),
      bandwidthBps: requireBps(request.bandwidthBps, 'bandwidthBps'),
      marking: checkMarking(request.marking),
      lspId: request.lspId === undefined ? null : requireId(request.lspId, 'lspId'),
    });
    const sessionDscp =
      request.sessionDscp === undefined ? '' : requireDscp(request.sessionDscp, 'sessionDscp');
    const ops = sessionDscp === '' ? 'uni.add-session' : (['uni.add-session', 'marking.apply'] as const);
    return this.#run(ops, pe, call, async (progress) => {
      const now = this.#now();
      const reply = await this.#script(
        'addSession-5',
        [this.keys.sessions(pe), this.keys.vrfs(pe), this.keys.marking(pe), ...this.#faultKeys()],
        [sessionId, config, now, vpnId, sessionDscp],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.UnknownVpn) throw new UnknownVpnError(pe, vpnId);
      if (reply[0] === ScriptCode.Conflict) {
        throw new ConflictError(`session ${sessionId} on ${pe} exists with different parameters`);
      }
      return this.#sessionReply(expectOk(reply, 'addSession'), now);
    });
  }

  /**
   * `uni.modify-session`: bandwidth, interface, marking rule or LSP. A bandwidth change starts a new
   * counter rate. With `sessionDscp`, a per-session `marking.apply` follows in the same script (as for
   * {@link PeSimulator.uniAddSession}).
   */
  async uniModifySession(request: UniModifySessionRequest, call?: CallOptions): Promise<UniSession> {
    const pe = this.#requirePe(request.pe);
    const sessionId = requireId(request.sessionId, 'sessionId');
    const patch: Record<string, unknown> = {};
    if (request.bandwidthBps !== undefined)
      patch['bandwidthBps'] = requireBps(request.bandwidthBps, 'bandwidthBps');
    if (request.interface !== undefined) patch['interface'] = requireId(request.interface, 'interface');
    if (request.marking !== undefined) patch['marking'] = checkMarking(request.marking);
    if (request.lspId !== undefined)
      patch['lspId'] = request.lspId === null ? null : requireId(request.lspId, 'lspId');
    const sessionDscp =
      request.sessionDscp === undefined ? '' : requireDscp(request.sessionDscp, 'sessionDscp');
    const ops =
      sessionDscp === '' ? 'uni.modify-session' : (['uni.modify-session', 'marking.apply'] as const);
    return this.#run(ops, pe, call, async (progress) => {
      const now = this.#now();
      const reply = await this.#script(
        'modifySession-4',
        [this.keys.sessions(pe), this.keys.marking(pe), ...this.#faultKeys()],
        [sessionId, JSON.stringify(patch), now, sessionDscp],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.NotFound) throw new NotFoundError(`session ${sessionId} on ${pe}`);
      return this.#sessionReply(expectOk(reply, 'modifySession'), now);
    });
  }

  /** `uni.remove-session`. Idempotent: removing an absent session answers `removed: false`. */
  async uniRemoveSession(
    request: UniRemoveSessionRequest,
    call?: CallOptions,
  ): Promise<UniRemoveSessionResult> {
    const pe = this.#requirePe(request.pe);
    const sessionId = requireId(request.sessionId, 'sessionId');
    return this.#run('uni.remove-session', pe, call, async (progress) => {
      const now = this.#now();
      const reply = await this.#script(
        'removeSession-4',
        [this.keys.sessions(pe), this.keys.marking(pe), ...this.#faultKeys()],
        [sessionId],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.NotFound) return { removed: false, session: null };
      return { removed: true, session: this.#sessionReply(expectOk(reply, 'removeSession'), now) };
    });
  }

  /**
   * `marking.apply`: a DSCP for one session (it overrides the session's rule until the next
   * `uni.modify-session` with a marking) or for a service class on the PE (every session of that class
   * without a per-session DSCP is re-marked).
   */
  async markingApply(request: MarkingApplyRequest, call?: CallOptions): Promise<MarkingApplyResult> {
    const pe = this.#requirePe(request.pe);
    const dscp = requireDscp(request.dscp, 'dscp');
    const target = request.target;
    let kind: 'session' | 'class';
    let key: string;
    if (target && 'sessionId' in target && target.sessionId !== undefined) {
      kind = 'session';
      key = requireId(target.sessionId, 'target.sessionId');
    } else if (target && 'serviceClass' in target && target.serviceClass !== undefined) {
      kind = 'class';
      key = requireId(target.serviceClass, 'target.serviceClass');
    } else {
      throw new InvalidArgumentError('target', 'must be { sessionId } or { serviceClass }');
    }
    return this.#run('marking.apply', pe, call, async (progress) => {
      const reply = await this.#script(
        'applyMarking-4',
        [this.keys.sessions(pe), this.keys.marking(pe), ...this.#faultKeys()],
        [kind, key, dscp, this.#now()],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.NotFound) throw new NotFoundError(`session ${key} on ${pe}`);
      return { pe, dscp, sessionsAffected: Number(expectOk(reply, 'applyMarking')[1]) };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // bgp.*
  // ---------------------------------------------------------------------------------------------

  /**
   * `bgp.advertise-membership`: the CE joins the VPN at the PE. The PE's VRF for the VPN is created on
   * first use (RD, import/export route targets, a per-VRF VPN label); a VRF that exists must have the
   * same RD and targets ({@link ConflictError} otherwise). The membership route is exported with the
   * VRF's export targets and imported by every VRF whose import targets contain one of them
   * ({@link PeSimulator.getVrfTable}). Idempotent per (PE, VPN, CE).
   */
  async bgpAdvertiseMembership(
    request: BgpAdvertiseMembershipRequest,
    call?: CallOptions,
  ): Promise<BgpAdvertiseMembershipResult> {
    const pe = this.#requirePe(request.pe);
    const vpnId = requireId(request.vpnId, 'vpnId');
    const ce = requireId(request.ce, 'ce');
    const rd = parseRouteDistinguisher(request.rd, 'rd').text;
    const importTargets = parseRouteTargets(request.importTargets, 'importTargets');
    const exportTargets = parseRouteTargets(request.exportTargets, 'exportTargets');
    const prefixList = request.prefixes ?? [];
    if (!Array.isArray(prefixList))
      throw new InvalidArgumentError('prefixes', 'must be an array of IP prefixes');
    const prefixes = [...new Set(prefixList.map((p, i) => parseIpPrefix(p, `prefixes[${i}]`)))].sort();
    const nextHop = this.topology.nodes.get(pe)?.routerId ?? pe;
    const vrfConfig = JSON.stringify({ vpnId, rd, importTargets, exportTargets });
    const routeConfig = JSON.stringify({ pe, vpnId, ce, rd, routeTargets: exportTargets, nextHop, prefixes });
    return this.#run('bgp.advertise-membership', pe, call, async (progress) => {
      const reply = await this.#script(
        'advertiseMembership-7',
        [
          this.keys.vrfs(pe),
          this.keys.routes(pe),
          this.keys.labelNext(pe),
          this.keys.labelFree(pe),
          this.keys.labelOwner(pe),
          ...this.#faultKeys(),
        ],
        [vpnId, ce, vrfConfig, routeConfig, this.#now(), this.#labelRange.min, this.#labelRange.max],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.Conflict) {
        throw new ConflictError(`${pe} already has a VRF for VPN ${vpnId} with another RD or route targets`);
      }
      if (reply[0] === ScriptCode.LabelSpaceExhausted) throw new LabelSpaceExhaustedError(pe);
      const [created, vrfJson, routeJson, changed] = expectOk(reply, 'advertiseMembership');
      return {
        vrf: decodeVrf(vrfJson, pe),
        route: decodeMembershipRoute(routeJson),
        vrfCreated: created === 1,
        routeChanged: changed === 1,
      };
    });
  }

  /** `bgp.withdraw-membership`. Idempotent: withdrawing an absent membership answers `withdrawn: false`. */
  async bgpWithdrawMembership(
    request: BgpWithdrawMembershipRequest,
    call?: CallOptions,
  ): Promise<BgpWithdrawMembershipResult> {
    const pe = this.#requirePe(request.pe);
    const vpnId = requireId(request.vpnId, 'vpnId');
    const ce = requireId(request.ce, 'ce');
    return this.#run('bgp.withdraw-membership', pe, call, async (progress) => {
      const reply = await this.#script(
        'withdrawMembership-6',
        [
          this.keys.vrfs(pe),
          this.keys.routes(pe),
          this.keys.labelFree(pe),
          this.keys.labelOwner(pe),
          ...this.#faultKeys(),
        ],
        [vpnId, ce],
        pe,
        progress,
      );
      return { withdrawn: reply[0] === 1, vrfRemoved: reply[1] === 1 };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // ldp.*
  // ---------------------------------------------------------------------------------------------

  /** `ldp.bind`: the PE binds a label from its label space to the FEC. Idempotent per (PE, FEC). */
  async ldpBind(request: LdpBindingRequest, call?: CallOptions): Promise<LdpBindResult> {
    const pe = this.#requirePe(request.pe);
    const fec = parseIpPrefix(request.fec, 'fec');
    return this.#run('ldp.bind', pe, call, async (progress) => {
      const reply = await this.#script(
        'bindLabel-6',
        [
          this.keys.ldp(pe),
          this.keys.labelNext(pe),
          this.keys.labelFree(pe),
          this.keys.labelOwner(pe),
          ...this.#faultKeys(),
        ],
        [fec, this.#labelRange.min, this.#labelRange.max],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.LabelSpaceExhausted) throw new LabelSpaceExhaustedError(pe);
      const [code, label] = expectOk(reply, 'bindLabel');
      return { pe, fec, label: Number(label), created: code === ScriptCode.Ok };
    });
  }

  /** `ldp.release`: the binding goes and its label returns to the PE's free pool. Idempotent. */
  async ldpRelease(request: LdpBindingRequest, call?: CallOptions): Promise<LdpReleaseResult> {
    const pe = this.#requirePe(request.pe);
    const fec = parseIpPrefix(request.fec, 'fec');
    return this.#run('ldp.release', pe, call, async (progress) => {
      const reply = await this.#script(
        'releaseLabel-5',
        [this.keys.ldp(pe), this.keys.labelFree(pe), this.keys.labelOwner(pe), ...this.#faultKeys()],
        [fec],
        pe,
        progress,
      );
      if (reply[0] === ScriptCode.NotFound) return { released: false, label: null };
      return { released: true, label: Number(expectOk(reply, 'releaseLabel')[1]) };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // rsvp-te.*
  // ---------------------------------------------------------------------------------------------

  /**
   * `rsvp-te.signal`: sets an LSP up hop by hop along the explicit route. The Path pass admits the
   * bandwidth on every link (refusing with {@link NoBandwidthError} at the first hop that lacks it,
   * reserving nothing); the Resv pass, egress to ingress, binds a label at each downstream node and
   * reserves each hop. Idempotent per LSP id: the same route and size again returns the LSP as it is;
   * a `partial` or `down` LSP with the same route is released and signalled afresh.
   */
  async rsvpTeSignal(request: RsvpTeSignalRequest, call?: CallOptions): Promise<RsvpTeSignalResult> {
    const lspId = requireId(request.lspId, 'lspId');
    if (!request.route || typeof request.route !== 'object') {
      throw new InvalidArgumentError('route', 'must be { nodes } or { links }');
    }
    const route = resolveExplicitRoute(this.topology, request.route);
    const ingress = this.#requirePe(route.nodes[0], 'route ingress');
    this.#requirePe(route.nodes[route.nodes.length - 1], 'route egress');
    const bandwidthBps = requireBps(request.bandwidthBps, 'bandwidthBps');
    const setupPriority = requirePriority(request.setupPriority ?? 7, 'setupPriority');
    const holdingPriority = requirePriority(request.holdingPriority ?? 7, 'holdingPriority');
    // RFC 3209 §4.7.4 — the setup priority SHOULD NOT be higher than the holding priority.
    if (setupPriority < holdingPriority) {
      throw new InvalidArgumentError(
        'setupPriority',
        'must not be higher (numerically lower) than holdingPriority',
      );
    }
    const php = request.penultimateHopPopping ?? false;
    if (typeof php !== 'boolean')
      throw new InvalidArgumentError('penultimateHopPopping', 'must be a boolean');
    const linkIds = route.links.map((l) => l.id);
    const routeKey = `${linkIds.join('|')}|${setupPriority}|${holdingPriority}|${php ? 1 : 0}`;
    const spec = JSON.stringify({
      lspId,
      nodes: route.nodes,
      links: linkIds,
      bandwidthBps,
      setupPriority,
      holdingPriority,
      php,
    });
    const keys = this.#pathKeys(route.nodes);
    return this.#run('rsvp-te.signal', ingress, call, async (progress) => {
      const now = this.#now();
      const signal = (draw: OperationKind | typeof NO_DRAW): Promise<ScriptReply> =>
        this.#script(
          'signalLsp-n',
          keys,
          [spec, routeKey, now, this.#labelRange.min, this.#labelRange.max],
          ingress,
          progress,
          draw,
        );
      let reply = await signal('rsvp-te.signal');
      if (reply[0] === ScriptCode.UnknownLink) {
        // The network's description vanished from Redis (a clear() elsewhere, a Redis restart without
        // persistence): store ours again and retry once (the fault was drawn already).
        this.#ready = undefined;
        await this.#ensureReady();
        reply = await signal(NO_DRAW);
      }
      switch (reply[0]) {
        case ScriptCode.Ok:
        case ScriptCode.Existing:
          return { lsp: this.#decodeLsp(reply[1], now), created: reply[0] === ScriptCode.Ok };
        case ScriptCode.HalfWay:
          throw new PeFailedHalfWayError(lspId, 'rsvp-te.signal', Number(reply[2]), linkIds.length);
        case ScriptCode.NoBandwidth:
          throw noBandwidth(lspId, reply, bandwidthBps);
        case ScriptCode.Conflict:
          throw new ConflictError(
            reply[1] === 'route'
              ? `LSP ${lspId} exists with another route or priorities; tear it down first`
              : `LSP ${lspId} exists with another bandwidth; use rsvp-te.resize`,
          );
        case ScriptCode.LabelSpaceExhausted:
          throw new LabelSpaceExhaustedError(String(reply[1]));
        case ScriptCode.UnknownLink:
          throw new UnknownLinkError(String(reply[1]));
        default:
          throw unexpected('signalLsp', reply);
      }
    });
  }

  /**
   * `rsvp-te.resize`: make-before-break on the same route. Each hop admits only the difference between
   * the new size and what it holds (RFC 3209 §4.6.4, shared-explicit style), so growing is refused with
   * {@link NoBandwidthError} leaving the old size in place, and shrinking always succeeds. Resizing to
   * the current size is a no-op, so retries are idempotent.
   *
   * DEVIATION(RFC 3209 §4.6.4): the labels stay the same; a router would signal a new LSP instance with
   * new labels and then tear the old one down.
   */
  async rsvpTeResize(request: RsvpTeResizeRequest, call?: CallOptions): Promise<RsvpTeResizeResult> {
    const lspId = requireId(request.lspId, 'lspId');
    const bandwidthBps = requireBps(request.bandwidthBps, 'bandwidthBps');
    await this.#ensureReady();
    const before = await this.getLsp(lspId);
    if (!before) throw new NotFoundError(`LSP ${lspId}`);
    return this.#run('rsvp-te.resize', before.ingress, call, async (progress) => {
      const now = this.#now();
      const reply = await this.#script(
        'resizeLsp-5',
        [this.keys.lsps, this.keys.linkCapacity, this.keys.linkReserved, ...this.#faultKeys()],
        [lspId, bandwidthBps, now],
        before.ingress,
        progress,
      );
      switch (reply[0]) {
        case ScriptCode.Ok:
          return { lsp: this.#decodeLsp(reply[1], now), previousBandwidthBps: before.bandwidthBps };
        case ScriptCode.HalfWay:
          throw new PeFailedHalfWayError(lspId, 'rsvp-te.resize', Number(reply[2]), before.hops.length);
        case ScriptCode.NoBandwidth:
          throw noBandwidth(lspId, reply, bandwidthBps);
        case ScriptCode.NotFound:
          throw new NotFoundError(`LSP ${lspId}`);
        case ScriptCode.LspNotUp:
          throw new LspNotUpError(lspId, String(reply[1]));
        default:
          throw unexpected('resizeLsp', reply);
      }
    });
  }

  /**
   * `rsvp-te.teardown`: releases every hop's reservation and label the LSP still holds, whatever its
   * status. Idempotent: an absent LSP answers `existed: false` (no PE is addressed, so no fault applies).
   */
  async rsvpTeTeardown(request: RsvpTeTeardownRequest, call?: CallOptions): Promise<RsvpTeTeardownResult> {
    const lspId = requireId(request.lspId, 'lspId');
    await this.#ensureReady();
    const before = await this.getLsp(lspId);
    if (!before) return { existed: false, lsp: null };
    return this.#run('rsvp-te.teardown', before.ingress, call, async (progress) => {
      let nodes = before.nodes;
      for (let attempt = 0; attempt < 5; attempt++) {
        const now = this.#now();
        const reply = await this.#script(
          'teardownLsp-n',
          this.#pathKeys(nodes),
          [lspId, nodes.join('|')],
          before.ingress,
          progress,
          // the fault is drawn once: a retry after the route changed is the same operation
          attempt === 0 ? 'rsvp-te.teardown' : NO_DRAW,
        );
        if (reply[0] === ScriptCode.NotFound) return { existed: false, lsp: null };
        if (reply[0] === ScriptCode.Ok) return { existed: true, lsp: this.#decodeLsp(reply[1], now) };
        if (reply[0] !== ScriptCode.Retry) throw unexpected('teardownLsp', reply);
        // the LSP was torn down and signalled again along another route meanwhile: use its new nodes
        const current = await this.getLsp(lspId);
        if (!current) return { existed: false, lsp: null };
        nodes = current.nodes;
      }
      throw new ConflictError(`LSP ${lspId} keeps changing route; teardown gave up`);
    });
  }

  #pathKeys(nodes: readonly string[]): string[] {
    return [
      this.keys.lsps,
      this.keys.linkCapacity,
      this.keys.linkReserved,
      ...this.#faultKeys(),
      ...nodes.flatMap((n) => this.keys.pathNodeKeys(n)),
    ];
  }

  /** The keys every operation's script takes to draw its fault. */
  #faultKeys(): [string, string] {
    return [this.keys.faults, this.keys.faultState];
  }

  // ---------------------------------------------------------------------------------------------
  // Faults and reboots
  // ---------------------------------------------------------------------------------------------

  /**
   * Arms a fault for every process sharing this network (it is stored in Redis). Faults are checked
   * in creation order; the first whose PE and operation match and whose probability draw hits applies.
   */
  async injectFault(spec: FaultSpec): Promise<Fault> {
    const stored = checkFaultSpec(spec, (id) => this.topology.nodes.get(id)?.kind === 'PE', this.#seed);
    await this.#ensureReady();
    const json = await this.#scripts.run(
      'addFault-2',
      [this.keys.faults, this.keys.faultState],
      [JSON.stringify(stored), stored.seed],
    );
    const id = String(parseStored(json, 'fault')['id']);
    const fault = (await this.listFaults()).find((f) => f.id === id);
    if (!fault) throw new StoreCorruptError(`fault ${id} vanished right after it was stored`);
    return fault;
  }

  /** Every armed fault (including used-up ones), in creation order, with what is left of their count. */
  async listFaults(): Promise<Fault[]> {
    const [specs, state] = await Promise.all([
      this.#redis.hgetall(this.keys.faults),
      this.#redis.hgetall(this.keys.faultState),
    ]);
    return Object.values(specs)
      .map((json): Fault => {
        const o = parseStored(json, 'fault');
        const id = String(o['id']);
        const remaining = Number(state[`${id}:remaining`] ?? -1);
        return {
          id,
          seq: Number(o['seq']),
          pe: String(o['pe']),
          op: o['op'] as OperationKind | '*',
          mode: o['mode'] as FaultMode,
          probability: Number(o['probability']),
          count: typeof o['count'] === 'number' ? o['count'] : null,
          remaining: remaining < 0 ? null : remaining,
          afterHops: typeof o['afterHops'] === 'number' ? o['afterHops'] : null,
          applied: o['applied'] === true,
          seed: Number(o['seed']),
        };
      })
      .sort((a, b) => a.seq - b.seq);
  }

  /** Disarms one fault; answers whether it existed. */
  async clearFault(id: string): Promise<boolean> {
    const [[, removed] = []] =
      (await this.#redis
        .multi()
        .hdel(this.keys.faults, id)
        .hdel(this.keys.faultState, `${id}:remaining`, `${id}:rng`)
        .exec()) ?? [];
    return removed === 1;
  }

  /** Disarms every fault; answers how many there were. */
  async clearFaults(): Promise<number> {
    const [[, count] = []] =
      (await this.#redis.multi().hlen(this.keys.faults).del(this.keys.faults, this.keys.faultState).exec()) ??
      [];
    return Number(count ?? 0);
  }

  /**
   * The node forgets all its state, as after a reboot: its labels (the label space starts again at the
   * bottom), LDP bindings, VRFs, membership routes (withdrawn from every other PE's tables), UNI
   * sessions and marking rules. Every LSP through the node goes `down`: the reservations the node held
   * (its outgoing hops) are released and the labels it bound are gone, while the other nodes keep their
   * reservations and labels until the LSP is torn down (the reconciler's job).
   */
  async rebootNode(node: string): Promise<RebootReport> {
    const id = this.#requireNode(node);
    await this.#ensureReady();
    return this.#reboot(id);
  }

  async #reboot(node: string): Promise<RebootReport> {
    const k = this.keys;
    const reply = (await this.#scripts.run(
      'rebootNode-11',
      [
        k.lsps,
        k.linkReserved,
        k.labelNext(node),
        k.labelFree(node),
        k.labelOwner(node),
        k.nodeLsps(node),
        k.ldp(node),
        k.vrfs(node),
        k.routes(node),
        k.sessions(node),
        k.marking(node),
      ],
      [node, this.#now()],
    )) as [string, string, number, number, number, number];
    return {
      node,
      lspsDown: JSON.parse(reply[0]) as string[],
      sessionsLost: JSON.parse(reply[1]) as string[],
      routesWithdrawn: reply[2],
      vrfsLost: reply[3],
      ldpBindingsLost: reply[4],
      labelsLost: reply[5],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Queries (for the reconciler and tests)
  // ---------------------------------------------------------------------------------------------

  /** Every link with the simulator's own capacity and reservation figures, in id order. */
  async listLinks(): Promise<LinkState[]> {
    await this.#ensureReady();
    const [capacity, reserved] = await Promise.all([
      this.#redis.hgetall(this.keys.linkCapacity),
      this.#redis.hgetall(this.keys.linkReserved),
    ]);
    return [...this.topology.links.values()]
      .map((link) => {
        const maxReservableBps = Number(capacity[link.id] ?? link.maxReservableBps);
        const reservedBps = Number(reserved[link.id] ?? 0);
        return {
          id: link.id,
          from: link.from,
          to: link.to,
          maxReservableBps,
          reservedBps,
          unreservedBps: maxReservableBps - reservedBps,
        };
      })
      .sort((a, b) => cmp(a.id, b.id));
  }

  /** One LSP with counters as of now, or `null`. */
  async getLsp(lspId: string): Promise<Lsp | null> {
    const json = await this.#redis.hget(this.keys.lsps, requireId(lspId, 'lspId'));
    return json === null ? null : this.#decodeLsp(json, this.#now());
  }

  /** LSPs in id order, optionally only those through `node` or with a given status. */
  async listLsps(filter: { node?: string; status?: LspStatus } = {}): Promise<Lsp[]> {
    const now = this.#now();
    let jsons: (string | null)[];
    if (filter.node !== undefined) {
      const ids = await this.#redis.smembers(this.keys.nodeLsps(this.#requireNode(filter.node)));
      jsons = ids.length === 0 ? [] : await this.#redis.hmget(this.keys.lsps, ...ids);
    } else {
      jsons = Object.values(await this.#redis.hgetall(this.keys.lsps));
    }
    return jsons
      .filter((j): j is string => j !== null)
      .map((j) => this.#decodeLsp(j, now))
      .filter((l) => filter.status === undefined || l.status === filter.status)
      .sort((a, b) => cmp(a.lspId, b.lspId));
  }

  /** One UNI session with its effective DSCP and counters, or `null`. */
  async getSession(pe: string, sessionId: string): Promise<UniSession | null> {
    const id = this.#requirePe(pe);
    const json = await this.#redis.hget(this.keys.sessions(id), requireId(sessionId, 'sessionId'));
    if (json === null) return null;
    const now = this.#now();
    const session = decodeUniSession(json, NO_CLASS_RULES, now, this.#meanPacketBytes);
    const serviceClass = session.marking.serviceClass;
    // Only a session without a per-session DSCP and with a service class needs the PE's class rule.
    if (session.markingSource !== 'uni' || serviceClass === undefined) return session;
    const dscp = await this.#redis.hget(this.keys.marking(id), serviceClass);
    if (dscp === null) return session;
    return decodeUniSession(json, new Map([[serviceClass, Number(dscp)]]), now, this.#meanPacketBytes);
  }

  /** UNI sessions of one PE or of every PE, ordered by PE then session id. */
  async listSessions(pe?: string): Promise<UniSession[]> {
    const pes = pe === undefined ? this.#pes() : [this.#requirePe(pe)];
    const now = this.#now();
    const out: UniSession[] = [];
    for (const id of pes) {
      const [sessions, marking] = await Promise.all([
        this.#redis.hgetall(this.keys.sessions(id)),
        this.#redis.hgetall(this.keys.marking(id)),
      ]);
      const classDscp = new Map(Object.entries(marking).map(([c, d]) => [c, Number(d)]));
      const list = Object.values(sessions).map((j) =>
        decodeUniSession(j, classDscp, now, this.#meanPacketBytes),
      );
      out.push(...list.sort((a, b) => cmp(a.sessionId, b.sessionId)));
    }
    return out;
  }

  /** The PE's class → DSCP marking rules. */
  async listMarkingRules(pe: string): Promise<ReadonlyMap<string, number>> {
    const marking = await this.#redis.hgetall(this.keys.marking(this.#requirePe(pe)));
    return new Map(Object.entries(marking).map(([c, d]) => [c, Number(d)]));
  }

  /** VRFs of one PE or of every PE, ordered by PE then VPN. */
  async listVrfs(pe?: string): Promise<Vrf[]> {
    const pes = pe === undefined ? this.#pes() : [this.#requirePe(pe)];
    const out: Vrf[] = [];
    for (const id of pes) {
      const vrfs = Object.values(await this.#redis.hgetall(this.keys.vrfs(id))).map((j) => decodeVrf(j, id));
      out.push(...vrfs.sort((a, b) => cmp(a.vpnId, b.vpnId)));
    }
    return out;
  }

  /** Membership routes originated by one PE or by every PE (the route reflector's view). */
  async listRoutes(pe?: string): Promise<MembershipRoute[]> {
    const pes = pe === undefined ? this.#pes() : [this.#requirePe(pe)];
    const out: MembershipRoute[] = [];
    for (const id of pes) {
      const routes = Object.values(await this.#redis.hgetall(this.keys.routes(id))).map(
        decodeMembershipRoute,
      );
      out.push(...routes.sort((a, b) => cmp(a.vpnId, b.vpnId) || cmp(a.ce, b.ce)));
    }
    return out;
  }

  /**
   * The routes the PE holds in its VRF for the VPN: its own sites plus the routes of other VRFs (on
   * other PEs, or other VPNs on this PE) carrying one of the VRF's import targets (RFC 4364 §4.3.5).
   * `null` when the PE has no VRF for the VPN.
   */
  async getVrfTable(pe: string, vpnId: string): Promise<VrfTable | null> {
    const id = this.#requirePe(pe);
    const json = await this.#redis.hget(this.keys.vrfs(id), requireId(vpnId, 'vpnId'));
    if (json === null) return null;
    return buildVrfTable(decodeVrf(json, id), await this.listRoutes());
  }

  /** LDP bindings of a PE in FEC order. */
  async listLdpBindings(pe: string): Promise<LdpBinding[]> {
    const id = this.#requirePe(pe);
    const bindings = await this.#redis.hgetall(this.keys.ldp(id));
    return Object.entries(bindings)
      .map(([fec, label]) => ({ pe: id, fec, label: Number(label) }))
      .sort((a, b) => cmp(a.fec, b.fec));
  }

  /** Every label bound on a node (PE or P) with its owner, in label order. */
  async listLabels(node: string): Promise<LabelBinding[]> {
    const id = this.#requireNode(node);
    const owners = await this.#redis.hgetall(this.keys.labelOwner(id));
    return Object.entries(owners)
      .map(([label, owner]) => ({ node: id, label: Number(label), owner }))
      .sort((a, b) => a.label - b.label);
  }

  #pes(): string[] {
    return [...this.topology.nodes.values()]
      .filter((n) => n.kind === 'PE')
      .map((n) => n.id)
      .sort(cmp);
  }

  #decodeLsp(json: unknown, now: number): Lsp {
    return decodeLsp(json, now, this.#meanPacketBytes);
  }

  /** A session script's `{code, session, class, class DSCP}` reply (see scripts/includes/sessions.lua). */
  #sessionReply(reply: ScriptReply, now: number): UniSession {
    const [, json, serviceClass, dscp] = reply;
    const rules =
      typeof serviceClass === 'string' && dscp !== null && dscp !== undefined
        ? new Map([[serviceClass, Number(dscp)]])
        : NO_CLASS_RULES;
    return decodeUniSession(json, rules, now, this.#meanPacketBytes);
  }
}

function checkMarking(marking: MarkingRule): MarkingRule {
  if (!marking || typeof marking !== 'object') {
    throw new InvalidArgumentError('marking', 'must be { dscp, serviceClass? }');
  }
  const dscp = requireDscp(marking.dscp, 'marking.dscp');
  if (marking.serviceClass === undefined) return { dscp };
  return { dscp, serviceClass: requireId(marking.serviceClass, 'marking.serviceClass') };
}

function expectOk(reply: ScriptReply, script: string): ScriptReply {
  if (reply[0] < 0) throw unexpected(script, reply);
  return reply;
}

/** A signal or resize script's NoBandwidth reply (`[code, hop index, link id, available bit/s]`). */
function noBandwidth(lspId: string, reply: ScriptReply, requestedBps: number): NoBandwidthError {
  return new NoBandwidthError(lspId, Number(reply[1]), String(reply[2]), requestedBps, Number(reply[3]));
}

function unexpected(script: string, reply: ScriptReply): Error {
  return new StoreCorruptError(`script ${script} answered with unexpected code ${reply[0]}`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
