/**
 * Forwards operator requests to the service that owns the data (policy admin, gateway sessions and
 * tunnels, charging): the API adds authentication, rate limits and the audit log, the owner keeps
 * validation and storage (one implementation of each admin rule).
 */
import { NsiError } from '../nsi/nsi-error.js';

export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: unknown;
}

export async function forward(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<UpstreamResponse> {
  let response: Response;
  try {
    response = await fetch(baseUrl.replace(/\/+$/, '') + pathAndQuery, {
      method,
      ...(body === undefined || method === 'GET' || method === 'DELETE'
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new NsiError('SERVICE_ERROR', `${baseUrl} is unreachable: ${(error as Error).message}`);
  }
  const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
  const text = await response.text();
  const json = contentType.includes('json');
  return {
    status: response.status,
    contentType,
    body: json && text !== '' ? (JSON.parse(text) as unknown) : text,
  };
}
