/**
 * NSI-style errors of the connection service (OGF NSI CS 2.0 error identifiers, carried in the
 * RFC 9457 problem+json `nsiErrorId` / `code` and in the SOAP fault's detail).
 */
import { HttpProblem } from '@svpn/service-kit';

/** Every NSI-style code the API returns, with its NSI error id and HTTP status. */
export const NSI_ERRORS = {
  PAYLOAD_ERROR: { id: '00100', status: 400, title: 'Illegal message payload' },
  MISSING_PARAMETER: { id: '00101', status: 400, title: 'Invalid or missing parameter' },
  UNSUPPORTED_PARAMETER: { id: '00102', status: 400, title: 'Unsupported parameter' },
  INVALID_TRANSITION: { id: '00201', status: 409, title: 'Invalid state transition' },
  CONNECTION_NONEXISTENT: { id: '00203', status: 404, title: 'Connection does not exist' },
  CONNECTION_GONE: { id: '00204', status: 410, title: 'Connection is terminated' },
  SECURITY_ERROR: { id: '00300', status: 401, title: 'Authentication required' },
  UNAUTHORIZED: { id: '00302', status: 403, title: 'Not authorized' },
  UNKNOWN_STP: { id: '00401', status: 422, title: 'Unknown endpoint' },
  NO_PATH_FOUND: { id: '00403', status: 422, title: 'No path found' },
  INTERNAL_ERROR: { id: '00500', status: 500, title: 'Internal error' },
  RESOURCE_UNAVAILABLE: { id: '00600', status: 409, title: 'Resource unavailable' },
  CAPACITY_UNAVAILABLE: { id: '00602', status: 409, title: 'Capacity unavailable' },
  SERVICE_ERROR: { id: '00700', status: 502, title: 'Service error' },
} as const;

export type NsiErrorCode = keyof typeof NSI_ERRORS;

/**
 * A refusal of the connection service, with its NSI code: an RFC 9457 problem (`code` is the NSI
 * code, `nsiErrorId` its number) over REST, a `soap:Fault` over SOAP.
 */
export class NsiError extends HttpProblem {
  readonly nsiCode: NsiErrorCode;
  readonly nsiErrorId: string;

  constructor(
    nsiCode: NsiErrorCode,
    detail: string,
    readonly connectionId?: string,
  ) {
    super(NSI_ERRORS[nsiCode].status, nsiCode, NSI_ERRORS[nsiCode].title, detail, {
      nsiErrorId: NSI_ERRORS[nsiCode].id,
      ...(connectionId === undefined ? {} : { connectionId }),
    });
    this.nsiCode = nsiCode;
    this.nsiErrorId = NSI_ERRORS[nsiCode].id;
  }
}

/** An event the current state of one axis does not accept. */
export class InvalidTransitionError extends NsiError {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly event: string,
    connectionId?: string,
  ) {
    super('INVALID_TRANSITION', `${machine}: ${event} is not allowed in ${from}`, connectionId);
  }
}
