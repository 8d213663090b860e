import { Type, type Static } from '@sinclair/typebox';

import { IdSchema, NodeIdSchema, USERNAME_PATTERN } from './identifiers.js';

/**
 * H(A1) = H(username ":" realm ":" password) per hash function (RFC 7616 §3.4.2, RFC 8760), in hex.
 * The password itself is never stored.
 */
export const Ha1SetSchema = Type.Object(
  {
    MD5: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    'SHA-256': Type.String({ pattern: '^[0-9a-f]{64}$' }),
    'SHA-512-256': Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);

/** Stored H(A1) values of an application. */
export type Ha1Set = Static<typeof Ha1SetSchema>;

/** Hash functions an H(A1) can be asked for. */
export type Ha1Algorithm = keyof Ha1Set;

/** The fields of an application everyone may see (no digest material). */
const applicationViewFields = {
  /** The SIP user name it authenticates as (`primary-dc`). */
  name: Type.String({ pattern: USERNAME_PATTERN }),
  customerId: IdSchema,
  /** The digest realm its H(A1) values were computed for (`svpn.example.net`). */
  realm: Type.String({ minLength: 1, maxLength: 253 }),
  /** Its home customer edge; it must be one of the customer's sites. */
  ce: NodeIdSchema,
  /** Canonical VPN-IDs it may register on and request capacity in. */
  vpns: Type.Array(Type.String({ pattern: '^[0-9a-f]{6}:[0-9a-f]{8}$' }), {
    maxItems: 256,
    uniqueItems: true,
  }),
  /** A disabled application is refused (403) even with the right password. */
  enabled: Type.Boolean(),
  description: Type.Optional(Type.String({ maxLength: 200 })),
};

/** TypeBox schema of an application as the admin API shows it (never any digest material). */
export const ApplicationViewSchema = Type.Object(applicationViewFields, { additionalProperties: false });

/** An application without its digest material. */
export type ApplicationView = Static<typeof ApplicationViewSchema>;

/** TypeBox schema of an application as stored: the view plus its H(A1) values. */
export const ApplicationSchema = Type.Object(
  { ...applicationViewFields, ha1: Ha1SetSchema },
  { additionalProperties: false },
);

/**
 * An enterprise application (a SIP user agent's identity): seed 001's "application", authenticated by
 * digest, member of some VPNs, attached at a CE.
 */
export type Application = Static<typeof ApplicationSchema>;

/** The application without its H(A1) values. */
export function applicationView(application: Application): ApplicationView {
  const { ha1: _ha1, ...view } = application;
  return view;
}
