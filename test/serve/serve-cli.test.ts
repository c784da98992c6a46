/**
 * `poli serve` as a real process (issue 21): it prints one line with the URL, the URL works (its token too), a
 * request without the token is refused, and Ctrl+C closes it (exit 130). A port in use is a clear error, exit 1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, startPoli, type PoliWorld } from '../helpers/poli-process.ts';

let world: PoliWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const URL_LINE = /^poli: dashboard at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43}))\n$/;

describe('poli serve', () => {
  it('prints the URL to open, answers with its token, refuses without it, and stops on Ctrl+C', async () => {
    const run = startPoli(['serve', '--port', '0', ...world.flags]);
    await run.waitFor('dashboard at');
    const [, url = '', port = '', token = ''] = URL_LINE.exec(run.stdout()) ?? [];
    expect(run.stdout()).toMatch(URL_LINE);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toBe(`poli_token_${port}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    const tasks = await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(await tasks.json()).toEqual({ tasks: [] });
    expect((await fetch(`http://127.0.0.1:${port}/api/tasks`)).status).toBe(401);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('poli: stopped; the dashboard is closed');
    expect(run.stdout()).toMatch(URL_LINE);
  });

  it('says so when the port is in use, and exits 1', async () => {
    const first = startPoli(['serve', '--port', '0', ...world.flags]);
    await first.waitFor('dashboard at');
    const port = URL_LINE.exec(first.stdout())?.[2] ?? '';
    const second = startPoli(['serve', '--port', port, ...world.flags]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`poli: port ${port} on 127.0.0.1 is in use (another poli serve, or another program); pick another with --port`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(130);
  });
});
