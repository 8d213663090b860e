/**
 * The admission leader's ledger over HTTP (the gateway's `/v1/admissions`, DESIGN §5: one writer,
 * any number of clients). The API books a connection here under the session id the gateway will
 * derive for its SIP call, so the INVITE finds the booking in place (the engine's admit is
 * idempotent per session id) and nothing is counted twice.
 */
import { SvpnError } from '@svpn/errors';
import type { AdmissionRequest, AdmissionResult } from '@svpn/sip-gateway-service';
import type { AdmissionPort } from '../ports.js';

export class AdmissionUnavailableError extends SvpnError<'SVPN_API_ADMISSION_UNAVAILABLE'> {
  constructor(message: string) {
    super('SVPN_API_ADMISSION_UNAVAILABLE', message);
  }
}

export class HttpAdmissionPort implements AdmissionPort {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  admit(request: AdmissionRequest): Promise<AdmissionResult> {
    return this.call('POST', '/v1/admissions', {
      ...request,
      end: Number.isFinite(request.end) ? request.end : null,
    });
  }

  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult> {
    return this.call('POST', `/v1/admissions/${encodeURIComponent(sessionId)}/resize`, { bandwidthBps });
  }

  release(sessionId: string): Promise<unknown> {
    return this.call('DELETE', `/v1/admissions/${encodeURIComponent(sessionId)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AdmissionUnavailableError(`admission leader unreachable: ${(error as Error).message}`);
    }
    if (!response.ok)
      throw new AdmissionUnavailableError(
        `admission leader answered ${response.status} to ${method} ${path}`,
      );
    return (await response.json()) as T;
  }
}
