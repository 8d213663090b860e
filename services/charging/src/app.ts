import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ChargeRecord } from '@svpn/charging';
import {
  installProblemHandler,
  registerHealthRoutes,
  type Logger,
  type ReadinessCheck,
} from '@svpn/service-kit';
import type { ChargeStore } from '@svpn/store';
import { createChargingMetrics, type ChargingMetrics } from './metrics.js';
import { chargesRoutes } from './routes/charges-routes.js';

/** What {@link buildApp} is built from. */
export interface ChargingAppDeps {
  readonly store: ChargeStore<ChargeRecord>;
  /** pino logger for requests. @defaultValue fastify's own (off) */
  readonly log?: Logger;
  /** Metrics registry for `/metrics`. @defaultValue a new one with the process metrics */
  readonly registry?: Registry;
  /** The metrics to expose; created on `registry` when absent. */
  readonly metrics?: ChargingMetrics;
  /** Readiness checks for `/readyz` (e.g. Redis PING). */
  readonly checks?: Record<string, ReadinessCheck>;
  /** True while draining: `/readyz` answers 503. */
  readonly draining?: () => boolean;
  /** Most rows one CSV export may hold. @defaultValue 100 000 */
  readonly csvMaxRows?: number;
}

/** The app with its parts. */
export interface ChargingApp {
  readonly app: FastifyInstance;
  readonly metrics: ChargingMetrics;
  readonly registry: Registry;
}

/**
 * The charging service's HTTP side as a fastify instance (built as plugins, so tests use
 * `app.inject` without a port): charge records as JSON and CSV, health, readiness and metrics.
 */
export function buildApp(deps: ChargingAppDeps): ChargingApp {
  const app: FastifyInstance = Fastify({
    ...(deps.log === undefined ? {} : { loggerInstance: deps.log as FastifyBaseLogger }),
  });
  installProblemHandler(app);
  let registry = deps.registry;
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  const metrics = deps.metrics ?? createChargingMetrics(registry);
  registerHealthRoutes(app, {
    registry,
    ...(deps.checks === undefined ? {} : { checks: deps.checks }),
    ...(deps.draining === undefined ? {} : { draining: deps.draining }),
  });
  void app.register(
    fp(
      async (scope) => {
        await scope.register(chargesRoutes, {
          store: deps.store,
          ...(deps.csvMaxRows === undefined ? {} : { csvMaxRows: deps.csvMaxRows }),
        });
      },
      { name: 'svpn-charging' },
    ),
  );
  return { app, metrics, registry };
}
