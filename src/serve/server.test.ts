import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, TEST_HOST_HEADER, TEST_TOKEN, type TestServer } from '../../test/helpers/serve-server.ts';
import { PAGE_CSP } from './auth.ts';
import { machineNames } from './server.ts';

let server: TestServer;
beforeEach(async () => {
  server = await createTestServer();
});
afterEach(async () => {
  await server.cleanup();
});

/** A WebSocket upgrade request: the status it is answered with (101: accepted). */
function upgrade(port: number, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      port,
      // A connection of its own: a refused upgrade's connection is closed after the answer.
      agent: false,
      path: url,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), ...headers },
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('error', reject);
    request.end();
  });
}

/** Each registered route with its parameters filled in. */
function everyRoute(): { method: string; url: string }[] {
  return server.routes.map((r) => ({
    method: r.method,
    url: r.url.replace(':id', 'T1').replace(':task', 'T1').replace(':role', 'planner').replace(':file', 'app.js'),
  }));
}

describe('poli serve: who may talk to it', () => {
  it('refuses every route without the token with 401, pages, assets, the API and the WebSocket path alike', async () => {
    const routes = everyRoute();
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/', '/app.js', '/vendor/app.js', '/api/tasks', '/api/tasks/T1/panes/planner/ws', '/api/events']));
    for (const route of routes) {
      const answer = await server.app.inject({ method: route.method as 'GET', url: route.url, headers: { host: TEST_HOST_HEADER } });
      expect(answer.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(answer.json()).toEqual({ error: 'unauthorized', message: expect.stringContaining('a token is needed') });
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const unknown = await server.app.inject({ url: '/api/nothing', headers: { host: TEST_HOST_HEADER } });
    expect(unknown.statusCode).toBe(401);
  });

  it('refuses a wrong token with 401', async () => {
    for (const headers of [{ authorization: 'Bearer wrong' }, { cookie: 'poli_token_7777=wrong' }]) {
      const answer = await server.app.inject({ url: '/api/tasks', headers: { host: TEST_HOST_HEADER, ...headers } });
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('wrong token') });
    }
    expect((await server.app.inject({ url: '/api/tasks?token=wrong', headers: { host: TEST_HOST_HEADER } })).statusCode).toBe(401);
  });

  it('takes the token from the Authorization header, the query or the port\'s cookie', async () => {
    const ways = [{ headers: { authorization: `Bearer ${TEST_TOKEN}` } }, { headers: { cookie: `poli_token_7777=${TEST_TOKEN}` } }, { query: `?token=${TEST_TOKEN}` }];
    for (const way of ways) {
      const answer = await server.app.inject({ url: `/api/tasks${way.query ?? ''}`, headers: { host: TEST_HOST_HEADER, ...way.headers } });
      expect(answer.statusCode, JSON.stringify(way)).toBe(200);
      expect(answer.json()).toEqual({ tasks: [] });
    }
  });

  it('sets the HttpOnly, SameSite=Strict cookie when the page is opened with ?token=, with the security headers and the CSP', async () => {
    const answer = await server.app.inject({ url: `/?token=${TEST_TOKEN}`, headers: { host: TEST_HOST_HEADER } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['set-cookie']).toBe(`poli_token_7777=${TEST_TOKEN}; HttpOnly; SameSite=Strict; Path=/`);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.headers).toMatchObject({
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'content-security-policy': PAGE_CSP,
    });
    const api = await server.app.inject({ url: `/api/tasks?token=${TEST_TOKEN}`, headers: { host: TEST_HOST_HEADER } });
    expect(api.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a Host that is not its own with 403, even with the token (DNS rebinding)', async () => {
    for (const host of ['evil.example:7777', 'evil.example', '127.0.0.1:8080']) {
      const answer = await server.app.inject({ url: '/api/tasks', headers: { ...server.headers, host } });
      expect(answer.statusCode, host).toBe(403);
      expect(answer.json()).toMatchObject({ error: 'forbidden-host' });
    }
    for (const host of ['localhost:7777', '[::1]:7777']) expect((await server.app.inject({ url: '/api/tasks', headers: { ...server.headers, host } })).statusCode).toBe(200);
  });

  it('refuses a POST from a foreign Origin with 403; its own Origin or none is fine', async () => {
    const post = (origin?: string) =>
      server.app.inject({ method: 'POST', url: '/api/tasks/T1/retry', headers: { ...server.headers, ...(origin ? { origin } : {}) } });
    const foreign = await post('http://evil.example');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ error: 'forbidden-origin', message: expect.stringContaining('http://evil.example') });
    expect((await post('http://127.0.0.1:7777')).statusCode).toBe(404);
    expect((await post()).statusCode).toBe(404);
  });

  it('refuses a WebSocket upgrade without the token, or from a foreign Origin, before it is accepted', async () => {
    await server.cleanup();
    server = await createTestServer({ port: 0 });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.app.server.address() as AddressInfo).port;
    server.site.port = port;
    const host = `127.0.0.1:${port}`;
    const url = '/api/tasks/T1/panes/planner/ws';
    expect(await upgrade(port, url, { host })).toBe(401);
    expect(await upgrade(port, url, { host, authorization: 'Bearer wrong' })).toBe(401);
    expect(await upgrade(port, url, { host, authorization: `Bearer ${TEST_TOKEN}`, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(port, url, { host: 'evil.example', authorization: `Bearer ${TEST_TOKEN}` })).toBe(403);
    expect(await upgrade(port, `${url}?token=${TEST_TOKEN}`, { host, origin: `http://${host}` })).toBe(101);
  });
});

describe('poli serve: the page', () => {
  it('serves web/ files and refuses what is not one', async () => {
    const page = await server.app.inject({ url: '/', headers: server.headers });
    expect(page.body).toContain('<title>poli</title>');
    for (const url of ['/nothing.js', '/..%2Fpackage.json', '/vendor/nothing.js', '/.env']) {
      const answer = await server.app.inject({ url, headers: server.headers });
      expect(answer.statusCode, url).toBe(404);
    }
  });

  it('serves the page from the web directory it is given', async () => {
    await server.cleanup();
    const web = path.join(server.stateDir, '..', 'web');
    server = await createTestServer({ webDir: web });
    await mkdir(web, { recursive: true });
    await writeFile(path.join(web, 'app.js'), 'export {};\n');
    const answer = await server.app.inject({ url: '/app.js', headers: server.headers });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/javascript/);
    expect(answer.body).toBe('export {};\n');
  });
});

describe('machineNames', () => {
  it('lists every interface address but the loopback, and the host name: what another machine puts in Host', () => {
    const lo = { address: '127.0.0.1', family: 'IPv4', internal: true } as const;
    const lan = { address: '192.168.1.5', family: 'IPv4', internal: false } as const;
    const link = { address: 'fe80::1%eth0', family: 'IPv6', internal: false } as const;
    const interfaces = { lo: [lo, { ...lo, address: '::1', family: 'IPv6' }], eth0: [lan, link] } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    expect(machineNames(interfaces, 'devbox')).toEqual(['192.168.1.5', 'fe80::1', 'devbox']);
  });
});
