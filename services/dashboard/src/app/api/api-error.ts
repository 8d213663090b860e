import { SvpnError } from '@svpn/errors';

/** An RFC 9457 problem document, as far as the dashboard reads it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** svpn's stable error code (NSI-style codes for connections). */
  code?: string;
  [extension: string]: unknown;
}

export type DashboardErrorCode =
  | 'SVPN_DASHBOARD_UNAUTHORIZED'
  | 'SVPN_DASHBOARD_FORBIDDEN'
  | 'SVPN_DASHBOARD_HTTP'
  | 'SVPN_DASHBOARD_NETWORK';

/** A request to the operator API that did not succeed; `problem` is the server's explanation. */
export class DashboardApiError extends SvpnError<DashboardErrorCode> {
  readonly status: number;
  readonly problem: ProblemDetails | undefined;

  constructor(
    code: DashboardErrorCode,
    status: number,
    message: string,
    problem?: ProblemDetails,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.status = status;
    this.problem = problem;
  }
}

/** The error for an HTTP status, from the problem document when the server sent one. */
export function errorFor(
  status: number,
  problem: ProblemDetails | undefined,
  what: string,
): DashboardApiError {
  const text = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
  // RFC 9110 §15.5.2 — 401: no valid credentials (the key is wrong or gone); §15.5.4 — 403: not allowed.
  if (status === 401)
    return new DashboardApiError('SVPN_DASHBOARD_UNAUTHORIZED', status, `${what}: ${text}`, problem);
  if (status === 403)
    return new DashboardApiError('SVPN_DASHBOARD_FORBIDDEN', status, `${what}: ${text}`, problem);
  return new DashboardApiError('SVPN_DASHBOARD_HTTP', status, `${what}: ${text}`, problem);
}
