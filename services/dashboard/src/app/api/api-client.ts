/**
 * The dashboard's access to the operator API: every request carries the operator key as a bearer
 * token, answers are JSON, and failures become {@link DashboardApiError}s carrying the server's
 * RFC 9457 problem document. `fetch` is injected so the client is testable without a server.
 */
import { DashboardApiError, errorFor, type ProblemDetails } from './api-error.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The operator API key (sent as `Authorization: Bearer <key>`). */
  apiKey: string;
  /** Prefix of every path, e.g. `http://127.0.0.1:8085`. @defaultValue '' (same origin) */
  baseUrl?: string;
  /** @defaultValue globalThis.fetch */
  fetch?: FetchLike;
}

export type Query = Record<string, string | number | undefined>;

/** `/v1/charges` + `{ customer: 'acme' }` → `/v1/charges?customer=acme` (undefined values left out). */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

async function problemOf(response: Response): Promise<ProblemDetails | undefined> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return undefined;
  try {
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null ? (body as ProblemDetails) : undefined;
  } catch {
    return undefined;
  }
}

export class ApiClient {
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #fetch: FetchLike;

  constructor(options: ApiClientOptions) {
    this.#apiKey = options.apiKey;
    this.#baseUrl = options.baseUrl ?? '';
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Headers every request carries. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.#apiKey}`, ...extra };
  }

  /** The raw response of a request (already checked for success). */
  async request(
    method: string,
    path: string,
    options: {
      query?: Query;
      body?: unknown;
      accept?: string;
      signal?: AbortSignal;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const url = this.#baseUrl + withQuery(path, options.query);
    const init: RequestInit = {
      method,
      headers: this.headers({
        accept: options.accept ?? 'application/json, application/problem+json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new DashboardApiError(
        'SVPN_DASHBOARD_NETWORK',
        0,
        `${method} ${path}: the API cannot be reached`,
        undefined,
        { cause: error },
      );
    }
    if (!response.ok) throw errorFor(response.status, await problemOf(response), `${method} ${path}`);
    return response;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const response = await this.request('GET', path, query === undefined ? {} : { query });
    return (await response.json()) as T;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    const response = await this.request('PUT', path, { body });
    return (await response.json()) as T;
  }

  /** POST; resolves with the JSON answer, or undefined for an empty one (202/204). */
  async post<T>(path: string, body?: unknown): Promise<T | undefined> {
    const response = await this.request('POST', path, body === undefined ? {} : { body });
    const text = await response.text();
    return text === '' ? undefined : (JSON.parse(text) as T);
  }

  /** A text download (CSV), with its suggested file name from Content-Disposition. */
  async download(path: string, query?: Query): Promise<{ text: string; fileName: string | undefined }> {
    const response = await this.request('GET', path, {
      accept: 'text/csv, */*',
      ...(query === undefined ? {} : { query }),
    });
    const disposition = response.headers.get('content-disposition') ?? '';
    const match = /filename="?([^";]+)"?/i.exec(disposition);
    return { text: await response.text(), fileName: match?.[1] };
  }
}
