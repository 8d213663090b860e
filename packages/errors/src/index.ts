/**
 * The base of every error svpn throws on purpose: a stable machine-readable `code`
 * (`SVPN_…`, `SIP_…`, `TE_…`, …), the subclass name as `name`, and an optional `cause`.
 * Callers branch on `code` or `instanceof`; anything that is not an SvpnError is a bug.
 */
export class SvpnError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Whether a value is one of our typed errors (optionally with a given code). */
export function isSvpnError(value: unknown, code?: string): value is SvpnError {
  return value instanceof SvpnError && (code === undefined || value.code === code);
}
