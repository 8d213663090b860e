import { setTimeout as sleep } from 'node:timers/promises';
import {
  ContentionError,
  FencedError,
  ProvisioningStoreArgumentError,
  ProvisioningStoreCorruptError,
} from './provisioning-store-error.js';
import type {
  ActualEndpoint,
  ActualEndpointPatch,
  ActualLsp,
  ActualMembership,
  DesiredLsp,
  DesiredMembership,
  DesiredSession,
  Fence,
  Lease,
  MembershipIntentChange,
  MembershipIntentInput,
  MembershipKey,
  MembershipPhase,
  ProvisioningStore,
  ReleaseSessionOptions,
  SessionIntentChange,
  SessionIntentInput,
  SessionPhasePatch,
  SessionView,
} from './provisioning-store.js';
import {
  lspIdsTouched,
  planPutMembership,
  planPutSession,
  planReleaseMembership,
  planReleaseSession,
  type SessionPlan,
} from './provisioning-transitions.js';
import type { RecordBackend, RecordRef, RecordValue, Table } from './record-backend.js';
import {
  MAX_ATTEMPTS,
  TransactionLanes,
  type Transaction,
  type TransactionBody,
} from './transaction-lanes.js';

/** Sessions whose LSP this process remembers (lane keys of releases); cleared past this size. */
const LSP_HINTS_MAX = 100_000;

const ID = /^[^\s{}|]{1,200}$/;

function requireId(value: string, what: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new ProvisioningStoreArgumentError(
      `${what} must be 1–200 characters without whitespace, "{", "}" or "|"`,
    );
  }
  return value;
}

function membershipId(key: MembershipKey): string {
  return `${requireId(key.pe, 'pe')}|${requireId(key.vpnId, 'vpnId')}|${requireId(key.ce, 'ce')}`;
}

function endpointId(sessionId: string, pe: string): string {
  return `${requireId(sessionId, 'sessionId')}|${requireId(pe, 'pe')}`;
}

