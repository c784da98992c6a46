import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileError } from '../errors.ts';
import {
  ControlInbox,
  NotRunningError,
  applyControlCommands,
  controlDir,
  describeSentControl,
  parseControlCommand,
  sendControl,
  type ControlFs,
} from './control.ts';

let stateDir: string;
let inboxDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'poli-control-'));
  inboxDir = path.join(stateDir, 'control', 'poli');
});

afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function holdLock(content: string, socket = 'poli'): Promise<void> {
  await mkdir(path.join(stateDir, 'locks'), { recursive: true });
  await writeFile(path.join(stateDir, 'locks', `${socket}.lock`), content);
}

/** sendControl with a fixed clock and random part; pid 4242 is the live poli. */
function send(command: Parameters<typeof sendControl>[2], now: number, random = 'ab12cd34') {
  return sendControl(stateDir, 'poli', command, {
    isPidAlive: (pid) => pid === 4242,
    clock: { now: () => now },
    randomHex: () => random,
  });
}

describe('sendControl', () => {
  it('writes one JSON file named <time>-<random>.json into control/<socket>/', async () => {
    await holdLock('4242\n');
    const file = await send({ kind: 'say', to: 'PLANNER', text: 'Use Python, please' }, 1_717_000_000_123);
    expect(file).toBe(path.join(inboxDir, '1717000000123-ab12cd34.json'));
    expect(await readdir(inboxDir)).toEqual(['1717000000123-ab12cd34.json']);
    expect(await readFile(file, 'utf8')).toBe('{"kind":"say","to":"PLANNER","text":"Use Python, please"}\n');
    expect(controlDir(stateDir, 'poli')).toBe(inboxDir);
  });

  it('goes to the inbox of the named session\'s poli, and says that session when none runs there', async () => {
    await holdLock('4242\n', 'poli@T7');
    const options = { isPidAlive: (pid: number) => pid === 4242, clock: { now: () => 5 }, randomHex: () => 'ab12cd34', session: 'T7' };
    expect(await sendControl(stateDir, 'poli', { kind: 'stop' }, options)).toBe(path.join(stateDir, 'control', 'poli@T7', '0000000000005-ab12cd34.json'));
    await expect(sendControl(stateDir, 'poli', { kind: 'stop' }, { ...options, session: 'T8' })).rejects.toThrow(
      `no poli task is running on session "T8" on socket "poli" (no live lock in ${path.join(stateDir, 'locks', 'poli@T8.lock')}); start one with poli --task "…"`,
    );
    expect(describeSentControl({ kind: 'say', to: 'EXECUTER', text: 'x' }, 'poli', 'T7')).toBe(
      'poli: your message goes to the EXECUTER at the next turn (session "T7" on socket "poli").',
    );
  });

  it('zero-pads the time so name order is time order', async () => {
    await holdLock('4242\n');
    expect(path.basename(await send({ kind: 'pause' }, 42))).toBe('0000000000042-ab12cd34.json');
  });

  it.each([
    ['there is no lock', undefined],
    ['the lock holder is dead', '999\n'],
    ['the lock is garbage', 'nope'],
  ])('fails with NotRunningError when %s, writing nothing', async (_name, content) => {
    if (content !== undefined) await holdLock(content);
    const lock = path.join(stateDir, 'locks', 'poli.lock');
    const attempt = send({ kind: 'stop' }, 1);
    await expect(attempt).rejects.toThrow(
      new NotRunningError('poli', lock),
    );
    await expect(attempt).rejects.toThrow(
      `no poli task is running on socket "poli" (no live lock in ${lock}); start one with poli --task "…"`,
    );
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(readdir(path.join(stateDir, 'control'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('checks the lock of the socket it was given', async () => {
    await holdLock('4242\n', 'other');
    await expect(send({ kind: 'pause' }, 1)).rejects.toBeInstanceOf(NotRunningError);
  });

  it('fails with a StateFileError when the directory cannot be made', async () => {
    await holdLock('4242\n');
    await writeFile(path.join(stateDir, 'control'), 'in the way');
    const attempt = send({ kind: 'pause' }, 5);
    await expect(attempt).rejects.toBeInstanceOf(StateFileError);
    await expect(attempt).rejects.toThrow(
      `could not write the control command ${path.join(inboxDir, '0000000000005-ab12cd34.json')}: `,
    );
  });
});

describe('ControlInbox', () => {
  it('takes the commands in time order and deletes them', async () => {
    await holdLock('4242\n');
    await send({ kind: 'stop' }, 3_000, 'cc');
    await send({ kind: 'say', to: 'EXECUTER', text: 'also add tests' }, 1_000, 'aa');
    await send({ kind: 'pause' }, 2_000, 'bb');
    const inbox = new ControlInbox({ dir: inboxDir });
    expect(await inbox.poll()).toEqual([
      { kind: 'say', to: 'EXECUTER', text: 'also add tests' },
      { kind: 'pause' },
      { kind: 'stop' },
    ]);
    expect(await readdir(inboxDir)).toEqual([]);
    expect(await inbox.poll()).toEqual([]);
  });

  it('returns nothing when the directory does not exist yet', async () => {
    expect(await new ControlInbox({ dir: inboxDir }).poll()).toEqual([]);
  });

  it('leaves temp and foreign files alone and deletes invalid commands with a warning', async () => {
    await mkdir(inboxDir, { recursive: true });
    await writeFile(path.join(inboxDir, '.0000000000001-aa.json.tmp'), '{"kind":"st');
    await writeFile(path.join(inboxDir, 'notes.txt'), 'hi');
    await writeFile(path.join(inboxDir, '0000000000002-bb.json'), '{"kind":"dance"}');
    await writeFile(path.join(inboxDir, '0000000000003-cc.json'), '{"kind":"resume"}\n');
    const warnings: string[] = [];
    const inbox = new ControlInbox({ dir: inboxDir, warn: (m) => warnings.push(m) });
    expect(await inbox.poll()).toEqual([{ kind: 'resume' }]);
    expect(warnings).toEqual([
      `ignored the control file ${path.join(inboxDir, '0000000000002-bb.json')}: "kind" is "dance"; ` +
        'expected one of say, pause, resume, stop',
    ]);
    expect((await readdir(inboxDir)).sort()).toEqual(['.0000000000001-aa.json.tmp', 'notes.txt']);
  });

  it('skips a file another reader took first and reports other failures', async () => {
    const dir = '/fake/control/poli';
    const deleted: string[] = [];
    const fs: ControlFs = {
      readdir: async () => ['0000000000002-b.json', '0000000000001-a.json', '0000000000003-c.json'],
      readFile: async (file) => {
        if (file.endsWith('-a.json')) throw Object.assign(new Error('gone'), { code: 'ENOENT' });
        if (file.endsWith('-c.json')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        return '{"kind":"pause"}';
      },
      unlink: async (file) => {
        deleted.push(file);
      },
    };
    const attempt = new ControlInbox({ dir, fs }).poll();
    await expect(attempt).rejects.toBeInstanceOf(StateFileError);
    await expect(attempt).rejects.toThrow(
      'could not take the control command /fake/control/poli/0000000000003-c.json: EACCES: permission denied',
    );
    expect(deleted).toEqual(['/fake/control/poli/0000000000002-b.json']);
  });

  it('reports a directory it cannot list', async () => {
    const fs: ControlFs = {
      readdir: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
      readFile: () => Promise.reject(new Error('unused')),
      unlink: () => Promise.reject(new Error('unused')),
    };
    await expect(new ControlInbox({ dir: '/x', fs }).poll()).rejects.toThrow('could not list /x: EACCES: permission denied');
  });
});

describe('parseControlCommand', () => {
  it.each([
    ['{"kind":"say","to":"PLANNER","text":"hi","extra":1}', { kind: 'say', to: 'PLANNER', text: 'hi' }],
    ['{"kind":"stop","why":"x"}', { kind: 'stop' }],
    ['{"kind":"say","to":"HUMAN","text":"hi"}', '"to" is "HUMAN"; expected PLANNER or EXECUTER'],
    ['{"kind":"say","text":"hi"}', '"to" is missing; expected PLANNER or EXECUTER'],
    ['{"kind":"say","to":"EXECUTER","text":"  "}', '"text" must be a non-empty string'],
    ['{}', '"kind" is missing; expected one of say, pause, resume, stop'],
    ['[1]', 'not a JSON object: [1]'],
  ])('%s', (text, expected) => {
    expect(parseControlCommand(text)).toEqual(expected);
  });

  it('names invalid JSON', () => {
    expect(parseControlCommand('{"kind"')).toMatch(/^invalid JSON \(.+\): \{"kind"$/);
  });
});

describe('applyControlCommands', () => {
  it('keeps says in order, lets the last pause/resume win and a stop end a pause', () => {
    expect(applyControlCommands(false, [])).toEqual({ paused: false, stop: false, say: [] });
    expect(
      applyControlCommands(false, [
        { kind: 'say', to: 'PLANNER', text: 'one' },
        { kind: 'pause' },
        { kind: 'say', to: 'EXECUTER', text: 'two' },
      ]),
    ).toEqual({
      paused: true,
      stop: false,
      say: [
        { to: 'PLANNER', text: 'one' },
        { to: 'EXECUTER', text: 'two' },
      ],
    });
    expect(applyControlCommands(true, [{ kind: 'resume' }])).toEqual({ paused: false, stop: false, say: [] });
    expect(applyControlCommands(true, [{ kind: 'stop' }])).toEqual({ paused: false, stop: true, say: [] });
  });
});

describe('describeSentControl', () => {
  it('says what will happen', () => {
    expect(describeSentControl({ kind: 'say', to: 'EXECUTER', text: 'x' }, 'poli')).toBe(
      'poli: your message goes to the EXECUTER at the next turn (socket "poli").',
    );
    expect(describeSentControl({ kind: 'pause' }, 'poli')).toBe(
      'poli: asked the task on socket "poli" to pause; nothing is forwarded until poli resume.',
    );
    expect(describeSentControl({ kind: 'resume' }, 's2')).toBe('poli: asked the task on socket "s2" to resume.');
    expect(describeSentControl({ kind: 'stop' }, 'poli')).toBe(
      'poli: asked the task on socket "poli" to stop; it ends as interrupted.',
    );
  });
});

describe('budget commands (issue 22)', () => {
  it.each([
    ['{"kind":"resume","budget":8}', { kind: 'resume', budget: 8 }],
    ['{"kind":"resume","budget":0}', '"budget" is 0; expected an amount of USD above 0'],
    ['{"kind":"queue-budget","reached":true,"spent":30.5,"limit":30}', { kind: 'queue-budget', reached: true, spent: 30.5, limit: 30 }],
    ['{"kind":"queue-budget","reached":false,"spent":null,"limit":50}', { kind: 'queue-budget', reached: false, spent: null, limit: 50 }],
    ['{"kind":"queue-budget","reached":"yes","spent":1,"limit":50}', '"reached" must be true or false'],
  ])('%s', (text, expected) => {
    expect(parseControlCommand(text)).toEqual(expected);
  });

  it('says what a resume with a budget asks', () => {
    expect(describeSentControl({ kind: 'resume', budget: 8 }, 'poli', 'T7')).toBe('poli: asked the task on session "T7" on socket "poli" to raise its budget to $8.00 and go on.');
  });
});
