import { Type } from '@sinclair/typebox';

/**
 * Identifier shapes shared by the policy model. They keep ids safe in Redis keys, URLs, SIP user parts
 * and the simulated PEs (which refuse whitespace, `{`, `}` and `|`).
 */

/** Customer, SLA and charging-profile ids, VPN names: lower-case letters, digits, `.`, `_`, `-`. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';

/** SIP user names of applications (RFC 3261 `user` unreserved characters, no escapes). */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$';

/** CE and PE node ids and PE interface names (`CE1`, `PE4`, `ge-0/0/1.100`). */
export const NODE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$';

/** A lower-case id. */
export const IdSchema = Type.String({ pattern: ID_PATTERN });

/** A CE or PE id. */
export const NodeIdSchema = Type.String({ pattern: NODE_ID_PATTERN });
