import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of `@svpn/policy`. A refused request is not an error — `decide` returns a refusal;
 * these are for policy data and configuration that break the model's rules.
 */

/** Stable error codes of this package. */
export type PolicyErrorCode = 'POLICY_DATA_INVALID' | 'POLICY_CONFIG_INVALID';

/** Base of every error thrown by `@svpn/policy`. */
export class PolicyError extends SvpnError<PolicyErrorCode> {}

/** One rule a piece of policy data breaks: a JSON-pointer-like path and what is wrong there. */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Policy data (a customer, application, VPN or SLA) that breaks a rule of the model: a VPN-ID that is
 * not RFC 2685 `OUI:index`, an RD that is not RFC 4364 `administrator:assigned`, an unknown service
 * class, a time zone the runtime does not know, … Every problem found is listed.
 */
export class PolicyDataInvalidError extends PolicyError {
  constructor(
    readonly entity: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    super(
      'POLICY_DATA_INVALID',
      `invalid ${entity}: ${problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`,
    );
  }
}

/** Options given to `decide` (class-type map, precedence map, DSCP options) that are inconsistent. */
export class PolicyConfigInvalidError extends PolicyError {
  constructor(message: string) {
    super('POLICY_CONFIG_INVALID', message);
  }
}