/** Parses a stored record, checking the fields every reader relies on. */
function decode<T>(json: string, what: string, fields: Record<string, 'string' | 'number' | 'object'>): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ProvisioningStoreCorruptError(`${what}: not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProvisioningStoreCorruptError(`${what}: not an object`);
  }
  for (const [field, type] of Object.entries(fields)) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v !== type || (type === 'number' && !Number.isFinite(v))) {
      throw new ProvisioningStoreCorruptError(`${what}.${field}: expected a ${type}`);
    }
  }
  return value as T;
}

const SESSION_FIELDS = {
  sessionId: 'string',
  version: 'number',
  revision: 'number',
  intent: 'string',
  phase: 'string',
  bandwidthBps: 'number',
  endpoints: 'object',
} as const;
const LSP_FIELDS = {
  lspId: 'string',
  ingress: 'string',
  revision: 'number',
  intent: 'string',
  bandwidthBps: 'number',
  contributions: 'object',
  route: 'object',
} as const;
const MEMBERSHIP_FIELDS = {
  pe: 'string',
  vpnId: 'string',
  ce: 'string',
  revision: 'number',
  intent: 'string',
} as const;
const ACTUAL_LSP_FIELDS = { lspId: 'string', revision: 'number', bandwidthBps: 'number' } as const;
const ACTUAL_ENDPOINT_FIELDS = {
  sessionId: 'string',
  pe: 'string',
  uniRevision: 'number',
  markingRevision: 'number',
} as const;
/** The fields of an endpoint record a patch can set; a patch with all of them replaces the record. */
const ENDPOINT_PATCH_FIELDS = [
  'vpnId',
  'ce',
  'interface',
  'bandwidthBps',
  'dscp',
  'lspId',
  'uniRevision',
  'markingRevision',
] as const satisfies readonly (keyof ActualEndpointPatch)[];
const ACTUAL_MEMBERSHIP_FIELDS = { pe: 'string', vpnId: 'string', ce: 'string', vpnLabel: 'number' } as const;

const decodeSession = (json: string): DesiredSession => decode(json, 'desired session', SESSION_FIELDS);
const decodeActualEndpoint = (json: string): ActualEndpoint =>
  decode(json, 'actual endpoint', ACTUAL_ENDPOINT_FIELDS);
const decodeActualLsp = (json: string): ActualLsp => decode(json, 'actual LSP', ACTUAL_LSP_FIELDS);
const decodeActualMembership = (json: string): ActualMembership =>
  decode(json, 'actual membership', ACTUAL_MEMBERSHIP_FIELDS);
/** A desired LSP as stored: its contributions as [session id, bit/s] pairs (older records: an object). */
function decodeLsp(json: string): DesiredLsp {
  const stored = decode<Omit<DesiredLsp, 'contributions'> & { contributions: unknown }>(
    json,
    'desired LSP',
    LSP_FIELDS,
  );
  const raw = stored.contributions;
  const pairs: unknown[] = Array.isArray(raw) ? raw : Object.entries(raw as Record<string, unknown>);
  const contributions = new Map<string, number>();
  for (const pair of pairs) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !Number.isFinite(pair[1])) {
      throw new ProvisioningStoreCorruptError(
        'desired LSP.contributions: expected [session id, bit/s] pairs',
      );
    }
    contributions.set(pair[0], pair[1] as number);
  }
  return { ...stored, contributions };
}

function encodeLsp(lsp: DesiredLsp): string {
  return JSON.stringify({ ...lsp, contributions: [...lsp.contributions] });
}
const decodeMembership = (json: string): DesiredMembership =>
  decode(json, 'desired membership', MEMBERSHIP_FIELDS);

/** The records a session plan writes: the session and the LSPs it changed (none when unchanged). */
function planWrites(sessionId: string, plan: SessionPlan): RecordValue[] {
  if (!plan.changed) return [];
  return [
    { table: 'desiredSessions', id: sessionId, value: JSON.stringify(plan.session) },
    ...plan.lspWrites.map((l) => ({ table: 'desiredLsps' as const, id: l.lspId, value: encodeLsp(l) })),
  ];
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/**
 * The provisioning store's logic over a {@link RecordBackend}: every write reads the records it
 * depends on, computes the new ones with the pure transitions and commits them only if what it read
 * is unchanged (retrying otherwise). @internal — use {@link RedisProvisioningStore} or
 * {@link MemoryProvisioningStore}.
 */
export class KvProvisioningStore implements ProvisioningStore {
  readonly #backend: RecordBackend;
  /**
   * Group commit of the session writes that share an LSP record (joins and leaves of an aggregate
   * LSP): see {@link TransactionLanes}. Fenced writes (the reconciler's) keep their own transaction.
   */
  readonly #lanes: TransactionLanes;
  /** sessionId → the LSP its intent rides (this process's writes), to pick a release's lane. */
  readonly #lspOf = new Map<string, string>();

  protected constructor(backend: RecordBackend) {
    this.#backend = backend;
    this.#lanes = new TransactionLanes(backend);
  }

  /** Batches and transactions the group commit ran (diagnosis). @internal */
  get groupCommitStats(): Readonly<{ batches: number; transactions: number; conflicts: number }> {
    return this.#lanes.stats;
  }

  #rememberLsp(sessionId: string, lspId: string | undefined): void {
    if (lspId === undefined) {
      this.#lspOf.delete(sessionId);
      return;
    }
    if (this.#lspOf.size >= LSP_HINTS_MAX) this.#lspOf.clear();
    this.#lspOf.set(sessionId, lspId);
  }

  async #transact<R>(what: string, body: TransactionBody<R>, fence?: Fence): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const expected: RecordValue[] = [];
      const tx: Transaction = {
        read: async (refs) => {
          const values = await this.#backend.get(refs);
          refs.forEach((r, i) => expected.push({ ...r, value: values[i] ?? null }));
          return values;
        },
        nextRevision: () => this.#backend.nextRevision(),
      };
      const { writes, result } = await body(tx);
      if (writes.length === 0) return result;
      const outcome = await this.#backend.commit(expected, writes, fence);
      if (outcome === 'ok') return result;
      if (outcome === 'fenced' && fence) throw new FencedError(fence.name, fence.token);
      await sleep(Math.floor(Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new ContentionError(what);
  }

  async #getOne<T>(table: Table, id: string, parse: (json: string) => T): Promise<T | null> {
    const [json] = await this.#backend.get([{ table, id }]);
    return json ? parse(json) : null;
  }

  async #list<T>(table: Table, parse: (json: string) => T): Promise<T[]> {
    return [...(await this.#backend.list(table)).values()].map(parse);
  }

  /** Deletes an intent that is released at `revision`; false (nothing written) otherwise. */
  #deleteReleased(
    table: Table,
    id: string,
    what: string,
    parse: (json: string) => { revision: number; intent: string },
    revision: number,
    fence: Fence | undefined,
  ): Promise<boolean> {
    return this.#transact(
      what,
      async (tx) => {
        const [json] = await tx.read([{ table, id }]);
        const current = json ? parse(json) : null;
        if (!current || current.revision !== revision || current.intent !== 'released') {
          return { writes: [], result: false };
        }
        return { writes: [{ table, id, value: null }], result: true };
      },
      fence,
    );
  }

  // -------------------------------------------------------------------------------------------
  // desired sessions and LSPs
  // -------------------------------------------------------------------------------------------

  async putSessionIntent(input: SessionIntentInput): Promise<SessionIntentChange> {
    requireId(input.sessionId, 'sessionId');
    if (!Number.isSafeInteger(input.version) || input.version < 1) {
      throw new ProvisioningStoreArgumentError('version must be a positive integer');
    }
    if (input.endpoints.length === 0) throw new ProvisioningStoreArgumentError('endpoints must not be empty');
    if (input.lsp) requireId(input.lsp.lspId, 'lspId');
    const lspId = input.lsp?.lspId;
    const change = await this.#lanes.run(
      lspId === undefined ? `session:${input.sessionId}` : `lsp:${lspId}`,
      `session ${input.sessionId}`,
      async (tx): Promise<{ writes: RecordValue[]; result: SessionIntentChange }> => {
        const [json] = await tx.read([{ table: 'desiredSessions', id: input.sessionId }]);
        const current = json ? decodeSession(json) : null;
        const ids = lspIdsTouched(current, input);
        const lspJsons = await tx.read(ids.map((id) => ({ table: 'desiredLsps', id })));
        const lsps = new Map(ids.map((id, i) => [id, lspJsons[i] ? decodeLsp(lspJsons[i]) : null]));
        const now = this.#backend.now();
        // Plan once without a revision: a retransmission changes nothing and draws none.
        let plan = planPutSession(current, lsps, input, now, 0);
        if (plan.changed) plan = planPutSession(current, lsps, input, now, await tx.nextRevision());
        return {
          writes: planWrites(input.sessionId, plan),
          result: { session: plan.session, previous: current, lsps: plan.lsps, changed: plan.changed },
        };
      },
      [
        { table: 'desiredSessions', id: input.sessionId },
        ...(lspId === undefined ? [] : [{ table: 'desiredLsps' as const, id: lspId }]),
      ],
    );
    this.#rememberLsp(input.sessionId, change.session.lsp?.lspId);
    return change;
  }

  async releaseSessionIntent(
    sessionId: string,
    options: ReleaseSessionOptions = {},
  ): Promise<SessionIntentChange | null> {
    requireId(sessionId, 'sessionId');
    const body: TransactionBody<SessionIntentChange | null> = async (tx) => {
      const [json] = await tx.read([{ table: 'desiredSessions', id: sessionId }]);
      const current = json ? decodeSession(json) : null;
      const lspId = current?.lsp?.lspId;
      const [lspJson] = lspId ? await tx.read([{ table: 'desiredLsps', id: lspId }]) : [null];
      if (current === null) return { writes: [], result: null };
      const plan = planReleaseSession(
        current,
        lspJson ? decodeLsp(lspJson) : null,
        options,
        this.#backend.now(),
        current.intent === 'released' ? current.revision : await tx.nextRevision(),
      );
      if (plan === null) return { writes: [], result: null };
      return {
        writes: planWrites(sessionId, plan),
        result: { session: plan.session, previous: current, lsps: plan.lsps, changed: plan.changed },
      };
    };
    // The reconciler's fenced release keeps its own transaction (its fence guards the commit).
    if (options.fence) return this.#transact(`session ${sessionId}`, body, options.fence);
    // A release rewrites its LSP's record like a join: same lane. The LSP is remembered from this
    // process's put, else read (a hint only: the transaction reads the session again).
    const lspId = this.#lspOf.get(sessionId) ?? (await this.getSessionIntent(sessionId))?.lsp?.lspId;
    const change = await this.#lanes.run(
      lspId === undefined ? `session:${sessionId}` : `lsp:${lspId}`,
      `session ${sessionId}`,
      body,
      [
        { table: 'desiredSessions', id: sessionId },
        ...(lspId === undefined ? [] : [{ table: 'desiredLsps' as const, id: lspId }]),
      ],
    );
    this.#lspOf.delete(sessionId);
    return change;
  }

  async setSessionPhase(
    sessionId: string,
    revision: number,
    patch: SessionPhasePatch,
    fence?: Fence,
  ): Promise<DesiredSession | null> {
    requireId(sessionId, 'sessionId');
    return this.#transact(
      `session ${sessionId}`,
      async (tx) => {
        const [json] = await tx.read([{ table: 'desiredSessions', id: sessionId }]);
        const current = json ? decodeSession(json) : null;
        if (!current || current.revision !== revision) return { writes: [], result: null };
        const next: DesiredSession = {
          ...current,
          phase: patch.phase,
          deadlineMs: patch.deadlineMs === undefined ? current.deadlineMs : patch.deadlineMs,
          failure: patch.failure === undefined ? current.failure : patch.failure,
          updatedAtMs: this.#backend.now(),
        };
        return {
          writes: [{ table: 'desiredSessions', id: sessionId, value: JSON.stringify(next) }],
          result: next,
        };
      },
      fence,
    );
  }

  async deleteSessionIntent(sessionId: string, revision: number, fence?: Fence): Promise<boolean> {
    requireId(sessionId, 'sessionId');
    return this.#deleteReleased(
      'desiredSessions',
      sessionId,
      `session ${sessionId}`,
      decodeSession,
      revision,
      fence,
    );
  }

  async getSessionView(
    sessionId: string,
    pes: readonly string[],
    lspIds: readonly string[],
  ): Promise<SessionView> {
    requireId(sessionId, 'sessionId');
    const refs: RecordRef[] = [
      { table: 'desiredSessions', id: sessionId },
      ...pes.map((pe) => ({ table: 'actualEndpoints' as const, id: endpointId(sessionId, pe) })),
      ...lspIds.map((lspId) => ({ table: 'actualLsps' as const, id: requireId(lspId, 'lspId') })),
    ];
    const values = await this.#backend.get(refs);
    const at = (i: number): string | null => values[i] ?? null;
    const intent = at(0);
    return {
      intent: intent === null ? null : decodeSession(intent),
      endpoints: pes.map((_, i) => {
        const json = at(1 + i);
        return json === null ? null : decodeActualEndpoint(json);
      }),
      lsps: lspIds.map((_, i) => {
        const json = at(1 + pes.length + i);
        return json === null ? null : decodeActualLsp(json);
      }),
    };
  }

  async getSessionIntent(sessionId: string): Promise<DesiredSession | null> {
    return this.#getOne('desiredSessions', requireId(sessionId, 'sessionId'), decodeSession);
  }

  async listSessionIntents(): Promise<DesiredSession[]> {
    return (await this.#list('desiredSessions', decodeSession)).sort(byKey((s) => s.sessionId));
  }

  async getLspIntent(lspId: string): Promise<DesiredLsp | null> {
    return this.#getOne('desiredLsps', requireId(lspId, 'lspId'), decodeLsp);
  }

  async listLspIntents(): Promise<DesiredLsp[]> {
    return (await this.#list('desiredLsps', decodeLsp)).sort(byKey((l) => l.lspId));
  }

  async deleteLspIntent(lspId: string, revision: number, fence?: Fence): Promise<boolean> {
    requireId(lspId, 'lspId');
    return this.#deleteReleased('desiredLsps', lspId, `LSP ${lspId}`, decodeLsp, revision, fence);
  }

  // -------------------------------------------------------------------------------------------
  // desired memberships
  // -------------------------------------------------------------------------------------------

  async putMembershipIntent(input: MembershipIntentInput): Promise<MembershipIntentChange> {
    const id = membershipId(input);
    return this.#transact(`membership ${id}`, async (tx) => {
      const [json] = await tx.read([{ table: 'desiredMemberships', id }]);
      const current = json ? decodeMembership(json) : null;
      const now = this.#backend.now();
      let plan = planPutMembership(current, input, now, 0);
      if (plan.changed) plan = planPutMembership(current, input, now, await tx.nextRevision());
      return {
        writes: plan.changed
          ? [{ table: 'desiredMemberships', id, value: JSON.stringify(plan.membership) }]
          : [],
        result: plan,
      };
    });
  }

  async releaseMembershipIntent(key: MembershipKey): Promise<MembershipIntentChange | null> {
    const id = membershipId(key);
    return this.#transact(`membership ${id}`, async (tx) => {
      const [json] = await tx.read([{ table: 'desiredMemberships', id }]);
      const current = json ? decodeMembership(json) : null;
      const plan = planReleaseMembership(
        current,
        this.#backend.now(),
        current && current.intent === 'active' ? await tx.nextRevision() : 0,
      );
      return {
        writes: plan?.changed
          ? [{ table: 'desiredMemberships', id, value: JSON.stringify(plan.membership) }]
          : [],
        result: plan,
      };
    });
  }

  async setMembershipPhase(
    key: MembershipKey,
    revision: number,
    phase: MembershipPhase,
    fence?: Fence,
  ): Promise<DesiredMembership | null> {
    const id = membershipId(key);
    return this.#transact(
      `membership ${id}`,
      async (tx) => {
        const [json] = await tx.read([{ table: 'desiredMemberships', id }]);
        const current = json ? decodeMembership(json) : null;
        if (!current || current.revision !== revision) return { writes: [], result: null };
        const next: DesiredMembership = { ...current, phase, updatedAtMs: this.#backend.now() };
        return { writes: [{ table: 'desiredMemberships', id, value: JSON.stringify(next) }], result: next };
      },
      fence,
    );
  }

  async deleteMembershipIntent(key: MembershipKey, revision: number, fence?: Fence): Promise<boolean> {
    const id = membershipId(key);
    return this.#deleteReleased(
      'desiredMemberships',
      id,
      `membership ${id}`,
      decodeMembership,
      revision,
      fence,
    );
  }

  async getMembershipIntent(key: MembershipKey): Promise<DesiredMembership | null> {
    return this.#getOne('desiredMemberships', membershipId(key), decodeMembership);
  }

  async listMembershipIntents(): Promise<DesiredMembership[]> {
    return (await this.#list('desiredMemberships', decodeMembership)).sort(byKey(membershipId));
  }

  // -------------------------------------------------------------------------------------------
  // actual state
  // -------------------------------------------------------------------------------------------

  // Actual state is what a worker observed: a new observation replaces the record whatever it held,
  // so these are plain writes (one round trip), not read + compare-and-set.
  async #put(table: Table, id: string, value: object): Promise<void> {
    await this.#backend.put({ table, id, value: JSON.stringify(value) });
  }

  async #delete(table: Table, id: string): Promise<boolean> {
    return this.#backend.remove({ table, id });
  }

  async putActualLsp(record: Omit<ActualLsp, 'observedAtMs'>): Promise<ActualLsp> {
    const value: ActualLsp = { ...record, observedAtMs: this.#backend.now() };
    await this.#put('actualLsps', requireId(record.lspId, 'lspId'), value);
    return value;
  }

  async deleteActualLsp(lspId: string): Promise<boolean> {
    return this.#delete('actualLsps', requireId(lspId, 'lspId'));
  }

  async getActualLsp(lspId: string): Promise<ActualLsp | null> {
    return this.#getOne('actualLsps', requireId(lspId, 'lspId'), decodeActualLsp);
  }

  async listActualLsps(): Promise<ActualLsp[]> {
    return (await this.#list('actualLsps', decodeActualLsp)).sort(byKey((l) => l.lspId));
  }

  async updateActualEndpoint(
    sessionId: string,
    pe: string,
    patch: ActualEndpointPatch,
  ): Promise<ActualEndpoint> {
    const id = endpointId(sessionId, pe);
    if (ENDPOINT_PATCH_FIELDS.every((f) => patch[f] !== undefined)) {
      // A whole observation (a worker's attach with its marking) does not depend on the old record.
      const next = {
        ...(patch as Required<ActualEndpointPatch>),
        sessionId,
        pe,
        observedAtMs: this.#backend.now(),
      };
      await this.#put('actualEndpoints', id, next);
      return next;
    }
    return this.#transact(`endpoint ${id}`, async (tx) => {
      const [json] = await tx.read([{ table: 'actualEndpoints', id }]);
      const current = json ? decodeActualEndpoint(json) : null;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next: ActualEndpoint = {
        vpnId: '',
        ce: '',
        interface: '',
        bandwidthBps: 0,
        dscp: 0,
        lspId: null,
        uniRevision: 0,
        markingRevision: 0,
        ...current,
        ...defined,
        sessionId,
        pe,
        observedAtMs: this.#backend.now(),
      };
      return { writes: [{ table: 'actualEndpoints', id, value: JSON.stringify(next) }], result: next };
    });
  }

  async deleteActualEndpoint(sessionId: string, pe: string): Promise<boolean> {
    return this.#delete('actualEndpoints', endpointId(sessionId, pe));
  }

  async getActualEndpoint(sessionId: string, pe: string): Promise<ActualEndpoint | null> {
    return this.#getOne('actualEndpoints', endpointId(sessionId, pe), decodeActualEndpoint);
  }

  async listActualEndpoints(sessionId?: string): Promise<ActualEndpoint[]> {
    const all = await this.#list('actualEndpoints', decodeActualEndpoint);
    return all
      .filter((e) => sessionId === undefined || e.sessionId === sessionId)
      .sort(byKey((e) => `${e.sessionId}|${e.pe}`));
  }

  async putActualMembership(record: Omit<ActualMembership, 'observedAtMs'>): Promise<ActualMembership> {
    const value: ActualMembership = { ...record, observedAtMs: this.#backend.now() };
    await this.#put('actualMemberships', membershipId(record), value);
    return value;
  }

  async deleteActualMembership(key: MembershipKey): Promise<boolean> {
    return this.#delete('actualMemberships', membershipId(key));
  }

  async getActualMembership(key: MembershipKey): Promise<ActualMembership | null> {
    return this.#getOne('actualMemberships', membershipId(key), decodeActualMembership);
  }

  async listActualMemberships(): Promise<ActualMembership[]> {
    return (await this.#list('actualMemberships', decodeActualMembership)).sort(byKey(membershipId));
  }

  // -------------------------------------------------------------------------------------------
  // leases
  // -------------------------------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    requireId(name, 'lease name');
    requireId(owner, 'lease owner');
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
      throw new ProvisioningStoreArgumentError('ttlMs must be a positive integer');
    return this.#backend.acquireLease(name, owner, ttlMs);
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
      throw new ProvisioningStoreArgumentError('ttlMs must be a positive integer');
    return this.#backend.renewLease(lease, ttlMs);
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    return this.#backend.releaseLease(lease);
  }
}
