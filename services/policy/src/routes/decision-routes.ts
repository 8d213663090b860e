import type { FastifyInstance } from 'fastify';
import type { PolicyStore, SessionUsage } from '@svpn/store';

import { decisionToJson } from '../client/decision-json.js';
import type { PolicyEngine } from '../policy-engine.js';
import { asProblem } from '../problems.js';
import { DecisionRequestBody, DecisionSchema, IdParams, UsageSchema, type DecisionJson } from '../schemas.js';
import { notFound } from '@svpn/service-kit';

export interface DecisionRoutesOptions {
  readonly engine: PolicyEngine;
  readonly store: PolicyStore;
}

/**
 * The decision API the gateway calls on every INVITE / re-INVITE (DESIGN §4):
 * `POST /v1/decisions` answers 200 with a grant or a refusal (the refusal's `sipStatus` is what the
 * gateway answers the UA); `DELETE /v1/usage/:id` stops counting a session; `GET
 * /v1/customers/:id/usage` shows what a customer holds now, with each claim's window, and what it
 * has booked to start later.
 */
export async function decisionRoutes(app: FastifyInstance, options: DecisionRoutesOptions): Promise<void> {
  const { engine, store } = options;

  app.post<{ Body: DecisionRequestBody; Reply: DecisionJson }>(
    '/v1/decisions',
    { schema: { body: DecisionRequestBody, response: { 200: DecisionSchema } } },
    async (request) => {
      const { sessionId, start, end, ...body } = request.body;
      const decision = await asProblem(() =>
        engine.decide(
          {
            ...body,
            ...(start === undefined ? {} : { start: new Date(start) }),
            ...(end === undefined ? {} : { end: end === null ? null : new Date(end) }),
          },
          sessionId,
        ),
      );
      request.log.info(
        {
          application: body.application,
          vpn: body.vpn,
          sessionId,
          outcome: decision.code,
          sipStatus: decision.sipStatus,
        },
        'policy decision',
      );
      return decisionToJson(decision);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/v1/usage/:id',
    { schema: { params: IdParams } },
    async (request, reply) => {
      await engine.releaseUsage(request.params.id);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/v1/customers/:id/usage',
    { schema: { params: IdParams, response: { 200: UsageSchema } } },
    async (request) => {
      const { id } = request.params;
      if ((await store.getCustomer(id)) === undefined) throw notFound(`customer ${id}`);
      const at = engine.now().getTime();
      const [usage, claims] = await Promise.all([
        store.getUsage(id, at),
        store.listUsage(id, { at, upcoming: true }),
      ]);
      const view = (s: SessionUsage) => ({
        sessionId: s.sessionId,
        bps: s.bps,
        start: s.start === null ? null : new Date(s.start).toISOString(),
        end: s.end === null ? null : new Date(s.end).toISOString(),
      });
      return {
        customerId: id,
        at: new Date(at).toISOString(),
        ...usage,
        // In use now (what the SLA counts at this instant), then booked to start later.
        sessions: claims.filter((s) => s.start === null || s.start <= at).map(view),
        upcoming: claims.filter((s) => s.start !== null && s.start > at).map(view),
      };
    },
  );
}
