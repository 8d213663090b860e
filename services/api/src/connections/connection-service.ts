/**
 * The connection service (OGF NSI CS 2.0 provider agent): the driver of the three state machines.
 * Each request is checked against the axes ({@link planRequest}), steps its machine, and the effects
 * the machine returns are carried out here: the ledger booking (through the admission leader, under
 * the session id the gateway will derive for the SIP call), the SIP call and BYE, persisted timers,
 * and notifications. One request at a time per connection; every state is in the store before the
 * caller hears of it, and timers are rebuilt from the store on start.
 *
 * @see https://www.ogf.org/documents/GFD.212.pdf (NSI CS 2.0)
 */
import { randomBytes } from 'node:crypto';
import type {
  Connection,
  ConnectionEvent,
  Criteria,
  ModifyRequest,
  ReserveRequest,
} from '@svpn/api-contract';
import type { Logger } from '@svpn/service-kit';
import type { LeaseFence, PreemptionNotice } from '@svpn/store';
import type { ScheduledAdmissionRequest } from '@svpn/sip-gateway-service';
import { NsiError, type NsiErrorCode } from '../nsi/nsi-error.js';
import { planRequest, type ConnectionRequest } from '../nsi/connection-rules.js';
import { reservationStateMachine, type ReservationEvent } from '../nsi/reservation-state-machine.js';
import { provisionStateMachine, type ProvisionEvent } from '../nsi/provision-state-machine.js';
import { lifecycleStateMachine, type LifecycleEvent } from '../nsi/lifecycle-state-machine.js';
import type { Effect, NotificationType, StateMachine } from '../nsi/state-machine.js';
import {
  CallFailedError,
  type AdmissionPort,
  type CallRequest,
  type LocationPort,
  type PolicyPort,
  type SipPort,
} from '../ports.js';
import {
  callIdOf,
  fromTagOf,
  sessionIdOf,
  type ConnectionRecord,
  type GrantInfo,
} from './connection-record.js';
import type { ConnectionStore, TimerKind } from './connection-store.js';

/** Who asks: an application acts on its own connections; an operator on any. */
export interface Actor {
  application: string | null;
  operator: boolean;
}

export interface ConnectionServiceOptions {
  store: ConnectionStore;
  policy: PolicyPort;
  admission: AdmissionPort;
  location: LocationPort;
  sip: SipPort;
  log: Logger;
  /** Every state change, as it is stored (SSE, webhooks). */
  onEvent?: (event: ConnectionEvent) => void;
  /** How long a reservation is held before it times out, ms. @defaultValue 120 000 */
  holdTimeoutMs?: number;
  /**
   * Who fires the timers when several API processes share the store: only the holder of this lease,
   * and each claim is fenced by its token. @defaultValue none — this process fires every timer
   */
  timerLease?: TimerLease;
  /** How often the store is read for timers set by other processes (and a new leader's rebuild), ms. @defaultValue 1000 */
  timerPollMs?: number;
  /** A claimed timer its process did not complete (it died or failed) fires again after this, ms. @defaultValue 60 000 */
  timerClaimMs?: number;
  /**
   * How long a connection's change lock lasts (it outlives a SIP call's 64·T1); a change waits for
   * another process's at most this long plus 5 s, then fails with SERVICE_ERROR, ms. @defaultValue 60 000
   */
  lockTtlMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** The timer lease as the connection service uses it (a {@link RedisLeaderLease}). */
export interface TimerLease {
  /** The fence while this process holds the lease; undefined while it does not. */
  fence(): LeaseFence | undefined;
}

export interface ConnectionFilter {
  reservationState?: string;
  provisionState?: string;
  lifecycleState?: string;
  application?: string;
  customerId?: string;
  vpnId?: string;
  active?: boolean;
  limit?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_SERVICE_CLASS = 'high-throughput-data';

export class ConnectionService {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Timers armed in this process (`<id>|<kind>` → due time and handle); the store has them all. */
  private readonly timers = new Map<string, { at: number; handle: NodeJS.Timeout }>();
  private readonly now: () => number;
  private readonly holdTimeoutMs: number;
  private readonly timerPollMs: number;
  private readonly timerClaimMs: number;
  private poll: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private eventSeq = 0;
  private closed = false;

  constructor(private readonly o: ConnectionServiceOptions) {
    this.now = o.now ?? Date.now;
    this.holdTimeoutMs = o.holdTimeoutMs ?? 120_000;
    this.timerPollMs = o.timerPollMs ?? 1000;
    this.timerClaimMs = o.timerClaimMs ?? 60_000;
    o.sip.onEnded((callId, reason) => void this.onCallEnded(callId, reason));
  }

  /**
   * Arms the timers from the store (a restart: overdue ones fire at once) and keeps reading it, so
   * timers other processes set fire here, and a process that becomes the timer leader takes over.
   */
  async start(): Promise<void> {
    await this.sweepTimers();
    this.poll ??= setInterval(() => {
      void this.sweepTimers().catch((error: unknown) =>
        this.o.log.warn({ err: error }, 'connection timers could not be read'),
      );
    }, this.timerPollMs);
    this.poll.unref();
  }

  /** Stops the timers (the state stays in the store for the next process). */
  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    this.dropTimers();
  }

