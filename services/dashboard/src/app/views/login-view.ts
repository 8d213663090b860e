/**
 * Log in with an operator API key: the key is checked with `GET /v1/me` (it must carry the
 * `operator` scope) and kept in sessionStorage, so it lives as long as the tab and no longer.
 */
import { ApiClient, type FetchLike } from '../api/api-client.js';
import { DashboardApiError } from '../api/api-error.js';
import type { ApiKeyInfo } from '../api/operator-types.js';
import { h, replaceChildren } from '../dom/h.js';

export const API_KEY_STORAGE = 'svpn.operatorKey';

export interface LoginOptions {
  baseUrl: string;
  fetch?: FetchLike;
  onLogin(client: ApiClient, me: ApiKeyInfo): void;
  /** A message to show above the form (e.g. why the last session ended). */
  notice?: string;
}

/** Checks a key; resolves with the key's description, or throws a message for the operator. */
export async function checkOperatorKey(client: ApiClient): Promise<ApiKeyInfo> {
  let me: ApiKeyInfo;
  try {
    me = await client.get<ApiKeyInfo>('/v1/me');
  } catch (error) {
    if (error instanceof DashboardApiError && error.code === 'SVPN_DASHBOARD_UNAUTHORIZED')
      throw new Error('The API refused this key. Check it and try again.', { cause: error });
    if (error instanceof DashboardApiError && error.code === 'SVPN_DASHBOARD_NETWORK')
      throw new Error('The API cannot be reached. Is svpn running?', { cause: error });
    throw error;
  }
  if (!me.scopes.includes('operator'))
    throw new Error(`The key "${me.name}" has no operator scope: the dashboard needs an operator key.`);
  return me;
}

export function loginView(options: LoginOptions): HTMLElement {
  const input = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'api-key-hint login-error',
  });
  const error = h('p', { id: 'login-error', class: 'field-error', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    {
      class: 'login',
      'aria-labelledby': 'login-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const key = input.value.trim();
        replaceChildren(error);
        if (key === '') {
          replaceChildren(error, 'Enter an operator API key.');
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        button.disabled = true;
        const client = new ApiClient({
          apiKey: key,
          baseUrl: options.baseUrl,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        try {
          const me = await checkOperatorKey(client);
          sessionStorage.setItem(API_KEY_STORAGE, key);
          options.onLogin(client, me);
        } catch (e) {
          replaceChildren(error, e instanceof Error ? e.message : String(e));
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', { id: 'login-title' }, 'svpn operator'),
    options.notice ? h('p', { class: 'notice', role: 'status' }, options.notice) : null,
    h('label', { for: 'api-key' }, 'Operator API key'),
    input,
    h(
      'small',
      { id: 'api-key-hint', class: 'hint' },
      'svpn_<key id>_<secret>; `svpn up` prints a demo operator key. The key stays in this tab only.',
    ),
    error,
    button,
  );
  queueMicrotask(() => input.focus());
  return h('main', { class: 'login-page', id: 'main' }, form);
}
