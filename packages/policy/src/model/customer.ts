import { Type, type Static } from '@sinclair/typebox';

import type { PolicyProblem } from '../errors.js';
import { IdSchema, NodeIdSchema } from './identifiers.js';

/**
 * A customer site: a customer edge (CE) and the provider edge (PE) it attaches to (seed 001 Fig. 1).
 * The gateway sends `bgp.advertise-membership` and `uni.*` jobs for a CE to its PE.
 */
export const SiteSchema = Type.Object(
  {
    ce: NodeIdSchema,
    pe: NodeIdSchema,
    /** The PE interface facing the CE (`ge-0/0/1.100`): where `uni.*` jobs attach the CE's sessions. */
    interface: NodeIdSchema,
  },
  { additionalProperties: false },
);

/** A customer site. */
export type Site = Static<typeof SiteSchema>;

/** A customer: owns VPNs and applications; its SLA bounds every session of its applications. */
export const CustomerSchema = Type.Object(
  {
    id: IdSchema,
    /** Display name. */
    name: Type.String({ minLength: 1, maxLength: 200 }),
    slaId: IdSchema,
    /** A disabled customer's applications are refused (403). */
    enabled: Type.Boolean(),
    /** The customer's CEs and the PEs they attach to. */
    sites: Type.Array(SiteSchema, { maxItems: 1000 }),
  },
  { additionalProperties: false },
);

/** A customer. */
export type Customer = Static<typeof CustomerSchema>;

/** Rules beyond the schema: a CE appears once. */
export function checkCustomer(customer: Customer): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  customer.sites.forEach((site, i) => {
    if (seen.has(site.ce))
      problems.push({ path: `/sites/${i}/ce`, message: `CE ${site.ce} is listed twice` });
    seen.add(site.ce);
  });
  return problems;
}