  /**
   * Arms every stored timer due within the next two polls, if this process fires timers (the
   * lease holder, or the only process); drops its armed timers if it does not (any more). Call it
   * when the timer lease is won, for an immediate rebuild.
   */
  sweepTimers(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Forgets the armed timers (the lease was lost); the store keeps them for the next holder. */
  dropTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
  }

  // ------------------------------------------------------------------------------------------
  // Requests
  // ------------------------------------------------------------------------------------------

  /** NSI reserve: a new connection, checked and held (or further with autoCommit/autoProvision). */
  async reserve(request: ReserveRequest, actor: Actor): Promise<Connection> {
    const application = request.source.application;
    if (!actor.operator && actor.application !== application) {
      throw new NsiError(
        'UNAUTHORIZED',
        `this key acts for ${actor.application ?? 'no application'}, not ${application}`,
      );
    }
    const startMs = request.startTime === undefined ? undefined : Date.parse(request.startTime);
    const endMs = request.endTime === undefined ? undefined : Date.parse(request.endTime);
    if (endMs !== undefined && endMs <= Math.max(startMs ?? 0, this.now())) {
      throw new NsiError('MISSING_PARAMETER', 'endTime must be in the future and after startTime');
    }
    const app = await this.o.policy.application(application);
    if (app === undefined) throw new NsiError('UNKNOWN_STP', `unknown application ${application}`);
    const connectionId = 'c-' + randomBytes(10).toString('hex');
    const at = new Date(this.now()).toISOString();
    const criteria: Criteria = {
      version: 1,
      bandwidthBps: request.bandwidthBps,
      serviceClass: request.serviceClass ?? DEFAULT_SERVICE_CLASS,
      priority: request.priority ?? null,
      startTime: request.startTime ?? null,
      endTime: request.endTime ?? null,
    };
    const record: ConnectionRecord = {
      connection: {
        connectionId,
        ...(request.globalReservationId === undefined
          ? {}
          : { globalReservationId: request.globalReservationId }),
        ...(request.description === undefined ? {} : { description: request.description }),
        application,
        customerId: app.customerId,
        vpnId: request.vpnId,
        source: { application, ce: request.source.ce ?? app.ce },
        destination: { ...request.destination },
        criteria,
        pendingCriteria: null,
        committedVersion: 0,
        states: {
          reservationState: reservationStateMachine.initial,
          provisionState: provisionStateMachine.initial,
          lifecycleState: lifecycleStateMachine.initial,
          dataPlaneStatus: { active: false, version: 0, versionConsistent: true },
        },
        autoCommit: request.autoCommit ?? false,
        autoProvision: request.autoProvision ?? false,
        holdExpiresAt: null,
        session: null,
        lastError: null,
        createdAt: at,
        updatedAt: at,
      },
      internal: {
        callSeq: 1,
        booked: false,
        ingressPe: '',
        egressPe: '',
        hostedDestination: false,
        grant: null,
        previous: null,
      },
    };
    await this.o.store.put(record);
    return this.serial(connectionId, async () => {
      await this.reserveVersion(record);
      if (record.connection.autoCommit) await this.fireReservation(record, 'reserveCommit');
      if (record.connection.autoProvision && record.connection.committedVersion >= 1) {
        await this.fireProvision(record, 'provision');
      }
      return record.connection;
    });
  }

  commit(connectionId: string, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'commit', async (record) => {
      await this.fireReservation(record, 'reserveCommit');
      const c = record.connection;
      if (c.autoProvision && c.states.provisionState === 'Released' && c.committedVersion === 1) {
        await this.fireProvision(record, 'provision');
      }
    });
  }

