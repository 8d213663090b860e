import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_PRECEDENCE_MAP, SERVICE_CLASS_NAMES, type PrecedenceMap } from '@svpn/qos';

import type { PolicyProblem } from '../errors.js';
import { IdSchema } from './identifiers.js';
import { checkTimeWindow, TimeWindowSchema } from './time-window.js';

/** TypeBox schema of an RFC 4594 service-class identifier (`high-throughput-data`, …). */
export const ServiceClassNameSchema = Type.Union(SERVICE_CLASS_NAMES.map((name) => Type.Literal(name)));

/**
 * A service level agreement: what a customer's sessions may ask for. Bandwidths are bit/s of the
 * session as the gateway converted it from SDP (DESIGN §2).
 */
export const SlaSchema = Type.Object(
  {
    id: IdSchema,
    description: Type.Optional(Type.String({ maxLength: 200 })),
    /** Largest bandwidth one session may hold, bit/s. */
    maxSessionBps: Type.Integer({ minimum: 1 }),
    /** Largest bandwidth all the customer's sessions may hold together, bit/s. */
    maxTotalBps: Type.Integer({ minimum: 1 }),
    /** Most sessions the customer may hold at once. */
    maxSessions: Type.Integer({ minimum: 1 }),
    /** RFC 4594 service classes a session may name in `a=svpn-qos`. */
    serviceClasses: Type.Array(ServiceClassNameSchema, { minItems: 1, uniqueItems: true }),
    /** Highest `Resource-Priority` value the customer is entitled to (RFC 4412), e.g. `dsn.priority`. */
    maxPrecedence: Type.String({ minLength: 3, maxLength: 64 }),
    /** When sessions may run; absent or empty: always. */
    timeWindows: Type.Optional(Type.Array(TimeWindowSchema, { maxItems: 32 })),
    /** Longest a session may last, seconds; absent: no limit. */
    maxDurationS: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Whether a session may be shrunk instead of torn down when preempted (RFC 4495). */
    mayShrink: Type.Boolean(),
    /** With `mayShrink`: the least a shrunk session keeps, bit/s. @defaultValue 1 bit/s (any reduction) */
    minBps: Type.Optional(Type.Integer({ minimum: 1 })),
    /** The charging profile (tariff) id charge records are rated with. */
    chargingProfile: IdSchema,
  },
  { additionalProperties: false },
);

/** A service level agreement. */
export type Sla = Static<typeof SlaSchema>;

/** Rules beyond the schema. `precedenceMap` reads `maxPrecedence`. */
export function checkSla(sla: Sla, precedenceMap: PrecedenceMap = DEFAULT_PRECEDENCE_MAP): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (sla.maxSessionBps > sla.maxTotalBps) {
    problems.push({ path: '/maxSessionBps', message: 'exceeds maxTotalBps' });
  }
  if (sla.minBps !== undefined && sla.minBps > sla.maxSessionBps) {
    problems.push({ path: '/minBps', message: 'exceeds maxSessionBps' });
  }
  try {
    precedenceMap.levelOf(sla.maxPrecedence);
  } catch (error) {
    problems.push({ path: '/maxPrecedence', message: (error as Error).message });
  }
  (sla.timeWindows ?? []).forEach((w, i) => problems.push(...checkTimeWindow(w, `/timeWindows/${i}`)));
  return problems;
}
