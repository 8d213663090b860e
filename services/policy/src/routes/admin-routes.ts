import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { PolicyStore } from '@svpn/store';

import type { PolicyAdmin } from '../policy-admin.js';
import { asProblem } from '../problems.js';
import {
  ApplicationCreateBody,
  ApplicationPatchBody,
  ApplicationPutBody,
  ApplicationViewSchema,
  CustomerCreateBody,
  CustomerPatchBody,
  CustomerPutBody,
  CustomerSchema,
  IdParams,
  SlaPatchBody,
  SlaPutBody,
  SlaSchema,
  VpnPatchBody,
  VpnPutBody,
  VpnSchema,
} from '../schemas.js';
import { PolicyNotFoundError, type PolicyKind } from '@svpn/store';

/** One collection of the admin API: its schemas and what each verb does. */
interface Collection<E> {
  readonly path: string;
  readonly kind: PolicyKind;
  readonly entity: TSchema;
  readonly createBody: TSchema;
  readonly putBody: TSchema;
  readonly patchBody: TSchema;
  /** The id a created entity is found at. */
  idOf(entity: E): string;
  list(): Promise<E[]>;
  get(id: string): Promise<E | undefined>;
  create(body: never): Promise<E>;
  replace(id: string, body: never): Promise<E>;
  patch(id: string, body: never): Promise<E>;
  remove(id: string): Promise<void>;
}

/**
 * `GET` (list), `POST` (201 + Location), and per item `GET`, `PUT` (replace), `PATCH` (merge),
 * `DELETE` (204) — bodies and answers validated by the collection's TypeBox schemas; errors as
 * problem+json (404 missing, 409 duplicate or broken reference, 400 invalid).
 */
function registerCollection<E>(app: FastifyInstance, c: Collection<E>): void {
  const item = `${c.path}/:id`;
  app.get(c.path, { schema: { response: { 200: Type.Array(c.entity) } } }, async () => c.list());
  app.post(
    c.path,
    { schema: { body: c.createBody, response: { 201: c.entity } } },
    async (request, reply) => {
      const created = await asProblem(() => c.create(request.body as never));
      return reply
        .status(201)
        .header('location', `${c.path}/${encodeURIComponent(c.idOf(created))}`)
        .send(created);
    },
  );
  app.get<{ Params: IdParams }>(
    item,
    { schema: { params: IdParams, response: { 200: c.entity } } },
    async (request) =>
      asProblem(async () => {
        const found = await c.get(request.params.id);
        if (found === undefined) throw new PolicyNotFoundError(c.kind, request.params.id);
        return found;
      }),
  );
  app.put<{ Params: IdParams }>(
    item,
    { schema: { params: IdParams, body: c.putBody, response: { 200: c.entity } } },
    async (request) => asProblem(() => c.replace(request.params.id, request.body as never)),
  );
  app.patch<{ Params: IdParams }>(
    item,
    { schema: { params: IdParams, body: c.patchBody, response: { 200: c.entity } } },
    async (request) => asProblem(() => c.patch(request.params.id, request.body as never)),
  );
  app.delete<{ Params: IdParams }>(item, { schema: { params: IdParams } }, async (request, reply) => {
    await asProblem(() => c.remove(request.params.id));
    return reply.status(204).send();
  });
}

export interface AdminRoutesOptions {
  readonly admin: PolicyAdmin;
  readonly store: PolicyStore;
}

/**
 * The operator's admin API for the policy data: `/v1/slas`, `/v1/customers`, `/v1/vpns` (items
 * addressed by VPN-ID in any spelling or by name) and `/v1/applications` (created with a password,
 * stored and answered without it: only H(A1) values are kept, and never returned).
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { admin, store } = options;
  registerCollection(app, {
    path: '/v1/slas',
    kind: 'sla',
    entity: SlaSchema,
    createBody: SlaSchema,
    putBody: SlaPutBody,
    patchBody: SlaPatchBody,
    idOf: (s) => s.id,
    list: () => store.listSlas(),
    get: (id) => store.getSla(id),
    create: (body: object) => admin.createSla(body),
    replace: (id, body: object) => admin.replaceSla(id, body),
    patch: (id, body: object) => admin.patchSla(id, body),
    remove: (id) => store.deleteSla(id),
  });
  registerCollection(app, {
    path: '/v1/customers',
    kind: 'customer',
    entity: CustomerSchema,
    createBody: CustomerCreateBody,
    putBody: CustomerPutBody,
    patchBody: CustomerPatchBody,
    idOf: (c) => c.id,
    list: () => store.listCustomers(),
    get: (id) => store.getCustomer(id),
    create: (body) => admin.createCustomer(body),
    replace: (id, body) => admin.replaceCustomer(id, body),
    patch: (id, body) => admin.patchCustomer(id, body),
    remove: (id) => store.deleteCustomer(id),
  });
  registerCollection(app, {
    path: '/v1/vpns',
    kind: 'vpn',
    entity: VpnSchema,
    createBody: VpnSchema,
    putBody: VpnPutBody,
    patchBody: VpnPatchBody,
    idOf: (v) => v.vpnId,
    list: () => store.listVpns(),
    get: (id) => store.resolveVpn(id),
    create: (body: object) => admin.createVpn(body),
    replace: (id, body: object) => admin.replaceVpn(id, body),
    patch: (id, body: object) => admin.patchVpn(id, body),
    remove: (id) => admin.deleteVpn(id),
  });
  registerCollection(app, {
    path: '/v1/applications',
    kind: 'application',
    entity: ApplicationViewSchema,
    createBody: ApplicationCreateBody,
    putBody: ApplicationPutBody,
    patchBody: ApplicationPatchBody,
    idOf: (a) => a.name,
    list: () => admin.listApplications(),
    get: (name) => admin.findApplication(name),
    create: (body) => admin.createApplication(body),
    replace: (name, body) => admin.replaceApplication(name, body),
    patch: (name, body) => admin.patchApplication(name, body),
    remove: (name) => store.deleteApplication(name),
  });
}
