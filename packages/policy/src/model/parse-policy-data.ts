import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_PRECEDENCE_MAP, type PrecedenceMap } from '@svpn/qos';

import { PolicyDataInvalidError, type PolicyProblem } from '../errors.js';
import { ApplicationSchema, type Application } from './application.js';
import { checkCustomer, CustomerSchema, type Customer } from './customer.js';
import { checkSla, SlaSchema, type Sla } from './sla.js';
import { normalizeVpn, VpnSchema, type Vpn } from './vpn.js';

/**
 * Validation of policy data from outside (admin API bodies, demo files, Redis): the schema first, then
 * the rules beyond it. Each `parseX` returns the value (normalised where the model has a canonical
 * form) or throws {@link PolicyDataInvalidError} listing every problem.
 */

function schemaProblems<S extends TSchema>(schema: S, value: unknown): PolicyProblem[] {
  return [...Value.Errors(schema, value)].map((e) => ({ path: e.path, message: e.message }));
}

function check<S extends TSchema>(entity: string, schema: S, value: unknown): Static<S> {
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) throw new PolicyDataInvalidError(entity, problems);
  return value as Static<S>;
}

/** @throws {@link PolicyDataInvalidError} */
export function parseSla(value: unknown, precedenceMap: PrecedenceMap = DEFAULT_PRECEDENCE_MAP): Sla {
  const sla = check('SLA', SlaSchema, value);
  const problems = checkSla(sla, precedenceMap);
  if (problems.length > 0) throw new PolicyDataInvalidError('SLA', problems);
  return sla;
}

/** @throws {@link PolicyDataInvalidError} */
export function parseCustomer(value: unknown): Customer {
  const customer = check('customer', CustomerSchema, value);
  const problems = checkCustomer(customer);
  if (problems.length > 0) throw new PolicyDataInvalidError('customer', problems);
  return customer;
}

/** The VPN with canonical VPN-ID, RD and route targets. @throws {@link PolicyDataInvalidError} */
export function parseVpn(value: unknown): Vpn {
  const { vpn, problems } = normalizeVpn(check('VPN', VpnSchema, value));
  if (problems.length > 0) throw new PolicyDataInvalidError('VPN', problems);
  return vpn;
}

/** @throws {@link PolicyDataInvalidError} */
export function parseApplication(value: unknown): Application {
  return check('application', ApplicationSchema, value);
}
