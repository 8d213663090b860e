import { ResourcePriorityInvalidError } from '../errors.js';

/**
 * The SIP `Resource-Priority` header (RFC 4412): a comma-separated list of `namespace.priority` values,
 * case-insensitive (RFC 4412 §3.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc4412
 */

/** One `namespace.r-priority` value, lower-cased. */
export interface ResourcePriorityValue {
  readonly namespace: string;
  readonly priority: string;
}

/** How a namespace's precedence is meant to be honoured (RFC 4412 §12.6 "intended algorithm"). */
export type ResourcePriorityAlgorithm = 'preemption' | 'queue';

/** A registered namespace: its priority values from lowest to highest, and its algorithm. */
export interface ResourcePriorityNamespace {
  readonly namespace: string;
  /** Priority values, lowest first. */
  readonly values: readonly string[];
  readonly algorithm: ResourcePriorityAlgorithm;
}

/**
 * RFC 4412 §12.6 — the initial namespace registrations, lowest priority first. In q735, ets and wps
 * the value 0 is the highest.
 */
export const RFC4412_NAMESPACES: readonly ResourcePriorityNamespace[] = Object.freeze(
  [
    {
      namespace: 'dsn',
      values: ['routine', 'priority', 'immediate', 'flash', 'flash-override'],
      algorithm: 'preemption' as const,
    },
    {
      namespace: 'drsn',
      values: ['routine', 'priority', 'immediate', 'flash', 'flash-override', 'flash-override-override'],
      algorithm: 'preemption' as const,
    },
    { namespace: 'q735', values: ['4', '3', '2', '1', '0'], algorithm: 'preemption' as const },
    { namespace: 'ets', values: ['4', '3', '2', '1', '0'], algorithm: 'queue' as const },
    { namespace: 'wps', values: ['4', '3', '2', '1', '0'], algorithm: 'queue' as const },
  ].map((ns) => Object.freeze({ ...ns, values: Object.freeze(ns.values) })),
);

// RFC 4412 §3.1 — namespace and r-priority are 1*( alphanum / "-" / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" ).
const TOKEN = "[A-Za-z0-9\\-!%*_+`'~]+";
const VALUE_RE = new RegExp(`^(${TOKEN})\\.(${TOKEN})$`);

/** Parses one `namespace.priority` value. @throws {@link ResourcePriorityInvalidError} */
export function parseResourcePriorityValue(text: string): ResourcePriorityValue {
  const match = VALUE_RE.exec(text.trim());
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new ResourcePriorityInvalidError(text, `malformed Resource-Priority value "${text}"`);
  }
  // RFC 4412 §3.1 — namespaces and priority values are case-insensitive.
  return { namespace: match[1].toLowerCase(), priority: match[2].toLowerCase() };
}

/**
 * Parses a `Resource-Priority` header value (`"dsn.flash, wps.2"`) into its values, in order.
 * @throws {@link ResourcePriorityInvalidError} for an empty or malformed header
 */
export function parseResourcePriority(header: string): ResourcePriorityValue[] {
  const parts = header.split(',');
  if (header.trim() === '') throw new ResourcePriorityInvalidError(header, 'empty Resource-Priority header');
  return parts.map((part) => parseResourcePriorityValue(part));
}

/** Serialises one value: `dsn.flash`. */
export function formatResourcePriorityValue(value: ResourcePriorityValue): string {
  const text = `${value.namespace}.${value.priority}`;
  parseResourcePriorityValue(text);
  return text;
}

/** Serialises a header value: `dsn.flash, wps.2`. */
export function formatResourcePriority(values: readonly ResourcePriorityValue[]): string {
  return values.map(formatResourcePriorityValue).join(', ');
}
