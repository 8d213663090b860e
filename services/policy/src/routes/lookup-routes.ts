import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '@svpn/service-kit';

import type { PolicyEngine } from '../policy-engine.js';
import { CredentialsQuery, CredentialsSchema, MembershipSchema, SiteAttachmentSchema } from '../schemas.js';

export interface LookupRoutesOptions {
  readonly engine: PolicyEngine;
  /** The realm `GET /v1/credentials` assumes when the query names none. */
  readonly realm: string;
}

const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
const MembershipParams = Type.Object({
  application: Type.String({ minLength: 1, maxLength: 64 }),
  vpn: Type.String({ minLength: 1, maxLength: 64 }),
});
const CeParams = Type.Object({ ce: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * The gateway's hot-path lookups. `GET /v1/credentials/:username` hands out H(A1): it is INTERNAL —
 * bind the service to a private address (`HTTP_HOST`, default 127.0.0.1) and never route it from
 * outside. An H(A1) is as good as the password for this realm (RFC 7616 §5.12).
 */
export async function lookupRoutes(app: FastifyInstance, options: LookupRoutesOptions): Promise<void> {
  const { engine } = options;

  app.get<{ Params: Static<typeof UsernameParams>; Querystring: CredentialsQuery }>(
    '/v1/credentials/:username',
    {
      schema: { params: UsernameParams, querystring: CredentialsQuery, response: { 200: CredentialsSchema } },
    },
    async (request) => {
      const { username } = request.params;
      const realm = request.query.realm ?? options.realm;
      const algorithm = request.query.algorithm ?? 'SHA-256';
      const ha1 = await engine.credentials(username, realm, algorithm);
      if (ha1 === undefined) throw notFound(`credentials of ${username} in realm ${realm} (${algorithm})`);
      return { username, realm, algorithm, ha1 };
    },
  );

  app.get<{ Params: Static<typeof MembershipParams> }>(
    '/v1/memberships/:application/:vpn',
    { schema: { params: MembershipParams, response: { 200: MembershipSchema } } },
    async (request) => engine.membership(request.params.application, request.params.vpn),
  );

  app.get<{ Params: Static<typeof CeParams> }>(
    '/v1/sites/:ce',
    { schema: { params: CeParams, response: { 200: SiteAttachmentSchema } } },
    async (request) => {
      const site = await engine.site(request.params.ce);
      if (site === undefined) throw notFound(`site ${request.params.ce}`);
      return site;
    },
  );
}
