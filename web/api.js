// poli's dashboard: the token and the API (poli serve; docs: GET /api/openapi.json).

const TOKEN_KEY = 'poli-token';

// ---- The token: from ?token= once, then from sessionStorage; the address bar loses it. ----

function takeToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    // The token must not stay in the address bar, the history, or a bookmark.
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** The token of this server start: the page has none when opened without ?token= (and no earlier one this tab). */
export const token = takeToken();

/** A URL of this server with the token in its query: EventSource and WebSocket cannot send headers. */
export function withToken(path, extra = {}) {
  const url = new URL(path, window.location.origin);
  if (token) url.searchParams.set('token', token);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url;
}

// ---- The API ----

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'network', `poli's server did not answer (${error.message}); is poli serve still running?`);
  }
  const text = await response.text();
  let json;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    let message = json && typeof json.message === 'string' ? json.message : `${response.status} ${response.statusText}`;
    if (response.status === 401) message = `${message} Open the URL poli printed (the one with ?token=…) again.`;
    throw new ApiError(response.status, json?.error ?? 'http', message);
  }
  return json ?? {};
}
