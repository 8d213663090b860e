/**
 * `@svpn/policy` — the policy domain as plain data and pure functions: customers, applications, VPNs
 * and SLAs (TypeBox schemas with their static types and the rules beyond the schemas), RFC 2685 VPN-IDs,
 * RFC 4364 RDs and route targets, SLA time windows, and `decide` — the decision for one session request
 * (AAA, SLA, quota, precedence entitlement, DSCP, class type). No I/O: the policy service loads the facts.
 */
export * from './errors.js';
export * from './model/identifiers.js';
export * from './model/vpn-id.js';
export * from './model/route-distinguisher.js';
export * from './model/time-window.js';
export * from './model/sla.js';
export * from './model/customer.js';
export * from './model/vpn.js';
export * from './model/application.js';
export * from './decision/decision.js';
export * from './decision/class-type.js';
export * from './decision/warning.js';
export * from './decision/decide.js';
export * from './model/parse-policy-data.js';
