/**
 * An {@link AdmissionPort} for a gateway that does not hold the admission leader lease: every
 * change goes to the leader's `/v1/admissions` API (DESIGN §5 — gateways share one consistent
 * ledger without a global lock). Network failures surface as thrown errors, so the call controller
 * refuses the INVITE with 503 and rolls back what it took.
 */
import type { AdmissionPort, AdmissionResult } from '../ports.js';
import type { Holding, ScheduledAdmissionRequest } from './admission-engine.js';
import { SvpnError } from '@svpn/errors';

export class AdmissionLeaderError extends SvpnError<'SVPN_GW_ADMISSION_LEADER'> {
  constructor(message: string) {
    super('SVPN_GW_ADMISSION_LEADER', message);
  }
}

export interface HttpAdmissionClientOptions {
  /** The leader gateway's HTTP base, e.g. `http://127.0.0.1:8081`. */
  baseUrl: string;
  /** @defaultValue 5000 */
  timeoutMs?: number;
}

export class HttpAdmissionClient implements AdmissionPort {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(options: HttpAdmissionClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Every field goes to the leader, `scheduled` included (the API's bookings). */
  admit(request: ScheduledAdmissionRequest): Promise<AdmissionResult> {
    return this.call('POST', '/v1/admissions', {
      ...request,
      end: Number.isFinite(request.end) ? request.end : null,
    });
  }

  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult> {
    return this.call('POST', `/v1/admissions/${encodeURIComponent(sessionId)}/resize`, { bandwidthBps });
  }

  move(sessionId: string, ingressPe: string, egressPe: string): Promise<AdmissionResult> {
    return this.call('POST', `/v1/admissions/${encodeURIComponent(sessionId)}/move`, {
      ingressPe,
      egressPe,
    });
  }

  async release(sessionId: string): Promise<{ lspId: string; lspBandwidthBps: number } | undefined> {
    const body = await this.call<{ released: { lspId: string; lspBandwidthBps: number } | null }>(
      'DELETE',
      `/v1/admissions/${encodeURIComponent(sessionId)}`,
    );
    return body.released ?? undefined;
  }

  /** What the session holds at the leader now; undefined when nothing (404). */
  async holding(sessionId: string): Promise<Holding | undefined> {
    const path = `/v1/admissions/${encodeURIComponent(sessionId)}`;
    const response = await fetch(this.base + path, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new AdmissionLeaderError(`admission leader answered ${response.status} to GET ${path}`);
    }
    return (await response.json()) as Holding;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.base + path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) {
      throw new AdmissionLeaderError(`admission leader answered ${response.status} to ${method} ${path}`);
    }
    return (await response.json()) as T;
  }
}
