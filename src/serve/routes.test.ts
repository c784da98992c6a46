import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, TEST_TOKEN, type TestServer } from '../../test/helpers/serve-server.ts';
import { writePending } from '../human/approval-files.ts';
import { isProcessAlive } from '../state/lock.ts';
import { StateStore } from '../state/store.ts';
import type { PaneFeed, PaneStream } from './pane-types.ts';

/** The `ws` client (a dependency of @fastify/websocket; Node 20 has no WebSocket of its own): only what the test uses. */
interface WsClient {
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  send(data: string): void;
  terminate(): void;
}
const WebSocketClient = createRequire(import.meta.url)('ws') as new (url: string, options: { headers: Record<string, string> }) => WsClient;

let server: TestServer;
const NOW = Date.parse('2026-12-07T20:00:00.000Z');

beforeEach(async () => {
  server = await createTestServer({ clock: { now: () => NOW } });
});
afterEach(async () => {
  await server.cleanup();
});

function store(): StateStore {
  return new StateStore({ dir: server.stateDir, clock: { now: () => NOW }, pid: process.pid, isPidAlive: isProcessAlive });
}

function gitProject(dir: string): void {
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  execFileSync('sh', ['-c', `echo hi > ${JSON.stringify(path.join(dir, 'README'))}`]);
  git('add', '-A');
  git('-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-qm', 'init');
}

async function get(url: string) {
  return server.app.inject({ url, headers: server.headers });
}

async function post(url: string, body?: unknown) {
  return server.app.inject({ method: 'POST', url, headers: server.headers, ...(body === undefined ? {} : { payload: body as object }) });
}