  abort(connectionId: string, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'abort', async (record) => {
      await this.fireReservation(record, 'reserveAbort');
      // What was held is given back by the transition's effects: the abort is confirmed at once.
      await this.fireReservation(record, 'reserveAbortConfirmed');
    });
  }

  provision(connectionId: string, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'provision', (record) =>
      this.fireProvision(record, 'provision'),
    );
  }

  release(connectionId: string, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'release', (record) => this.fireProvision(record, 'release'));
  }

  terminate(connectionId: string, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'terminate', (record) =>
      this.fireLifecycle(record, 'terminate'),
    );
  }

  /** NSI modify: reserve the next version (bandwidth, end time), held until commit or abort. */
  modify(connectionId: string, change: ModifyRequest, actor: Actor): Promise<Connection> {
    return this.request(connectionId, actor, 'modify', async (record) => {
      const c = record.connection;
      if (change.bandwidthBps === undefined && change.endTime === undefined) {
        throw new NsiError('MISSING_PARAMETER', 'modify needs bandwidthBps or endTime', connectionId);
      }
      if (change.endTime != null) {
        const end = Date.parse(change.endTime);
        const start = c.criteria.startTime === null ? 0 : Date.parse(c.criteria.startTime);
        if (end <= Math.max(start, this.now())) {
          throw new NsiError(
            'MISSING_PARAMETER',
            'endTime must be in the future and after startTime',
            connectionId,
          );
        }
      }
      c.pendingCriteria = {
        ...c.criteria,
        version: c.criteria.version + 1,
        ...(change.bandwidthBps === undefined ? {} : { bandwidthBps: change.bandwidthBps }),
        ...(change.endTime === undefined ? {} : { endTime: change.endTime }),
      };
      await this.reserveVersion(record);
      if (change.autoCommit === true) await this.fireReservation(record, 'reserveCommit');
    });
  }

  /** NSI query of one connection. */
  async get(connectionId: string, actor: Actor): Promise<Connection> {
    return (await this.load(connectionId, actor)).connection;
  }

  /** NSI querySummary: newest first, filtered. */
  async list(filter: ConnectionFilter, actor: Actor): Promise<Connection[]> {
    const out: Connection[] = [];
    for (const { connection: c } of await this.o.store.list()) {
      if (!actor.operator && c.application !== actor.application) continue;
      if (filter.application !== undefined && c.application !== filter.application) continue;
      if (filter.customerId !== undefined && c.customerId !== filter.customerId) continue;
      if (filter.vpnId !== undefined && c.vpnId !== filter.vpnId) continue;
      if (filter.reservationState !== undefined && c.states.reservationState !== filter.reservationState)
        continue;
      if (filter.provisionState !== undefined && c.states.provisionState !== filter.provisionState) continue;
      if (filter.lifecycleState !== undefined && c.states.lifecycleState !== filter.lifecycleState) continue;
      if (filter.active !== undefined && c.states.dataPlaneStatus.active !== filter.active) continue;
      out.push(c);
      if (out.length >= (filter.limit ?? 100)) break;
    }
    return out;
  }

  async history(connectionId: string, actor: Actor): Promise<ConnectionEvent[]> {
    await this.load(connectionId, actor);
    return this.o.store.events(connectionId);
  }

  // ------------------------------------------------------------------------------------------
  // Driver
  // ------------------------------------------------------------------------------------------

  /** Steps `reserve` (a new connection or a modify's next version); a refusal is thrown to the caller. */
  private async reserveVersion(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    await this.fireReservation(record, 'reserve');
    const failure = c.lastError;
    if (c.states.reservationState === 'ReserveFailed' && failure != null) {
      throw new NsiError(failure.code as NsiErrorCode, failure.detail, c.connectionId);
    }
  }

  private async load(connectionId: string, actor: Actor): Promise<ConnectionRecord> {
    const record = await this.o.store.get(connectionId);
    // An application cannot tell another's connection from a missing one.
    if (record === undefined || (!actor.operator && record.connection.application !== actor.application)) {
      throw new NsiError('CONNECTION_NONEXISTENT', `no connection ${connectionId}`, connectionId);
    }
    return record;
  }

  private request(
    connectionId: string,
    actor: Actor,
    kind: ConnectionRequest,
    run: (record: ConnectionRecord) => Promise<void>,
  ): Promise<Connection> {
    return this.serial(connectionId, async () => {
      const record = await this.load(connectionId, actor);
      const c = record.connection;
      planRequest(c.states, c.committedVersion, kind, connectionId);
      await run(record);
      return record.connection;
    });
  }

  /** One change at a time per connection: queued in this process, locked across processes. */
  private serial<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    const locked = (): Promise<T> => this.locked(connectionId, fn);
    const previous = this.chains.get(connectionId) ?? Promise.resolve();
    const next = previous.then(locked, locked);
    const tail = next.catch(() => undefined);
    this.chains.set(connectionId, tail);
    void tail.then(() => {
      if (this.chains.get(connectionId) === tail) this.chains.delete(connectionId);
    });
    return next;
  }

  /** Runs `fn` holding the connection's lock in the store (another API process may be changing it). */
  private async locked<T>(connectionId: string, fn: () => Promise<T>): Promise<T> {
    const ttl = this.o.lockTtlMs ?? 60_000;
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + ttl + 5000;
    let wait = 5;
    while (!(await this.o.store.tryLock(connectionId, token, ttl))) {
      if (Date.now() > deadline) {
        throw new NsiError(
          'SERVICE_ERROR',
          'another process is changing this connection; try again',
          connectionId,
        );
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(2 * wait, 100);
    }
    try {
      return await fn();
    } finally {
      await this.o.store
        .unlock(connectionId, token)
        .catch((error: unknown) => this.o.log.warn({ err: error, connectionId }, 'connection unlock failed'));
    }
  }

  private fireReservation(record: ConnectionRecord, event: ReservationEvent): Promise<void> {
    const states = record.connection.states;
    return this.fire(record, reservationStateMachine, states.reservationState, event, (to) => {
      states.reservationState = to;
    });
  }

  private fireProvision(record: ConnectionRecord, event: ProvisionEvent): Promise<void> {
    const states = record.connection.states;
    return this.fire(record, provisionStateMachine, states.provisionState, event, (to) => {
      states.provisionState = to;
    });
  }

  private fireLifecycle(record: ConnectionRecord, event: LifecycleEvent): Promise<void> {
    const states = record.connection.states;
    return this.fire(record, lifecycleStateMachine, states.lifecycleState, event, (to) => {
      states.lifecycleState = to;
    });
  }

  /** Steps one axis from `from`, logs the transition, stores the new state and applies the effects. */
  private async fire<S extends string, E extends string>(
    record: ConnectionRecord,
    machine: StateMachine<S, E>,
    from: S,
    event: E,
    setState: (to: S) => void,
  ): Promise<void> {
    const { state, effects } = machine.step(from, event, record.connection.connectionId);
    this.log(record, machine.name, from, state, event);
    setState(state);
    await this.apply(record, effects);
  }

  private log(record: ConnectionRecord, machine: string, from: string, to: string, event: string): void {
    this.o.log.info(
      { connectionId: record.connection.connectionId, machine, from, to, event },
      'connection state',
    );
  }

  /** Carries out a transition's effects in order, then stores the record. */
  private async apply(record: ConnectionRecord, effects: Effect[]): Promise<void> {
    await this.save(record);
    for (const effect of effects) {
      switch (effect.kind) {
        case 'checkResources':
          await this.checkResources(record);
          break;
        case 'commitResources':
          await this.commitResources(record);
          break;
        case 'releaseHeldResources':
          await this.releaseHeld(record);
          break;
        case 'startHoldTimer': {
          const at = this.now() + this.holdTimeoutMs;
          record.connection.holdExpiresAt = new Date(at).toISOString();
          await this.setTimer(record, 'hold', at);
          break;
        }
        case 'cancelHoldTimer':
          record.connection.holdExpiresAt = null;
          await this.clearTimer(record, 'hold');
          break;
        case 'activateDataPlane':
          await this.activate(record);
          break;
        case 'deactivateDataPlane':
          await this.deactivate(record);
          break;
        case 'teardown':
          await this.teardown(record);
          break;
        case 'notify':
          await this.notify(record, effect.type);
          break;
        default: {
          const never: never = effect;
          throw new Error(`unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
    await this.save(record);
  }

  private async save(record: ConnectionRecord): Promise<void> {
    record.connection.updatedAt = new Date(this.now()).toISOString();
    await this.o.store.put(record);
  }

  private async notify(record: ConnectionRecord, type: NotificationType, detail?: string): Promise<void> {
    const c = record.connection;
    const event: ConnectionEvent = {
      id: `${this.now().toString(36)}-${(this.eventSeq++).toString(36)}-${randomBytes(3).toString('hex')}`,
      connectionId: c.connectionId,
      application: c.application,
      type,
      at: new Date(this.now()).toISOString(),
      states: structuredClone(c.states),
      ...(detail === undefined ? (c.lastError == null ? {} : { detail: c.lastError.detail }) : { detail }),
    };
    await this.o.store.appendEvent(event);
    this.o.onEvent?.(event);
  }

  private fail(record: ConnectionRecord, code: NsiErrorCode, detail: string): void {
    record.connection.lastError = {
      code,
      nsiErrorId: new NsiError(code, detail).nsiErrorId,
      detail,
      at: new Date(this.now()).toISOString(),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Resources: policy + the TE ledger, under the gateway's session id for the current call
  // ------------------------------------------------------------------------------------------

  /** ReserveChecking: endpoints, policy, path and capacity; then reserveConfirmed or reserveFailed. */
  private async checkResources(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    const criteria = c.pendingCriteria ?? c.criteria;
    try {
      if (c.pendingCriteria == null) await this.resolveEndpoints(record);
      const grant = await this.decide(record, criteria);
      if (c.pendingCriteria == null) {
        await this.book(record, grant, criteria);
      } else {
        record.internal.previous = { criteria: c.criteria, grant: record.internal.grant as GrantInfo };
        // The booking follows the new version: bandwidth, and for a scheduled one its window too.
        const resized = await this.o.admission.admit(this.bookingRequest(record, grant, criteria));
        if (!resized.ok) {
          // The old bandwidth stays counted: decide once more for it so usage matches the ledger.
          await this.decide(record, c.criteria).catch(() => undefined);
          record.internal.previous = null;
          throw admissionRefusal(resized.reason, resized.detail);
        }
      }
      record.internal.grant = grant;
    } catch (error) {
      if (!(error instanceof NsiError)) throw error;
      this.fail(record, error.nsiCode, error.message);
      await this.fireReservation(record, 'reserveFailed');
      return;
    }
    c.lastError = null;
    await this.fireReservation(record, 'reserveConfirmed');
  }

  /** Source and destination CEs → PEs; unknown applications, CEs or VPN membership → UNKNOWN_STP. */
  private async resolveEndpoints(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    const [source, destination] = await Promise.all([
      this.o.policy.membership(c.source.application, c.vpnId),
      this.o.policy.membership(c.destination.application, c.vpnId),
    ]);
    if (!source.member || source.vpnId === undefined) {
      throw new NsiError('UNKNOWN_STP', `${c.source.application} is not a member of VPN ${c.vpnId}`);
    }
    if (!destination.member) {
      throw new NsiError('UNKNOWN_STP', `${c.destination.application} is not a member of VPN ${c.vpnId}`);
    }
    c.vpnId = source.vpnId;
    // The destination's CE: as asked, else where it is registered on the VPN, else its home CE.
    const bound = await this.o.location.ceOf(c.destination.application, c.vpnId);
    const home = await this.o.policy.application(c.destination.application);
    const destinationCe = c.destination.ce ?? bound?.ce ?? home?.ce;
    if (destinationCe === undefined) {
      throw new NsiError('UNKNOWN_STP', `${c.destination.application} has no customer edge`);
    }
    c.destination = { application: c.destination.application, ce: destinationCe };
    record.internal.hostedDestination = bound === undefined;
    const [ingress, egress] = await Promise.all([
      this.o.policy.site(c.source.ce as string),
      this.o.policy.site(destinationCe),
    ]);
    if (ingress === undefined)
      throw new NsiError('UNKNOWN_STP', `customer edge ${c.source.ce} is not attached to a PE`);
    if (egress === undefined)
      throw new NsiError('UNKNOWN_STP', `customer edge ${destinationCe} is not attached to a PE`);
    record.internal.ingressPe = ingress.pe;
    record.internal.egressPe = egress.pe;
  }

  /** The policy decision for the current call's session id (the SLA usage is claimed under it). */
  private async decide(record: ConnectionRecord, criteria: Criteria): Promise<GrantInfo> {
    const c = record.connection;
    const start = criteria.startTime === null ? undefined : new Date(criteria.startTime);
    const startMs = start === undefined ? this.now() : Math.max(start.getTime(), this.now());
    const durationS =
      criteria.endTime === null
        ? undefined
        : Math.max(1, Math.ceil((Date.parse(criteria.endTime) - startMs) / 1000));
    const decision = await this.o.policy.decide(
      {
        application: c.application,
        vpn: c.vpnId,
        serviceClass: criteria.serviceClass,
        bandwidthBps: criteria.bandwidthBps,
        ...(criteria.priority === null ? {} : { resourcePriority: criteria.priority }),
        ...(start === undefined ? {} : { start }),
        ...(durationS === undefined ? {} : { durationS }),
        // The SLA usage counts for the booking's window exactly, as the ledger does (open without an end).
        ...(criteria.endTime === null
          ? { end: null }
          : Date.parse(criteria.endTime) > startMs
            ? { end: new Date(criteria.endTime) }
            : {}),
        now: new Date(this.now()),
      },
      sessionIdOf(c.connectionId, record.internal.callSeq),
    );
    if (!decision.allow) {
      // 488: the request exceeds the SLA (bandwidth, sessions, total) — the customer's capacity.
      throw new NsiError(
        decision.sipStatus === 488 ? 'CAPACITY_UNAVAILABLE' : 'UNAUTHORIZED',
        decision.reason,
      );
    }
    return {
      grantedBps: decision.grantedBps,
      classType: decision.classType,
      setupPriority: decision.setupPriority,
      holdingPriority: decision.holdingPriority,
      level: decision.precedence,
      mayShrink: decision.mayShrink,
      minBps: decision.minBps,
      dscp: decision.dscp,
    };
  }

  /** Decides and books `criteria` for the current call; the grant is kept on the record. */
  private async bookCriteria(record: ConnectionRecord, criteria: Criteria): Promise<void> {
    const grant = await this.decide(record, criteria);
    await this.book(record, grant, criteria);
    record.internal.grant = grant;
  }

  /** Books the grant in the TE ledger under the current call's session id. */
  private async book(record: ConnectionRecord, grant: GrantInfo, criteria: Criteria): Promise<void> {
    const sessionId = sessionIdOf(record.connection.connectionId, record.internal.callSeq);
    const result = await this.o.admission.admit(this.bookingRequest(record, grant, criteria));
    if (!result.ok) {
      await this.o.policy.releaseUsage(sessionId);
      throw admissionRefusal(result.reason, result.detail);
    }
    record.internal.booked = true;
  }

  /**
   * The ledger booking of `criteria` for the current call. `scheduled`: a connection with a start or
   * end time holds capacity for exactly [start, end) (from now once its start has passed), so
   * connections in disjoint windows share the links; one without either is an open-ended flow, as
   * any SIP session. Booking a booked session again changes it to these criteria (modify, abort).
   * The gateway's HTTP client sends the flag on to the leader.
   */
  private bookingRequest(
    record: ConnectionRecord,
    grant: GrantInfo,
    criteria: Criteria,
  ): ScheduledAdmissionRequest {
    const start = criteria.startTime === null ? this.now() : Date.parse(criteria.startTime);
    return {
      scheduled: true,
      sessionId: sessionIdOf(record.connection.connectionId, record.internal.callSeq),
      ingressPe: record.internal.ingressPe,
      egressPe: record.internal.egressPe,
      bandwidthBps: grant.grantedBps,
      classType: grant.classType,
      setupPriority: grant.setupPriority,
      holdingPriority: grant.holdingPriority,
      level: grant.level,
      start,
      end: criteria.endTime === null ? Number.POSITIVE_INFINITY : Date.parse(criteria.endTime),
      mayShrink: grant.mayShrink,
      minBps: grant.minBps,
    };
  }

  /** Gives the current call's booking and usage back (idempotent). */
  private async unbook(record: ConnectionRecord): Promise<void> {
    const sessionId = sessionIdOf(record.connection.connectionId, record.internal.callSeq);
    await this.o.admission.release(sessionId);
    await this.o.policy.releaseUsage(sessionId);
    record.internal.booked = false;
  }

  /** Moves the booking to the next call's session id after a call ended (NSI: released keeps the reservation). */
  private async rebook(record: ConnectionRecord): Promise<void> {
    await this.unbook(record);
    record.internal.callSeq += 1;
    const c = record.connection;
    if (c.states.lifecycleState !== 'Created') return;
    try {
      await this.bookCriteria(record, c.criteria);
    } catch (error) {
      if (!(error instanceof NsiError)) throw error;
      this.fail(record, error.nsiCode, `the reservation could not be kept: ${error.message}`);
      await this.fireLifecycle(record, 'forcedEnd');
    }
  }

  private async commitResources(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    const pending = c.pendingCriteria;
    try {
      if (pending != null && c.session != null && this.o.sip.active(c.session.callId)) {
        // A live connection changes bandwidth in its SIP dialog (re-INVITE), the gateway's path.
        const grant = await this.o.sip.reinvite(c.session.callId, this.callRequest(record, pending));
        c.session = { ...c.session, ...(grant.grantedBps === null ? {} : { grantedBps: grant.grantedBps }) };
      }
    } catch (error) {
      this.fail(
        record,
        'SERVICE_ERROR',
        `the change was refused on the data plane: ${(error as Error).message}`,
      );
      await this.fireReservation(record, 'reserveCommitFailed');
      return;
    }
    if (pending != null) {
      c.criteria = pending;
      c.pendingCriteria = null;
      record.internal.previous = null;
    }
    c.committedVersion = c.criteria.version;
    const dp = c.states.dataPlaneStatus;
    if (dp.active) dp.version = c.committedVersion;
    dp.versionConsistent = !dp.active || dp.version === c.committedVersion;
    await this.scheduleWindow(record);
    await this.fireReservation(record, 'reserveCommitConfirmed');
    if (pending != null) await this.notify(record, 'modifyConfirmed');
  }

  private async releaseHeld(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    if (c.pendingCriteria != null || record.internal.previous !== null) {
      // A modify's new version is given up: the committed one is what stays booked.
      const previous = record.internal.previous;
      if (previous !== null) {
        await this.o.admission.admit(this.bookingRequest(record, previous.grant, previous.criteria));
        await this.decide(record, previous.criteria).catch(() => undefined);
        record.internal.grant = previous.grant;
      }
      c.pendingCriteria = null;
      record.internal.previous = null;
      return;
    }
    if (c.committedVersion === 0 && record.internal.booked) await this.unbook(record);
  }

  /** Timers for the committed window: start (if provisioned later) and end. */
  private async scheduleWindow(record: ConnectionRecord): Promise<void> {
    const end = record.connection.criteria.endTime;
    if (end === null) await this.clearTimer(record, 'end');
    else await this.setTimer(record, 'end', Date.parse(end));
  }

  // ------------------------------------------------------------------------------------------
  // Data plane: the SIP call
  // ------------------------------------------------------------------------------------------

  private callRequest(record: ConnectionRecord, criteria: Criteria): CallRequest {
    const c = record.connection;
    const seq = record.internal.callSeq;
    const durationS =
      criteria.endTime === null
        ? undefined
        : Math.max(1, Math.ceil((Date.parse(criteria.endTime) - this.now()) / 1000));
    return {
      callId: callIdOf(c.connectionId, seq),
      fromTag: fromTagOf(c.connectionId, seq),
      caller: c.source.application,
      callerCe: c.source.ce as string,
      callee: c.destination.application,
      ...(record.internal.hostedDestination ? { hostCallee: { ce: c.destination.ce as string } } : {}),
      vpnId: c.vpnId,
      bandwidthBps: criteria.bandwidthBps,
      serviceClass: criteria.serviceClass,
      ...(criteria.priority === null ? {} : { priority: criteria.priority }),
      ...(durationS === undefined ? {} : { durationS }),
    };
  }

  /** Provisioning: the call now, or at the start time (then Provisioned with the data plane idle). */
  private async activate(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    const start = c.criteria.startTime === null ? 0 : Date.parse(c.criteria.startTime);
    if (start > this.now()) {
      await this.setTimer(record, 'start', start);
      await this.fireProvision(record, 'provisionConfirmed');
      return;
    }
    if (await this.placeCall(record)) await this.fireProvision(record, 'provisionConfirmed');
    else await this.fireProvision(record, 'provisionFailed');
  }

  /** Places the SIP call for the current booking; false (and lastError) when the gateway refuses. */
  private async placeCall(record: ConnectionRecord): Promise<boolean> {
    const c = record.connection;
    if (!record.internal.booked) {
      try {
        await this.bookCriteria(record, c.criteria);
      } catch (error) {
        if (!(error instanceof NsiError)) throw error;
        this.fail(record, error.nsiCode, error.message);
        return false;
      }
    }
    const request = this.callRequest(record, c.criteria);
    try {
      const grant = await this.o.sip.call(request);
      c.session = {
        sessionId: grant.sessionId ?? sessionIdOf(c.connectionId, record.internal.callSeq),
        callId: request.callId,
        lspId: grant.lspId,
        grantedBps: grant.grantedBps,
        dscp: grant.dscp,
        label: grant.label,
      };
      c.lastError = null;
      c.states.dataPlaneStatus = { active: true, version: c.committedVersion, versionConsistent: true };
      await this.notify(record, 'dataPlaneStateChange');
      return true;
    } catch (error) {
      const code: NsiErrorCode =
        error instanceof CallFailedError
          ? error.status === 503 || error.status === 580 || error.status === 488
            ? 'CAPACITY_UNAVAILABLE'
            : error.status === 403 || error.status === 401
              ? 'UNAUTHORIZED'
              : error.status === 404
                ? 'UNKNOWN_STP'
                : 'SERVICE_ERROR'
          : 'SERVICE_ERROR';
      this.fail(record, code, `the gateway refused the call: ${(error as Error).message}`);
      // The gateway rolled back what it took for this call; the booking moves to the next call.
      await this.rebook(record);
      return false;
    }
  }

  /** Ends the call (BYE) and keeps the reservation under the next call's session id. */
  private async hangUp(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    await this.clearTimer(record, 'start');
    if (c.session != null) {
      const callId = c.session.callId;
      c.session = null;
      await this.o.sip.hangUp(callId);
    }
    if (c.states.dataPlaneStatus.active) {
      c.states.dataPlaneStatus = { ...c.states.dataPlaneStatus, active: false, versionConsistent: true };
      await this.notify(record, 'dataPlaneStateChange');
    }
  }

  private async deactivate(record: ConnectionRecord): Promise<void> {
    const hadCall = record.connection.session != null;
    await this.hangUp(record);
    if (hadCall) await this.rebook(record);
    await this.fireProvision(record, 'releaseConfirmed');
  }

  /** Terminate, end time or forced end: nothing stays — no call, no booking, no timers. */
  private async teardown(record: ConnectionRecord): Promise<void> {
    for (const kind of ['hold', 'start', 'end'] as const) await this.clearTimer(record, kind);
    record.connection.holdExpiresAt = null;
    await this.hangUp(record);
    await this.unbook(record);
    if (record.connection.states.lifecycleState === 'Terminating') {
      await this.fireLifecycle(record, 'terminateConfirmed');
    }
  }

  /**
   * A preemption notice from the admission leader (the stream every holder of a reservation reads):
   * a more important session took this connection's capacity. The ledger is asked what the current
   * call's session id holds now — a notice may be late or repeated, and the id may hold capacity
   * again (a modify booked it afresh) — and only a real loss counts:
   *
   * - nothing held, or a reservation not yet in use reduced below what was committed: NSI CS 2.0
   *   has no partial reservation, so the reservation is lost — `forcedEnd` (lifecycle Created →
   *   Failed), which tears down what is left and sends `errorEvent` (webhooks, SSE) with the cause;
   *   `lastError` (RESOURCE_UNAVAILABLE) says who preempted it, for queries. A live call is left to
   *   the gateway holding it (its BYE carries the RFC 4411 Reason): the API sends no BYE of its own;
   * - a live call reduced (RFC 4495): it stays up at the smaller bandwidth, recorded on the
   *   connection's session and announced as an `errorEvent`; the lifecycle is unchanged.
   *
   * Throws (the notice stays pending for a retry) only when the store fails.
   */
  async handlePreemptionNotice(notice: PreemptionNotice): Promise<void> {
    if (this.closed) throw new Error('the connection service is closed');
    const connectionId = await this.o.store.connectionOfSession(notice.sessionId);
    if (connectionId === undefined) return; // a SIP user's session, not a connection's
    await this.serial(connectionId, async () => {
      const record = await this.o.store.get(connectionId);
      if (record === undefined) return;
      const c = record.connection;
      // Only the current call's reservation: an earlier call's id gave its capacity back already.
      if (sessionIdOf(c.connectionId, record.internal.callSeq) !== notice.sessionId) return;
      if (c.states.lifecycleState !== 'Created' || !record.internal.booked) return;
      const granted = record.internal.grant?.grantedBps ?? c.criteria.bandwidthBps;
      let left = notice.action === 'end' ? 0 : (notice.newBandwidthBps ?? 0);
      if (this.o.admission.holding !== undefined) {
        try {
          left = (await this.o.admission.holding(notice.sessionId))?.bandwidthBps ?? 0;
        } catch (error) {
          // The leader cannot say (failing over): the notice is the best word there is.
          this.o.log.warn(
            { err: error, connectionId },
            'ledger not readable; acting on the preemption notice',
          );
        }
      }
      if (left >= granted) return; // nothing lost (stale or repeated notice)
      const by = `a more important session (${notice.preemptorSessionId}${
        notice.preemptorLevel === undefined ? '' : `, ${notice.preemptorLevel}`
      })`;
      this.o.log.info(
        { connectionId, sessionId: notice.sessionId, noticeId: notice.noticeId, left, granted },
        'connection preempted',
      );
      // A call is up (on whichever API process placed it): RFC 4495 keeps it at less.
      if (left > 0 && c.session != null) {
        c.session = { ...c.session, grantedBps: left };
        this.fail(
          record,
          'RESOURCE_UNAVAILABLE',
          `preempted by ${by}: the bandwidth was reduced to ${left} bit/s`,
        );
        await this.notify(record, 'errorEvent');
        await this.save(record);
        return;
      }
      this.fail(
        record,
        'RESOURCE_UNAVAILABLE',
        left === 0
          ? `the reservation was preempted by ${by}`
          : `the reservation was preempted by ${by}: reduced to ${left} bit/s, below the ${granted} bit/s committed`,
      );
      // The gateway holding a live call ends it with BYE (Reason: preemption): no BYE of ours races it.
      c.session = null;
      await this.fireLifecycle(record, 'forcedEnd');
    });
  }

  /** A dialog the API did not end: the gateway ended it (preemption, far end, session expiry). */
  private async onCallEnded(callId: string, reason: string): Promise<void> {
    if (this.closed) return;
    const connectionId = callId.split('.')[0] ?? '';
    await this.serial(connectionId, async () => {
      const record = await this.o.store.get(connectionId);
      if (record === undefined || record.connection.session?.callId !== callId) return;
      record.connection.session = null;
      this.fail(record, 'RESOURCE_UNAVAILABLE', `the data plane ended: ${reason}`);
      if (record.connection.states.lifecycleState === 'Created')
        await this.fireLifecycle(record, 'forcedEnd');
      else await this.save(record);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Timers: persisted in the store; fired by one process (the timer lease holder), each firing
  // claimed atomically in the store, so a timer fires once even around a leader hand-over.
  // ------------------------------------------------------------------------------------------

  private async setTimer(record: ConnectionRecord, kind: TimerKind, at: number): Promise<void> {
    await this.o.store.setTimer(record.connection.connectionId, kind, at);
    // Far timers are left to the sweep; a near one is armed now for punctual firing.
    if (at <= this.now() + 2 * this.timerPollMs) this.arm(record.connection.connectionId, kind, at);
  }

  private async clearTimer(record: ConnectionRecord, kind: TimerKind): Promise<void> {
    const key = `${record.connection.connectionId}|${kind}`;
    const t = this.timers.get(key);
    if (t !== undefined) clearTimeout(t.handle);
    this.timers.delete(key);
    await this.o.store.clearTimer(record.connection.connectionId, kind);
  }

  /** Whether this process fires timers: it holds the timer lease, or runs without one. */
  private firesTimers(): boolean {
    return this.o.timerLease === undefined || this.o.timerLease.fence() !== undefined;
  }

  private async sweepOnce(): Promise<void> {
    if (this.closed) return;
    if (!this.firesTimers()) {
      this.dropTimers();
      return;
    }
    for (const t of await this.o.store.timersDue(this.now() + 2 * this.timerPollMs)) {
      this.arm(t.connectionId, t.kind, t.at);
    }
  }

  private arm(connectionId: string, kind: TimerKind, at: number): void {
    if (this.closed || !this.firesTimers()) return;
    const key = `${connectionId}|${kind}`;
    const existing = this.timers.get(key);
    if (existing !== undefined) {
      if (existing.at === at) return; // armed already (the sweep finds it again each poll)
      clearTimeout(existing.handle);
    }
    const handle = setTimeout(
      () => {
        this.timers.delete(key);
        if (at - this.now() > 0) return this.arm(connectionId, kind, at); // a far timer, re-armed in steps
        void this.onTimer(connectionId, kind).catch((error: unknown) =>
          this.o.log.error({ err: error, connectionId, kind }, 'connection timer failed'),
        );
      },
      Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS),
    );
    handle.unref();
    this.timers.set(key, { at, handle });
  }

  private onTimer(connectionId: string, kind: TimerKind): Promise<void> {
    return this.serial(connectionId, async () => {
      const fence = this.o.timerLease?.fence();
      if (this.o.timerLease !== undefined && fence === undefined) return; // lost the lease meanwhile
      // Only the process whose claim succeeds fires; another process, or a second firing here,
      // finds the timer moved to the claim's end (or gone) and does nothing.
      const now = this.now();
      const claimed = await this.o.store.claimTimer(connectionId, kind, now, now + this.timerClaimMs, fence);
      if (claimed === undefined) return;
      const record = await this.o.store.get(connectionId);
      if (record !== undefined) await this.fireTimer(record, kind);
      // Not reached when firing throws: the claim lapses and the timer fires again (a retry).
      await this.o.store.completeTimer(connectionId, kind, claimed);
    });
  }

  /** What a due timer does; each case checks the state first, so a repeated firing changes nothing. */
  private async fireTimer(record: ConnectionRecord, kind: TimerKind): Promise<void> {
    const s = record.connection.states;
    switch (kind) {
      case 'hold':
        if (s.reservationState === 'ReserveHeld') await this.fireReservation(record, 'holdTimeout');
        break;
      case 'start':
        // A scheduled connection's start: the call is placed now.
        if (
          s.lifecycleState === 'Created' &&
          s.provisionState === 'Provisioned' &&
          !s.dataPlaneStatus.active
        ) {
          if (!(await this.placeCall(record))) await this.notify(record, 'errorEvent');
          await this.save(record);
        }
        break;
      case 'end':
        if (s.lifecycleState === 'Created') await this.fireLifecycle(record, 'endTimeEvent');
        break;
      default: {
        const never: never = kind;
        throw new Error(`unknown timer ${String(never)}`);
      }
    }
  }
}

function admissionRefusal(reason: 'no-path' | 'no-capacity', detail: string): NsiError {
  return new NsiError(reason === 'no-path' ? 'NO_PATH_FOUND' : 'CAPACITY_UNAVAILABLE', detail);
}
