/**
 * Who may talk to `poli serve` (issue 21, item 3): every request carries the token printed at start, comes to one of
 * the server's own host names (a DNS-rebinding page cannot reach it under its own name), and a mutating request or a
 * WebSocket upgrade from a browser comes from the server's own page. Pure checks over the request's method, URL and
 * headers; `authHook` wires them into Fastify as its first hook, so nothing (page, asset, API, WebSocket) answers
 * before them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The token's length in random bytes (base64url: 43 characters). */
const TOKEN_BYTES = 32;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The host names a server bound to the loopback answers to, whatever `--host` says. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** What the checks need to know of the running server; `port` is read per request (`--port 0` learns it on listen). */
export interface AuthSite {
  token: string;
  /** The `--host` given (127.0.0.1, ::1, localhost, a LAN address…). */
  host: string;
  port: number;
  /**
   * Bound to every address (`--host 0.0.0.0` or `::`): the machine's own addresses and name, which another machine
   * puts in its Host header. Without them such a server would refuse everyone but this machine.
   */
  names?: readonly string[];
}

/** The parts of a request the checks look at. */
export interface AuthRequest {
  method: string;
  /** Path and query, as in the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A refusal: the status and the JSON body `{ error, message }`. */
export interface Refusal {
  status: 401 | 403;
  error: 'unauthorized' | 'forbidden-host' | 'forbidden-origin';
  message: string;
}

/** Let through; `setCookie` when the token came in the page's address (`/?token=`): later requests carry the cookie. */
export interface Admission {
  setCookie: boolean;
}

/** A new token: 32 random bytes, base64url; new per start, never written anywhere but the printed URL. */
export function newToken(random: (size: number) => Buffer = randomBytes): string {
  return random(TOKEN_BYTES).toString('base64url');
}

/** The cookie that carries the token, one per port so two servers on one machine do not overwrite each other's. */
export function cookieName(port: number): string {
  return `poli_token_${port}`;
}

/** The `Set-Cookie` value for the page's first load. */
export function tokenCookie(site: AuthSite): string {
  return `${cookieName(site.port)}=${site.token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** `host:port` as a Host header names it (an IPv6 address in brackets). */
function hostWithPort(host: string, port: number): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${name}:${port}`.toLowerCase();
}

/** The Host header values the server answers to: the loopback names, `--host` and its `names`, each with the port. */
export function allowedHosts(site: AuthSite): Set<string> {
  return new Set([...LOOPBACK_NAMES, site.host, ...(site.names ?? [])].map((h) => hostWithPort(h, site.port)));
}

/** Whether `host` binds every address of the machine rather than one. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** True when `given` is the token; constant time, so the answer's timing says nothing of how much matched. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer`, then `?token=`, then the port's cookie. */
export function tokenFrom(request: AuthRequest, port: number): { token: string; from: 'header' | 'query' | 'cookie' } | undefined {
  const auth = header(request, 'authorization');
  const bearer = auth === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
  if (bearer !== undefined) return { token: bearer, from: 'header' };
  const query = new URL(request.url, 'http://x').searchParams.get('token');
  if (query !== null) return { token: query, from: 'query' };
  const cookie = parseCookies(header(request, 'cookie') ?? '').get(cookieName(port));
  return cookie === undefined ? undefined : { token: cookie, from: 'cookie' };
}

/**
 * Decides one request: a refusal, or an admission. The Host comes first (a rebinding page learns nothing, not even
 * whether a token is wanted), then the token, then the Origin of what changes something.
 */
export function checkRequest(request: AuthRequest, site: AuthSite): Refusal | Admission {
  const host = (header(request, 'host') ?? '').toLowerCase();
  const hosts = allowedHosts(site);
  if (!hosts.has(host)) {
    return { status: 403, error: 'forbidden-host', message: `this server answers only to ${[...hosts].join(', ')} (the Host header was ${JSON.stringify(host)})` };
  }
  const given = tokenFrom(request, site.port);
  if (!tokenMatches(site.token, given?.token)) {
    return {
      status: 401,
      error: 'unauthorized',
      message: given === undefined
        ? 'a token is needed: open the URL poli serve printed (…/?token=…), or send Authorization: Bearer <token>'
        : 'wrong token: each start of poli serve prints a new one; use the URL it printed last',
    };
  }
  const upgrade = (header(request, 'upgrade') ?? '').toLowerCase() === 'websocket';
  const origin = header(request, 'origin');
  if ((MUTATING.has(request.method.toUpperCase()) || upgrade) && origin !== undefined && !originAllowed(origin, hosts)) {
    return { status: 403, error: 'forbidden-origin', message: `requests that change something come from this server's own page, not from ${origin}` };
  }
  return { setCookie: given?.from === 'query' && request.method.toUpperCase() === 'GET' && isPagePath(request.url) };
}

/** An Origin is the server's own when it is `http://` and one of the allowed hosts. */
function originAllowed(origin: string, hosts: ReadonlySet<string>): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && hosts.has(url.host.toLowerCase()) && origin.replace(/\/$/, '') === url.origin;
}

function isPagePath(url: string): boolean {
  const pathname = new URL(url, 'http://x').pathname;
  return pathname === '/' || pathname === '/index.html';
}

function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `a=1; b=2` → a map; a malformed pair is skipped. */
export function parseCookies(text: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    const name = at < 0 ? '' : part.slice(0, at).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/** The headers every answer carries: no referrer (the token may be in the address), no framing, no caching. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** The page's Content-Security-Policy; xterm sets inline styles, so style-src allows them. */
export const PAGE_CSP = "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** The Fastify `onRequest` hook: the security headers on every answer, then `checkRequest`. */
export function authHook(site: () => AuthSite) {
  // Fastify's rule for an async hook that answers early: send, then return the reply.
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    reply.headers(SECURITY_HEADERS);
    const current = site();
    const verdict = checkRequest({ method: request.method, url: request.url, headers: request.headers }, current);
    if ('status' in verdict) return reply.code(verdict.status).send({ error: verdict.error, message: verdict.message });
    if (verdict.setCookie) reply.header('set-cookie', tokenCookie(current));
    return undefined;
  };
}
