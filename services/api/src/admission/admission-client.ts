/**
 * The admission leader's ledger over HTTP (the gateway's `/v1/admissions`, DESIGN §5: one writer,
 * any number of clients). The API books a connection here under the session id the gateway will
 * derive for its SIP call, so the INVITE finds the booking in place (the engine's admit is
 * idempotent per session id) and nothing is counted twice. The HTTP calls are the gateway's own
 * client's; this port only turns its failures into {@link AdmissionUnavailableError}.
 */
import { SvpnError } from '@svpn/errors';
import {
  AdmissionLeaderError,
  HttpAdmissionClient,
  type AdmissionRequest,
  type AdmissionResult,
} from '@svpn/sip-gateway-service';
import type { AdmissionPort } from '../ports.js';

export class AdmissionUnavailableError extends SvpnError<'SVPN_API_ADMISSION_UNAVAILABLE'> {
  constructor(message: string) {
    super('SVPN_API_ADMISSION_UNAVAILABLE', message);
  }
}

export class HttpAdmissionPort implements AdmissionPort {
  private readonly client: HttpAdmissionClient;

  constructor(baseUrl: string, timeoutMs = 5000) {
    this.client = new HttpAdmissionClient({ baseUrl, timeoutMs });
  }

  admit(request: AdmissionRequest): Promise<AdmissionResult> {
    return unavailableOnFailure(this.client.admit(request));
  }

  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult> {
    return unavailableOnFailure(this.client.resize(sessionId, bandwidthBps));
  }

  release(sessionId: string): Promise<unknown> {
    return unavailableOnFailure(this.client.release(sessionId));
  }

  holding(sessionId: string): Promise<{ bandwidthBps: number } | undefined> {
    return unavailableOnFailure(this.client.holding(sessionId));
  }
}

/** A refusal by the leader or a failed request becomes {@link AdmissionUnavailableError}. */
async function unavailableOnFailure<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AdmissionLeaderError) throw new AdmissionUnavailableError(error.message);
    // A 2xx whose body is not JSON is a bug on the leader, not an outage: it stays as it is.
    if (error instanceof SyntaxError) throw error;
    throw new AdmissionUnavailableError(`admission leader unreachable: ${(error as Error).message}`);
  }
}
