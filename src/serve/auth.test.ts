import { describe, expect, it } from 'vitest';
import { allowedHosts, checkRequest, cookieName, isWildcardHost, newToken, parseCookies, tokenCookie, tokenFrom, tokenMatches, type AuthRequest, type AuthSite } from './auth.ts';

const TOKEN = 'A'.repeat(43);
const site: AuthSite = { token: TOKEN, host: '127.0.0.1', port: 7777 };

function request(over: Partial<AuthRequest> & { headers?: AuthRequest['headers'] } = {}): AuthRequest {
  return { method: 'GET', url: '/api/tasks', ...over, headers: { host: '127.0.0.1:7777', ...over.headers } };
}

describe('newToken', () => {
  it('is 32 random bytes in base64url', () => {
    expect(newToken(() => Buffer.alloc(32, 0xff))).toBe('_'.repeat(42) + '8');
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(newToken());
  });
});

describe('tokenMatches', () => {
  it('takes only the exact token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, undefined)).toBe(false);
    expect(tokenMatches(TOKEN, '')).toBe(false);
    expect(tokenMatches(TOKEN, `${TOKEN}A`)).toBe(false);
    expect(tokenMatches(TOKEN, 'B'.repeat(43))).toBe(false);
  });
});

describe('tokenFrom', () => {
  it('reads the bearer header first, then the query, then the port\'s cookie', () => {
    expect(tokenFrom(request({ headers: { authorization: 'Bearer h', cookie: `${cookieName(7777)}=c` }, url: '/?token=q' }), 7777)).toEqual({ token: 'h', from: 'header' });
    expect(tokenFrom(request({ headers: { cookie: `${cookieName(7777)}=c` }, url: '/?token=q' }), 7777)).toEqual({ token: 'q', from: 'query' });
    expect(tokenFrom(request({ headers: { cookie: `other=1; ${cookieName(7777)}=c` } }), 7777)).toEqual({ token: 'c', from: 'cookie' });
    expect(tokenFrom(request({ headers: { cookie: `${cookieName(8888)}=c` } }), 7777)).toBeUndefined();
    expect(tokenFrom(request({ headers: { authorization: 'Basic xyz' } }), 7777)).toBeUndefined();
  });
});

describe('allowedHosts', () => {
  it('names the loopback addresses and --host, with the port', () => {
    expect([...allowedHosts(site)]).toEqual(['127.0.0.1:7777', 'localhost:7777', '[::1]:7777']);
    expect([...allowedHosts({ ...site, host: '192.168.1.5' })]).toContain('192.168.1.5:7777');
    expect([...allowedHosts({ ...site, host: 'fe80::1' })]).toContain('[fe80::1]:7777');
  });

  it('bound to every address, also answers to the machine\'s own addresses and name, and to no other', () => {
    const everywhere: AuthSite = { ...site, host: '0.0.0.0', names: ['192.168.1.5', 'fe80::1', 'devbox'] };
    const hostOf = (host: string) => checkRequest({ method: 'GET', url: '/api/tasks', headers: { host, authorization: `Bearer ${TOKEN}` } }, everywhere);
    for (const host of ['192.168.1.5:7777', '[fe80::1]:7777', 'devbox:7777', '127.0.0.1:7777']) expect(hostOf(host)).toEqual({ setCookie: false });
    expect(hostOf('evil.example:7777')).toMatchObject({ status: 403, error: 'forbidden-host' });
    expect(isWildcardHost('0.0.0.0') && isWildcardHost('::') && !isWildcardHost('192.168.1.5')).toBe(true);
  });
});

describe('checkRequest', () => {
  const ok = { headers: { authorization: `Bearer ${TOKEN}` } };

  it('lets a request with the token in, from any of the three places', () => {
    expect(checkRequest(request(ok), site)).toEqual({ setCookie: false });
    expect(checkRequest(request({ headers: { cookie: `${cookieName(7777)}=${TOKEN}` } }), site)).toEqual({ setCookie: false });
    expect(checkRequest(request({ url: `/api/tasks?token=${TOKEN}` }), site)).toEqual({ setCookie: false });
  });

  it('sets the cookie when the page is opened with ?token=', () => {
    expect(checkRequest(request({ url: `/?token=${TOKEN}` }), site)).toEqual({ setCookie: true });
    expect(tokenCookie(site)).toBe(`poli_token_7777=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`);
  });

  it('refuses a missing or wrong token with 401', () => {
    expect(checkRequest(request(), site)).toMatchObject({ status: 401, error: 'unauthorized', message: expect.stringContaining('a token is needed') });
    expect(checkRequest(request({ headers: { authorization: 'Bearer nope' } }), site)).toMatchObject({ status: 401, error: 'unauthorized', message: expect.stringContaining('wrong token') });
  });

  it('refuses a Host that is not the server\'s own with 403, token or not (DNS rebinding)', () => {
    for (const host of ['evil.example:7777', '127.0.0.1:7778', '127.0.0.1', '']) {
      expect(checkRequest(request({ headers: { ...ok.headers, host } }), site)).toMatchObject({ status: 403, error: 'forbidden-host' });
    }
    expect(checkRequest(request({ headers: { ...ok.headers, host: 'LOCALHOST:7777' } }), site)).toEqual({ setCookie: false });
  });

  it('refuses a foreign Origin on a mutating request and on a WebSocket upgrade with 403', () => {
    const evil = { ...ok.headers, origin: 'http://evil.example' };
    expect(checkRequest(request({ method: 'POST', headers: evil }), site)).toMatchObject({ status: 403, error: 'forbidden-origin' });
    expect(checkRequest(request({ method: 'DELETE', headers: { ...ok.headers, origin: 'http://127.0.0.1:7778' } }), site)).toMatchObject({ status: 403 });
    expect(checkRequest(request({ method: 'POST', headers: { ...ok.headers, origin: 'https://127.0.0.1:7777' } }), site)).toMatchObject({ status: 403 });
    expect(checkRequest(request({ method: 'POST', headers: { ...ok.headers, origin: 'null' } }), site)).toMatchObject({ status: 403 });
    expect(checkRequest(request({ headers: { ...evil, upgrade: 'websocket' } }), site)).toMatchObject({ status: 403, error: 'forbidden-origin' });
  });

  it('lets a mutating request without Origin (curl) or from its own page in; a GET may come from anywhere', () => {
    expect(checkRequest(request({ method: 'POST', headers: ok.headers }), site)).toEqual({ setCookie: false });
    expect(checkRequest(request({ method: 'POST', headers: { ...ok.headers, origin: 'http://127.0.0.1:7777' } }), site)).toEqual({ setCookie: false });
    expect(checkRequest(request({ method: 'POST', headers: { ...ok.headers, origin: 'http://localhost:7777' } }), site)).toEqual({ setCookie: false });
    expect(checkRequest(request({ headers: { ...ok.headers, origin: 'http://evil.example' } }), site)).toEqual({ setCookie: false });
  });
});

describe('parseCookies', () => {
  it('keeps the first of each name and skips malformed pairs', () => {
    expect([...parseCookies('a=1; b = 2 ;junk; a=3; =x')]).toEqual([['a', '1'], ['b', '2']]);
  });
});
