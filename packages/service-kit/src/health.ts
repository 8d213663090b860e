import type { FastifyInstance } from 'fastify';
import {
  AggregatorRegistry,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** Metrics in prom-client's JSON form (`Registry.getMetricsAsJSON`), as a worker thread sends them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type ReadinessCheck = () => Promise<void> | void;

export interface HealthOptions {
  /** Named checks `/readyz` runs; any that throws makes the service not ready (503). */
  checks?: Record<string, ReadinessCheck>;
  /** The metrics registry `/metrics` exposes. @defaultValue a new registry with default process metrics */
  registry?: Registry;
  /** Set while draining: `/readyz` answers 503 so load balancers stop sending work. */
  draining?: () => boolean;
  /**
   * Metrics this service keeps elsewhere in the process (a worker thread's registry): summed with the
   * registry's series of the same name and labels (prom-client's aggregation) on every scrape.
   */
  moreMetrics?: () => Promise<MetricsJson>;
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
  const more = options.moreMetrics;
  app.get('/metrics', async (_request, reply) => {
    if (more === undefined) return reply.type(registry.contentType).send(await registry.metrics());
    const [own, elsewhere] = await Promise.all([registry.getMetricsAsJSON(), more()]);
    const merged = AggregatorRegistry.aggregate([own, elsewhere]);
    return reply.type(registry.contentType).send(await merged.metrics());
  });
  return registry;
}
