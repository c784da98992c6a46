import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileError } from '../errors.ts';
import { StateStore, toPublicJson, writeFileAtomic } from './store.ts';
import type { MessageRecord, TaskRecord } from './types.ts';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const OUR_PID = 4242;
const META = { socket: 'poli', projectDir: '/home/ada/project' };

let dir: string;
let now: number;
let alive: Set<number>;
let warnings: string[];

function makeStore(pid = OUR_PID): StateStore {
  return new StateStore({
    dir,
    pid,
    clock: { now: () => now },
    isPidAlive: (p) => alive.has(p),
    warn: (message) => warnings.push(message),
  });
}

function message(n: number, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: `m${n}`, body: `body ${n}`, at: '2026-01-02T03:04:06.000Z', ...overrides };
}

function record(id: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    task: 'fix it',
    status: 'completed',
    rounds: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    messages: [],
    pid: 99,
    socket: 'poli',
    projectDir: '/p',
    ...overrides,
  };
}

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

async function writeTaskFile(id: string, content: unknown): Promise<void> {
  await mkdir(path.join(dir, 'tasks'), { recursive: true });
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  await writeFile(path.join(dir, 'tasks', `${id}.json`), text);
}

async function taskDirEntries(): Promise<string[]> {
  return (await readdir(path.join(dir, 'tasks'))).sort();
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'poli-state-'));
  now = T0;
  alive = new Set([OUR_PID]);
  warnings = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('creates a running task and writes it to tasks/T1.json', async () => {
    const created = await makeStore().createTask('fix the bug', META);
    const expected: TaskRecord = {
      id: 'T1',
      task: 'fix the bug',
      status: 'running',
      rounds: 0,
      startedAt: '2026-01-02T03:04:05.000Z',
      endedAt: null,
      messages: [],
      pid: OUR_PID,
      socket: 'poli',
      projectDir: '/home/ada/project',
    };
    expect(created).toEqual(expected);
    expect(JSON.parse(await readFile(path.join(dir, 'tasks', 'T1.json'), 'utf8'))).toEqual(expected);
    expect(await taskDirEntries()).toEqual(['T1.json']);
  });

  it('records a named session, and writes no session field for the default one', async () => {
    const created = await makeStore().createTask('in T7', { ...META, session: 'T7' });
    expect(created.session).toBe('T7');
    expect(JSON.parse(await readFile(path.join(dir, 'tasks', `${created.id}.json`), 'utf8'))).toMatchObject({ socket: 'poli', session: 'T7' });
    expect(Object.keys(await makeStore().createTask('default', META))).not.toContain('session');
    expect((await makeStore().list()).map((t) => t.session)).toEqual(['T7', undefined]);
  });

  it('allocates max existing id + 1, counting set-aside files', async () => {
    await writeTaskFile('T2', record('T2'));
    await writeFile(path.join(dir, 'tasks', 'T7.json.corrupt-2026-01-01T00-00-00.000Z'), '{');
    await writeFile(path.join(dir, 'tasks', 'notes.txt'), '');
    expect((await makeStore().createTask('a', META)).id).toBe('T8');
    expect((await makeStore().createTask('b', META)).id).toBe('T9');
  });

  it('gives two stores racing on one directory distinct ids', async () => {
    const a = makeStore(OUR_PID);
    const b = makeStore(OUR_PID + 1);
    alive.add(OUR_PID + 1);
    const created = await Promise.all([a.createTask('a', META), b.createTask('b', META), a.createTask('c', META)]);
    expect(created.map((t) => t.id).sort()).toEqual(['T1', 'T2', 'T3']);
    expect((await a.list()).map((t) => [t.id, t.task])).toEqual(
      created.map((t) => [t.id, t.task]).sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('keeps the extra header fields of a message (docs/protocol.md), and nothing else unknown', async () => {
    const store = makeStore();
    await store.createTask('t', META);
    const updated = await store.appendMessage('T1', { ...message(1), extra: { progress: 0.5, files: ['a'] } });
    expect(updated.messages).toEqual([{ ...message(1), extra: { progress: 0.5, files: ['a'] } }]);
  });

  it('keeps a delivery receipt per message id, whose stage only moves forward', async () => {
    const store = makeStore();
    await store.createTask('t', META);
    await store.appendMessage('T1', message(1));
    const receipt = { id: 'T1-R0-a', to: 'PLANNER', type: 'task', body: 'b' } as const;
    await store.recordDelivery('T1', { ...receipt, stage: 'written', at: 'w' });
    await store.recordDelivery('T1', { ...receipt, stage: 'submitted', at: 's' });
    const late = await store.recordDelivery('T1', { ...receipt, stage: 'pasted', at: 'p' });
    expect(late.deliveries).toEqual([{ ...receipt, stage: 'submitted', at: 's', after: 1 }]);
    const done = await store.recordDelivery('T1', { ...receipt, stage: 'answered', at: 'a' });
    expect(done.deliveries?.map((d) => d.stage)).toEqual(['answered']);
  });

  it('marks a delivery answered in the same write that records the CLI reply to it (not a status)', async () => {
    const store = makeStore();
    await store.createTask('t', META);
    await store.recordDelivery('T1', { id: 'T1-R1-a', to: 'EXECUTER', type: 'plan', body: 'p', stage: 'submitted', at: 's' });
    const status = await store.appendMessage('T1', { from: 'EXECUTER', to: 'PLANNER', type: 'status', id: 'T1-R1-a', body: 'x', at: 't1' });
    expect(status.deliveries?.[0]?.stage).toBe('submitted');
    const result = await store.appendMessage('T1', { from: 'EXECUTER', to: 'PLANNER', type: 'result', id: 'T1-R1-a', body: 'y', at: 't2' });
    expect(result.deliveries?.[0]).toMatchObject({ stage: 'answered', at: 't2' });
  });

  it('appends messages and applies patches, rewriting the file each time', async () => {
    const store = makeStore();
    await store.createTask('t', META);
    await store.appendMessage('T1', { ...message(1), stray: 'dropped' } as MessageRecord);
    await store.update('T1', { rounds: 1, error: 'for a while' });
    const updated = await store.update('T1', { status: 'completed', endedAt: '2026-01-02T03:05:00.000Z', error: undefined });
    const onDisk = JSON.parse(await readFile(store.taskFile('T1'), 'utf8'));
    expect(onDisk).toEqual(updated);
    expect(onDisk).toEqual({
      id: 'T1',
      task: 't',
      status: 'completed',
      rounds: 1,
      startedAt: '2026-01-02T03:04:05.000Z',
      endedAt: '2026-01-02T03:05:00.000Z',
      messages: [message(1)],
      pid: OUR_PID,
      socket: 'poli',
      projectDir: '/home/ada/project',
    });
    expect(await taskDirEntries()).toEqual(['T1.json']);
  });

  it('does not lose concurrent appends to one task', async () => {
    const store = makeStore();
    await store.createTask('t', META);
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.appendMessage('T1', message(n))));
    expect((await store.get('T1'))?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('throws StateFileError when changing a task that does not exist', async () => {
    const store = makeStore();
    await expect(store.update('T3', { rounds: 1 })).rejects.toThrow(
      new StateFileError(`no task T3 in ${dir}/tasks; list the tasks with \`poli --state\``),
    );
    expect(await store.get('T3')).toBeUndefined();
    expect(await store.get('../x')).toBeUndefined();
  });

  it('lists tasks sorted by number, not by name', async () => {
    for (const id of ['T10', 'T2', 'T1']) await writeTaskFile(id, record(id));
    expect((await makeStore().list()).map((t) => t.id)).toEqual(['T1', 'T2', 'T10']);
  });

  it('returns an empty list when the directory does not exist yet', async () => {
    expect(await makeStore().list()).toEqual([]);
  });

  it('marks a running task whose process died as interrupted, on disk too', async () => {
    await writeTaskFile('T1', record('T1', { status: 'running', endedAt: null, pid: 77 }));
    await writeTaskFile('T2', record('T2', { status: 'running', endedAt: null, pid: 78 }));
    alive.add(78);
    now = T0 + 60_000;
    const tasks = await makeStore().list();
    const interrupted = record('T1', {
      status: 'interrupted',
      endedAt: '2026-01-02T03:05:05.000Z',
      pid: 77,
      error: 'poli process 77 died while the task was running',
    });
    expect(tasks).toEqual([interrupted, record('T2', { status: 'running', endedAt: null, pid: 78 })]);
    expect(JSON.parse(await readFile(path.join(dir, 'tasks', 'T1.json'), 'utf8'))).toEqual(interrupted);
  });

  it('treats a running task with our pid that this store did not start as left by an earlier process', async () => {
    await writeTaskFile('T1', record('T1', { status: 'running', endedAt: null, pid: OUR_PID }));
    const store = makeStore();
    expect((await store.get('T1'))?.status).toBe('interrupted');
    await store.createTask('mine', META);
    expect((await store.get('T2'))?.status).toBe('running');
  });

  it('keeps a resumed task running once it is updated with our pid', async () => {
    await writeTaskFile('T1', record('T1', { status: 'interrupted', pid: 55 }));
    const store = makeStore();
    await store.update('T1', { status: 'running', endedAt: null, pid: OUR_PID });
    expect((await store.get('T1'))?.status).toBe('running');
  });

  it('read-only (poli --state): a dead poli\'s task shows as interrupted, but no file is written, moved or removed', async () => {
    const running = record('T1', { status: 'running', endedAt: null, pid: 777 });
    await writeTaskFile('T1', running);
    await writeTaskFile('T2', '{"id": "T2",');
    await writeFile(path.join(dir, 'tasks', 'T1.json.778.tmp'), 'half');
    const before = await taskDirEntries();
    const looker = new StateStore({ dir, pid: OUR_PID, clock: { now: () => now }, isPidAlive: () => false, warn: (m) => warnings.push(m), readOnly: true });
    const [shown] = await looker.list();
    expect(shown).toMatchObject({ id: 'T1', status: 'interrupted', error: 'poli process 777 died while the task was running' });
    expect(await taskDirEntries()).toEqual(before);
    expect(JSON.parse(await readFile(path.join(dir, 'tasks', 'T1.json'), 'utf8'))).toEqual(running);
    expect(warnings).toEqual([`state file ${path.join(dir, 'tasks', 'T2.json')} is corrupt (invalid JSON: ${jsonError('{"id": "T2",')}); left the task out`]);
  });

  it('sets aside a file with invalid JSON, warns, and leaves the task out', async () => {
    await writeTaskFile('T1', '{"id": "T1",');
    await writeTaskFile('T2', record('T2'));
    let parseMessage = '';
    try {
      JSON.parse('{"id": "T1",');
    } catch (error) {
      parseMessage = (error as Error).message;
    }
    expect((await makeStore().list()).map((t) => t.id)).toEqual(['T2']);
    const file = path.join(dir, 'tasks', 'T1.json');
    const backup = `${file}.corrupt-2026-01-02T03-04-05.000Z`;
    expect(warnings).toEqual([
      `state file ${file} is corrupt (invalid JSON: ${parseMessage}); moved it to ${backup} and left the task out. ` +
        'Inspect the backup, or delete it if the task does not matter.',
    ]);
    expect(await readFile(backup, 'utf8')).toBe('{"id": "T1",');
    expect(await taskDirEntries()).toEqual(['T1.json.corrupt-2026-01-02T03-04-05.000Z', 'T2.json']);
  });

  it.each<[string, unknown, string]>([
    ['an array', [], 'not a JSON object'],
    ['a mismatched id', record('T9'), '"id" is "T9", expected "T1" from the file name'],
    ['an unknown status', record('T1', { status: 'done' as never }), '"status" is "done"'],
    ['a missing field', { ...record('T1'), socket: undefined }, '"socket" is missing'],
    ['negative rounds', record('T1', { rounds: -1 }), '"rounds" is -1'],
    ['a bad message', record('T1', { messages: [message(1), { from: 'BOB' } as never] }), '"messages[1]" is not a message: {"from":"BOB"}'],
  ])('sets aside a file with %s', async (_name, content, problem) => {
    await writeTaskFile('T1', content);
    expect(await makeStore().get('T1')).toBeUndefined();
    const file = path.join(dir, 'tasks', 'T1.json');
    expect(warnings).toEqual([
      `state file ${file} is corrupt (wrong shape: ${problem}); moved it to ${file}.corrupt-2026-01-02T03-04-05.000Z ` +
        'and left the task out. Inspect the backup, or delete it if the task does not matter.',
    ]);
  });

  it('skips an empty file, an id claimed whose first write has not landed', async () => {
    await writeTaskFile('T1', '');
    expect(await makeStore().list()).toEqual([]);
    expect(warnings).toEqual([]);
    expect(await taskDirEntries()).toEqual(['T1.json']);
  });

  it('ignores a temp file left by a crash mid-write and keeps the last complete version', async () => {
    await writeTaskFile('T1', record('T1'));
    await writeFile(path.join(dir, 'tasks', 'T1.json.999.tmp'), '{"id":"T1","task":"half-wri');
    const store = makeStore();
    expect(await store.list()).toEqual([record('T1')]);
    expect(warnings).toEqual([]);
    expect((await store.createTask('next', META)).id).toBe('T2');
  });

  it('prepares writes in tmp/, so tasks/ only ever holds complete task files', async () => {
    const store = makeStore();
    await store.createTask('fix it', META);
    expect(await taskDirEntries()).toEqual(['T1.json']);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('deletes the temp files of dead writers when listing (tmp/, and tasks/ of earlier versions), keeps a live writer\'s', async () => {
    await writeTaskFile('T1', record('T1'));
    alive.add(777);
    await mkdir(path.join(dir, 'tmp'), { recursive: true });
    await writeFile(path.join(dir, 'tasks', 'T1.json.999.tmp'), '{"id":"T1","task":"half-wri');
    await writeFile(path.join(dir, 'tmp', 'T1.json.998.tmp'), '');
    await writeFile(path.join(dir, 'tmp', 'T1.json.777.tmp'), '{"id":"T1","task":"being writ');
    expect(await makeStore().list()).toEqual([record('T1')]);
    expect(await taskDirEntries()).toEqual(['T1.json']);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual(['T1.json.777.tmp']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const file = path.join(dir, 'a.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new', 12);
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('throws StateFileError and cleans up when the rename fails', async () => {
    const target = path.join(dir, 'target');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'x', 12)).rejects.toThrow(StateFileError);
    expect((await readdir(dir)).sort()).toEqual(['target']);
  });
});

describe('toPublicJson', () => {
  it('keeps exactly the public keys, in order', () => {
    const task = record('T1', {
      error: 'secret',
      approvals: [1],
      messages: [{ ...message(1), stray: true } as MessageRecord],
    });
    expect(toPublicJson([task])).toBe(
      [
        '{',
        '  "tasks": [',
        '    {',
        '      "id": "T1",',
        '      "task": "fix it",',
        '      "status": "completed",',
        '      "rounds": 1,',
        '      "startedAt": "2026-01-01T00:00:00.000Z",',
        '      "endedAt": "2026-01-01T00:01:00.000Z",',
        '      "messages": [',
        '        {',
        '          "from": "PLANNER",',
        '          "to": "EXECUTER",',
        '          "type": "plan",',
        '          "id": "m1",',
        '          "body": "body 1",',
        '          "at": "2026-01-02T03:04:06.000Z"',
        '        }',
        '      ],',
        '      "projectDir": "/p",',
        '      "socket": "poli",',
        '      "error": "secret"',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('adds the notes no message carried, and leaves error and undeliveredNotes out when there are none', () => {
    const task = record('T1', { undeliveredNotes: [{ to: 'EXECUTER', text: 'also add a README' }] });
    expect(JSON.parse(toPublicJson([task, record('T2', { undeliveredNotes: [] })]))).toEqual({
      tasks: [
        { id: 'T1', task: 'fix it', status: 'completed', rounds: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z', messages: [], projectDir: '/p', socket: 'poli', undeliveredNotes: [{ to: 'EXECUTER', text: 'also add a README' }] },
        { id: 'T2', task: 'fix it', status: 'completed', rounds: 1, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z', messages: [], projectDir: '/p', socket: 'poli' },
      ],
    });
  });

  it('renders no tasks as an empty list', () => {
    expect(toPublicJson([])).toBe('{\n  "tasks": []\n}');
  });
});
