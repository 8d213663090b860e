import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';

export type ReadinessCheck = () => Promise<void> | void;

export interface HealthOptions {
  /** Named checks `/readyz` runs; any that throws makes the service not ready (503). */
  checks?: Record<string, ReadinessCheck>;
  /** The metrics registry `/metrics` exposes. @defaultValue a new registry with default process metrics */
  registry?: Registry;
  /** Set while draining: `/readyz` answers 503 so load balancers stop sending work. */
  draining?: () => boolean;
}

/** Every service's operational routes: `/healthz` (alive), `/readyz` (dependencies), `/metrics` (Prometheus). */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions = {}): Registry {
  const registry = options.registry ?? new Registry();
  if (options.registry === undefined) collectDefaultMetrics({ register: registry });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (options.draining?.()) return reply.status(503).send({ status: 'draining' });
    const results: Record<string, string> = {};
    let ok = true;
    for (const [name, check] of Object.entries(options.checks ?? {})) {
      try {
        await check();
        results[name] = 'ok';
      } catch (error) {
        ok = false;
        results[name] = (error as Error).message;
      }
    }
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: results });
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return registry;
}
