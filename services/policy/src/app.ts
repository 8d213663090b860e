import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { DecisionOptions } from '@svpn/policy';
import {
  installProblemHandler,
  registerHealthRoutes,
  type Logger,
  type ReadinessCheck,
} from '@svpn/service-kit';
import type { PolicyStore } from '@svpn/store';

import { createPolicyMetrics, type PolicyMetrics } from './metrics.js';
import { PolicyAdmin } from './policy-admin.js';
import { PolicyEngine } from './policy-engine.js';
import { adminRoutes } from './routes/admin-routes.js';
import { decisionRoutes } from './routes/decision-routes.js';
import { lookupRoutes } from './routes/lookup-routes.js';

/** What {@link buildApp} is built from. */
export interface PolicyAppDeps {
  readonly store: PolicyStore;
  /** Digest realm of new passwords and of credential lookups without one. @defaultValue `svpn.example.net` */
  readonly realm?: string;
  /** Decision configuration. @defaultValue the `@svpn/policy` defaults */
  readonly decision?: DecisionOptions;
  /** The decision clock (tests inject one). @defaultValue `() => new Date()` */
  readonly clock?: () => Date;
  /** pino logger for requests and decisions. @defaultValue fastify's own (off) */
  readonly log?: Logger;
  /** Metrics registry for `/metrics`. @defaultValue a new one with the process metrics */
  readonly registry?: Registry;
  /** Readiness checks for `/readyz` (e.g. Redis PING). */
  readonly checks?: Record<string, ReadinessCheck>;
  /** True while draining: `/readyz` answers 503. */
  readonly draining?: () => boolean;
}

/** The app with its parts, for tests and `startPolicyService`. */
export interface PolicyApp {
  readonly app: FastifyInstance;
  readonly engine: PolicyEngine;
  readonly admin: PolicyAdmin;
  readonly metrics: PolicyMetrics;
  readonly registry: Registry;
}

/**
 * The policy service as a fastify instance (STYLE.md: built as plugins, so tests use `app.inject`
 * without a port): decisions, hot-path lookups, admin CRUD, health, readiness and metrics.
 */
export function buildApp(deps: PolicyAppDeps): PolicyApp {
  const realm = deps.realm ?? 'svpn.example.net';
  const app: FastifyInstance = Fastify({
    ...(deps.log === undefined ? {} : { loggerInstance: deps.log as FastifyBaseLogger }),
    // Refuse unknown fields instead of dropping them silently: a typo in an SLA must not pass.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installProblemHandler(app);
  let registry = deps.registry;
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  const metrics = createPolicyMetrics(registry);
  const engine = new PolicyEngine({
    store: deps.store,
    ...(deps.decision === undefined ? {} : { decision: deps.decision }),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    onDecision: (decision) => metrics.record(decision),
  });
  const admin = new PolicyAdmin({
    store: deps.store,
    realm,
    ...(deps.decision?.precedenceMap ? { precedenceMap: deps.decision.precedenceMap } : {}),
  });
  registerHealthRoutes(app, {
    registry,
    ...(deps.checks === undefined ? {} : { checks: deps.checks }),
    ...(deps.draining === undefined ? {} : { draining: deps.draining }),
  });
  void app.register(
    fp(
      async (scope) => {
        await scope.register(decisionRoutes, { engine, store: deps.store });
        await scope.register(lookupRoutes, { engine, realm });
        await scope.register(adminRoutes, { admin, store: deps.store });
      },
      { name: 'svpn-policy' },
    ),
  );
  return { app, engine, admin, metrics, registry };
}
