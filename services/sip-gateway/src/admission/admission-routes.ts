/**
 * The admission leader's HTTP face (DESIGN §5: one writer, any number of gateways ask it): the
 * gateway holding the leader lease serves these routes; every other gateway admits through an
 * {@link HttpAdmissionClient}. Bodies are validated; a malformed one is a problem+json 400.
 *
 * ```
 * POST   /v1/admissions                      ScheduledAdmissionRequest → AdmissionResult
 * POST   /v1/admissions/:sessionId/resize    { bandwidthBps }     → AdmissionResult
 * POST   /v1/admissions/:sessionId/move      { ingressPe, egressPe } → AdmissionResult
 * DELETE /v1/admissions/:sessionId                                → { released }
 * GET    /v1/admissions/:sessionId                                → Holding, or 404 when it holds nothing
 * ```
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { notFound } from '@svpn/service-kit';
import type { AdmissionPort } from '../ports.js';
import type { Holding, ScheduledAdmissionRequest } from './admission-engine.js';

const Id = Type.String({ minLength: 1, maxLength: 256, pattern: '^\\S+$' });
const Bps = Type.Number({ exclusiveMinimum: 0, maximum: 1e15 });
const Priority = Type.Integer({ minimum: 0, maximum: 7 });

export const AdmissionRequestSchema = Type.Object(
  {
    sessionId: Id,
    ingressPe: Id,
    egressPe: Id,
    bandwidthBps: Bps,
    classType: Type.Integer({ minimum: 0, maximum: 7 }),
    setupPriority: Priority,
    holdingPriority: Priority,
    level: Type.String({ minLength: 1, maxLength: 32 }),
    start: Type.Number({ minimum: 0 }),
    /**
     * `null` for an unbounded session (JSON has no Infinity). Null is tried first: with fastify's type
     * coercion a number branch tried first would turn `null` into 0 — an end at the epoch.
     */
    end: Type.Union([Type.Null(), Type.Number({ minimum: 0 })]),
    mayShrink: Type.Boolean(),
    minBps: Type.Number({ minimum: 0 }),
    /** A scheduled connection's booking: a bounded window is reserved for exactly that window. */
    scheduled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AdmissionRequestBody = Static<typeof AdmissionRequestSchema>;

const SessionParams = Type.Object({ sessionId: Id });
const ResizeBody = Type.Object({ bandwidthBps: Bps }, { additionalProperties: false });
const MoveBody = Type.Object({ ingressPe: Id, egressPe: Id }, { additionalProperties: false });

/** Mounts the admission API over the leader's engine. */
export async function admissionRoutes(
  app: FastifyInstance,
  opts: { admission: AdmissionPort & { holding?(sessionId: string): Holding | undefined } },
): Promise<void> {
  const { admission } = opts;
  app.post<{ Body: AdmissionRequestBody }>(
    '/v1/admissions',
    { schema: { body: AdmissionRequestSchema } },
    async (request) => {
      const body = request.body;
      const admit: ScheduledAdmissionRequest = { ...body, end: body.end ?? Number.POSITIVE_INFINITY };
      return admission.admit(admit);
    },
  );
  app.post<{ Params: Static<typeof SessionParams>; Body: Static<typeof ResizeBody> }>(
    '/v1/admissions/:sessionId/resize',
    { schema: { params: SessionParams, body: ResizeBody } },
    async (request) => admission.resize(request.params.sessionId, request.body.bandwidthBps),
  );
  app.post<{ Params: Static<typeof SessionParams>; Body: Static<typeof MoveBody> }>(
    '/v1/admissions/:sessionId/move',
    { schema: { params: SessionParams, body: MoveBody } },
    async (request) =>
      admission.move(request.params.sessionId, request.body.ingressPe, request.body.egressPe),
  );
  app.delete<{ Params: Static<typeof SessionParams> }>(
    '/v1/admissions/:sessionId',
    { schema: { params: SessionParams } },
    async (request) => ({ released: (await admission.release(request.params.sessionId)) ?? null }),
  );
  // What a session holds now: a holder told of a preemption checks it before it acts.
  app.get<{ Params: Static<typeof SessionParams> }>(
    '/v1/admissions/:sessionId',
    { schema: { params: SessionParams } },
    async (request) => {
      const held = admission.holding?.(request.params.sessionId);
      if (held === undefined) throw notFound(`a reservation of ${request.params.sessionId}`);
      return held;
    },
  );
}
