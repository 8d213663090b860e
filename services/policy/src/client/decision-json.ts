import type { Decision } from '@svpn/policy';

import type { DecisionJson } from '../schemas.js';

/** A decision as JSON: the grant's `start` as RFC 3339 text. */
export function decisionToJson(decision: Decision): DecisionJson {
  return decision.allow ? { ...decision, start: decision.start.toISOString() } : decision;
}

/** A decision read back from JSON. */
export function decisionFromJson(json: DecisionJson): Decision {
  return json.allow ? { ...json, start: new Date(json.start) } : json;
}
