import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import {
  installProblemHandler,
  notFound,
  registerHealthRoutes,
  type MetricsJson,
  type ReadinessCheck,
} from '@svpn/service-kit';
import type { JobRunner } from './jobs/job-runner.js';
import type { Provisioner } from './provisioner/provisioner.js';
import type { ReconcileReport } from './reconciler/reconciler.js';

/** What the provisioner's HTTP app serves. */
export interface AppDeps {
  registry: Registry;
  /** Named readiness checks (Redis, workers). */
  checks: Record<string, ReadinessCheck>;
  draining?: () => boolean;
  runner: JobRunner;
  provisioner: Provisioner;
  /** The reconciler, here or in another thread of the process; null when it runs in no thread of it. */
  reconciler: { reconcile(): Promise<ReconcileReport> } | null;
  /** The PEs with a queue. */
  pes: readonly string[];
  logger?: Logger;
  /** Metrics of the PE workers when they run in another thread of the process. */
  moreMetrics?: () => Promise<MetricsJson>;
}

/** Operator routes: queue depths, one session's state, and a reconcile pass on demand. */
export const provisioningRoutes: FastifyPluginAsync<
  Omit<AppDeps, 'registry' | 'checks' | 'draining' | 'logger' | 'moreMetrics'>
> = async (app, deps) => {
  app.get('/v1/provisioning/queues', async () => ({ queues: await deps.runner.queueCounts(deps.pes) }));
  app.get<{ Params: { sessionId: string } }>(
    '/v1/provisioning/sessions/:sessionId',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            sessionId: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s{}|]+$' },
          },
          required: ['sessionId'],
        },
      },
    },
    async (request) => {
      const status = await deps.provisioner.getSession(request.params.sessionId);
      if (!status) throw notFound(`session ${request.params.sessionId}`);
      return status;
    },
  );
  app.post('/v1/provisioning/reconcile', async (_request, reply) => {
    if (!deps.reconciler)
      return reply.status(409).send({ status: 'the reconciler does not run in this process' });
    return deps.reconciler.reconcile();
  });
};

/** The provisioner's fastify app (no port bound: tests use `app.inject`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger at run time; their declared types differ in optional members.
  const app: FastifyInstance = deps.logger
    ? Fastify({
        // Request lines of an ops endpoint scraped every few seconds are noise: warnings and up only.
        loggerInstance: deps.logger.child(
          { component: 'provisioner.http' },
          { level: deps.logger.levelVal > 40 ? deps.logger.level : 'warn' },
        ) as FastifyBaseLogger,
      })
    : Fastify({ logger: false });
  installProblemHandler(app);
  registerHealthRoutes(app, {
    registry: deps.registry,
    checks: deps.checks,
    ...(deps.draining ? { draining: deps.draining } : {}),
    ...(deps.moreMetrics ? { moreMetrics: deps.moreMetrics } : {}),
  });
  await app.register(provisioningRoutes, {
    runner: deps.runner,
    provisioner: deps.provisioner,
    reconciler: deps.reconciler,
    pes: deps.pes,
  });
  return app;
}