describe('the API over a state directory', () => {
  it('lists tasks newest first without messages, and one task with them; no planner or executer command', async () => {
    const records = store();
    const t1 = await records.createTask('First task', { socket: 's1', projectDir: '/p' });
    await records.appendMessage(t1.id, { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R1-aa', body: '1. Do it', at: '2026-12-07T19:59:00.000Z' });
    await records.update(t1.id, { status: 'completed', endedAt: '2026-12-07T19:59:30.000Z', rounds: 1 });
    gitProject(server.projectDir);
    const added = await post('/api/tasks', { task: 'Second task', priority: 'high' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ id: 'T2', message: `poli: queued T2 (priority high) on main of ${server.projectDir}. Run it with: poli work` });

    const list = (await get('/api/tasks')).json() as { tasks: Record<string, unknown>[] };
    expect(list.tasks.map((t) => t.id)).toEqual(['T2', 'T1']);
    expect(list.tasks[1]).toEqual({
      id: 'T1', task: 'First task', status: 'completed', rounds: 1, startedAt: '2026-12-07T20:00:00.000Z', endedAt: '2026-12-07T19:59:30.000Z',
      projectDir: '/p', socket: 's1', elapsedMs: 0, waitingOn: '', session: 'poli', pendingApprovals: 0,
    });
    expect(list.tasks[0]).toMatchObject({ id: 'T2', status: 'queued', waitingOn: 'a free worker', session: 'T2', queue: { state: 'queued', priority: 'high', base: 'main' } });
    expect(JSON.stringify(list)).not.toMatch(/plannerCmd|executerCmd|messages/);

    const one = (await get('/api/tasks/T1')).json() as Record<string, unknown>;
    expect(one.messages).toEqual([{ from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R1-aa', body: '1. Do it', at: '2026-12-07T19:59:00.000Z' }]);
    expect((await get('/api/tasks/T9')).json()).toEqual({ error: 'not-found', message: 'no task T9 in the state directory (GET /api/tasks lists them)' });
    expect((await get('/api/tasks/T1/transcript')).body).toMatch(/^# T1: First task\n/);
    expect((await get('/api/tasks/T1/transcript')).headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect((await get('/api/tasks/T1/receipts')).json()).toEqual({ receipts: [] });
    const queue = (await get('/api/queue')).json() as { queue: { id: string; state: string }[] };
    // T1 ran outside the queue after the server started: the queue brings such tasks in when it is opened.
    expect(queue.queue.map((t) => [t.id, t.state])).toEqual([['T2', 'queued']]);
  });

  it('refuses a task it cannot queue, and commands for tasks not in a state for them', async () => {
    expect((await post('/api/tasks', { task: '' })).statusCode).toBe(400);
    expect((await post('/api/tasks', { task: 'x', priority: 'urgent' })).statusCode).toBe(400);
    gitProject(server.projectDir);
    const after = await post('/api/tasks', { task: 'x', after: ['T5'] });
    expect(after.statusCode).toBe(400);
    expect(after.json()).toMatchObject({ error: 'bad-request', message: expect.stringContaining('--after T5: there is no task T5') });
    await post('/api/tasks', { task: 'Queued one' });
    const retry = await post('/api/tasks/T1/retry');
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toEqual({ error: 'conflict', message: 'T1 is queued; poli retry takes a failed, stopped or blocked task. See poli ps.' });
    expect((await post('/api/tasks/T7/merge')).json()).toMatchObject({ error: 'not-found' });
  });

  it('stops a queued task and queues it again, as poli stop T7 and poli retry T7 do', async () => {
    gitProject(server.projectDir);
    await post('/api/tasks', { task: 'Queued one' });
    const stop = await post('/api/tasks/T1/stop');
    expect(stop.statusCode).toBe(202);
    expect(stop.json()).toEqual({ message: 'poli: T1 is out of the queue (stopped); poli retry T1 puts it back.' });
    expect((await post('/api/tasks/T1/retry')).json()).toEqual({ message: 'poli: T1 is queued again; poli work continues its dialogue.' });
    const say = await post('/api/tasks/T1/say', { to: 'planner', text: 'hello' });
    expect(say.statusCode).toBe(409);
    expect(say.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining('no poli task is running on session "T1"') });
    expect((await post('/api/tasks/T1/say', { to: 'nobody', text: 'hello' })).statusCode).toBe(400);
  });

  it('lists pending approvals and takes the first decision on one', async () => {
    const records = store();
    await records.createTask('Task', { socket: 's1', projectDir: '/p' });
    await writePending(server.stateDir, { task: 'T1', round: 1, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R1-aa', body: '1. Do it' }, { at: '2026-12-07T20:00:00.000Z', socket: 's1' });
    expect((await get('/api/approvals')).json()).toEqual({
      approvals: [{ task: 'T1', round: 1, from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R1-aa', body: '1. Do it', at: '2026-12-07T20:00:00.000Z', socket: 's1' }],
    });
    expect(((await get('/api/tasks')).json() as { tasks: { pendingApprovals: number }[] }).tasks[0]?.pendingApprovals).toBe(1);
    expect((await post('/api/approvals/T1/T1-R1-aa', { action: 'reject' })).statusCode).toBe(400);
    expect((await post('/api/approvals/T1/T1-R1-aa', { action: 'approve' })).json()).toEqual({ decided: true });
    const again = await post('/api/approvals/T1/T1-R1-aa', { action: 'edit', body: 'other' });
    expect(again.statusCode).toBe(409);
    expect((await post('/api/approvals/T1/T1-R1-zz', { action: 'approve' })).statusCode).toBe(404);
  });
});

describe('GET /api/events', () => {
  it('streams each line with its line number as id, resumes after Last-Event-ID, filters by task, follows new lines', async () => {
    await server.cleanup();
    server = await createTestServer({ port: 0, eventPollMs: 20 });
    // Where poli writes its events (workspace-open.ts) and poli watch reads them: the state dir itself.
    await mkdir(server.stateDir, { recursive: true });
    const file = path.join(server.stateDir, 'events.jsonl');
    const line = (task: string, summary: string) => JSON.stringify({ at: '2026-12-07T20:00:00.000Z', event: 'start', summary, task });
    await writeFile(file, `${line('T1', 'one')}\n${line('T2', 'two')}\n${line('T1', 'three')}\n`);
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.app.server.address() as AddressInfo).port;
    server.site.port = port;
    const base = `http://127.0.0.1:${port}`;
    const read = async (url: string, headers: Record<string, string>, until: string): Promise<string> => {
      const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers } });
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes(until)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return text;
    };
    expect(await read('/api/events', { 'last-event-id': '1' }, '"three"')).toBe(`: poli events\n\nid: 2\ndata: ${line('T2', 'two')}\n\nid: 3\ndata: ${line('T1', 'three')}\n\n`);
    expect(await read('/api/events?task=T1&lastEventId=1', {}, '"three"')).toBe(`: poli events\n\nid: 3\ndata: ${line('T1', 'three')}\n\n`);
    const following = read('/api/events?task=T2&lastEventId=3', {}, '"four"');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await appendFile(file, `${line('T2', 'four')}\n`);
    expect(await following).toBe(`: poli events\n\nid: 4\ndata: ${line('T2', 'four')}\n\n`);
  });
});

describe('the pane WebSocket', () => {
  it('sends the screen, then the output, and types only when opened with ?input=1', async () => {
    const typed: string[] = [];
    const outputs: ((data: string) => void)[] = [];
    const stream: PaneStream = {
      snapshot: async () => ({ cols: 80, rows: 24, cursorX: 1, cursorY: 2, data: 'screen' }),
      onOutput: (listener) => {
        outputs.push(listener);
        return () => undefined;
      },
      onGone: () => () => undefined,
      type: async (data) => {
        typed.push(data);
      },
      close: async () => undefined,
    };
    const feed: PaneFeed = { findPanes: async (socket, session) => (socket === 's1' && session === 'T1' ? { EXECUTER: '%3' } : {}), open: async () => stream };
    await server.cleanup();
    server = await createTestServer({ paneFeed: feed, port: 0 });
    await store().createTask('Task', { socket: 's1', session: 'T1', projectDir: '/p' });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (server.app.server.address() as AddressInfo).port;
    server.site.port = port;
    const connect = (url: string) => new WebSocketClient(`ws://127.0.0.1:${port}${url}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    const frames: unknown[] = [];
    const ws = connect('/api/tasks/T1/panes/executer/ws');
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(String(data))));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    await waitUntil(() => frames.length >= 1 && outputs.length >= 1);
    outputs[0]?.('hello');
    ws.send(JSON.stringify({ type: 'input', data: 'x' }));
    await waitUntil(() => frames.length >= 3);
    expect(frames).toEqual([
      { type: 'reset', cols: 80, rows: 24, cursorX: 1, cursorY: 2, data: 'screen' },
      { type: 'output', data: 'hello' },
      { type: 'error', message: expect.stringContaining('read-only') },
    ]);
    ws.terminate();
    const typing = connect('/api/tasks/T1/panes/executer/ws?input=1');
    await new Promise<void>((resolve) => typing.on('open', () => resolve()));
    typing.send(JSON.stringify({ type: 'input', data: 'ls\r' }));
    await waitUntil(() => typed.length === 1);
    expect(typed).toEqual(['ls\r']);
    typing.terminate();
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
}
