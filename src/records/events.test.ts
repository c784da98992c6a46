import { appendFile, mkdir, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileError } from '../errors.ts';
import { createEventLog, followEvents, formatEvent, parseEvent, type PoliEvent } from './events.ts';

/** 12:00:01 local time, whatever the machine's time zone. */
const AT = new Date(2024, 0, 2, 12, 0, 1).toISOString();
const T = { at: AT, task: 'T3', round: 1 } as const;

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'poli-events-'));
  file = path.join(dir, 'logs', 'events.jsonl');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('formatEvent', () => {
  const cases: [PoliEvent, string][] = [
    [{ ...T, round: 0, event: 'start', summary: 'Create hello.txt\ncontaining Hello' }, '12:00:01 T3 r0 task started: Create hello.txt containing Hello'],
    [{ at: AT, event: 'prime', role: 'PLANNER', pane: '%1' }, '12:00:01 primed PLANNER in %1'],
    [
      { ...T, event: 'send', role: 'EXECUTER', from: 'PLANNER', type: 'plan', id: 'T3-R1-ab12cd', summary: '1. Create hello.txt', pane: '%2' },
      '12:00:01 T3 r1 PLANNER → EXECUTER plan T3-R1-ab12cd: 1. Create hello.txt',
    ],
    [
      { ...T, event: 'reply', role: 'EXECUTER', to: 'PLANNER', type: 'result', id: 'T3-R1-ab12cd', summary: 'Created hello.txt' },
      '12:00:01 T3 r1 EXECUTER → PLANNER result T3-R1-ab12cd: Created hello.txt',
    ],
    [{ ...T, event: 'status', role: 'EXECUTER', id: 'T3-R1-ab12cd', summary: 'writing' }, '12:00:01 T3 r1 EXECUTER status T3-R1-ab12cd: writing'],
    [{ ...T, event: 'reminder', role: 'PLANNER', id: 'T3-R1-zz' }, '12:00:01 T3 r1 reminded PLANNER of T3-R1-zz'],
    [
      { ...T, event: 'restart', role: 'EXECUTER', pane: '%2', reason: 'exited with status 1' },
      '12:00:01 T3 r1 restarted EXECUTER in %2: exited with status 1',
    ],
    [{ ...T, event: 'approval', id: 'T3-R1-ab', type: 'plan', decision: 'approve' }, '12:00:01 T3 r1 human approved plan T3-R1-ab'],
    [{ ...T, event: 'approval', id: 'T3-R1-ab', type: 'plan', decision: 'edit' }, '12:00:01 T3 r1 human edited plan T3-R1-ab'],
    [
      { ...T, event: 'approval', id: 'T3-R1-ab', type: 'plan', decision: 'reject', reason: 'say Hi' },
      '12:00:01 T3 r1 human rejected plan T3-R1-ab: say Hi',
    ],
    [{ ...T, event: 'complete', status: 'completed', reason: 'hello.txt exists' }, '12:00:01 T3 r1 task completed: hello.txt exists'],
    [{ ...T, event: 'complete', status: 'max_rounds', reason: 'limit 1' }, '12:00:01 T3 r1 task max_rounds: limit 1'],
    [{ ...T, event: 'error', reason: 'pane %2 died' }, '12:00:01 T3 r1 error: pane %2 died'],
    [{ ...T, event: 'say', role: 'PLANNER', summary: 'Use Python' }, '12:00:01 T3 r1 HUMAN → PLANNER: Use Python'],
    [{ ...T, event: 'pause' }, '12:00:01 T3 r1 paused by the human'],
    [{ ...T, event: 'resume' }, '12:00:01 T3 r1 resumed by the human'],
    [{ ...T, event: 'stop' }, '12:00:01 T3 r1 stopped by the human'],
    [{ at: AT, task: 'T3', event: 'stop', reason: 'wrong task' }, '12:00:01 T3 stopped by the human: wrong task'],
    // Said once, not "stopped by the human: stopped by the human".
    [{ ...T, event: 'stop', reason: 'stopped by the human' }, '12:00:01 T3 r1 stopped by the human'],
    [{ ...T, event: 'stop', reason: 'stopped by the human (poli stop)' }, '12:00:01 T3 r1 stopped by the human (poli stop)'],
    [
      { ...T, event: 'say', role: 'EXECUTER', summary: 'add a README', delivered: false, reason: 'the task ended' },
      '12:00:01 T3 r1 note for EXECUTER not delivered (the task ended): add a README',
    ],
    [{ ...T, event: 'ask', id: 'T3-R1-ab', type: 'plan', summary: '1. Create a.txt' }, '12:00:01 T3 r1 waiting for you to approve plan T3-R1-ab: 1. Create a.txt'],
  ];
  it.each(cases)('%j', (event, expected) => {
    expect(formatEvent(event)).toBe(expected);
  });

  it('shortens long summaries to one line', () => {
    const line = formatEvent({ at: AT, event: 'error', reason: `${'x'.repeat(200)}\nmore` });
    expect(line).toBe(`12:00:01 error: ${'x'.repeat(119)}…`);
  });
});

describe('parseEvent', () => {
  it.each([
    ['{"at":"2024-01-02T12:00:01.000Z","event":"pause","task":"T1"}', { at: '2024-01-02T12:00:01.000Z', event: 'pause', task: 'T1' }],
    ['{"at":"2024-01-02T12:00:01.000Z","event":"dance"}', 'unknown event "dance"'],
    ['{"at":"2024-01-02T12:00:01.000Z"}', 'unknown event (missing)'],
    ['{"at":"yesterday","event":"pause"}', '"at" is not an ISO time'],
    ['{"at":"2024-01-02T12:00:01.000Z","event":"send","role":"EXECUTER"}', 'send event without "from"'],
    ['"pause"', 'not a JSON object'],
  ])('%s', (line, expected) => {
    expect(parseEvent(line)).toEqual(expected);
  });

  it('names invalid JSON', () => {
    expect(parseEvent('{"at"')).toMatch(/^invalid JSON \(.+\)$/);
  });
});

describe('createEventLog', () => {
  it('appends one JSON line per event, in order, at and event first, time from the clock unless given', async () => {
    const log = createEventLog(file, { clock: { now: () => Date.UTC(2024, 0, 2, 12, 0, 1) } });
    log.emit({ task: 'T3', round: 0, event: 'start', summary: 'Create hello.txt' });
    log.emit({ event: 'prime', role: 'PLANNER', pane: '%1', at: '2024-01-02T12:00:00.000Z' });
    log.emit({ task: 'T3', round: 1, pane: '%2', event: 'send', role: 'EXECUTER', from: 'PLANNER', type: 'plan', id: 'T3-R1-ab', summary: '1. Go' });
    await log.close();
    log.emit({ event: 'pause' });
    expect(await readFile(file, 'utf8')).toBe(
      '{"at":"2024-01-02T12:00:01.000Z","event":"start","task":"T3","round":0,"summary":"Create hello.txt"}\n' +
        '{"at":"2024-01-02T12:00:00.000Z","event":"prime","role":"PLANNER","pane":"%1"}\n' +
        '{"at":"2024-01-02T12:00:01.000Z","event":"send","task":"T3","round":1,"pane":"%2","role":"EXECUTER",' +
        '"from":"PLANNER","type":"plan","id":"T3-R1-ab","summary":"1. Go"}\n',
    );
  });

  it('throws write failures, or hands them to onError', async () => {
    await mkdir(file, { recursive: true }); // a directory where the file should be
    const strict = createEventLog(file);
    expect(() => strict.emit({ event: 'pause' })).toThrow(StateFileError);
    expect(() => strict.emit({ event: 'pause' })).toThrow(`could not append to the event log ${file}: EISDIR`);
    const errors: string[] = [];
    const lenient = createEventLog(file, { onError: (e) => errors.push(e.code) });
    lenient.emit({ event: 'pause' });
    expect(errors).toEqual(['STATE_FILE']);
  });

  it('fails when the directory cannot be created', async () => {
    await writeFile(path.join(dir, 'logs'), 'in the way');
    expect(() => createEventLog(file)).toThrow(`could not create the directory of the event log ${file}: `);
  });
});

const line = (event: string, extra = ''): string => `{"at":"${AT}","event":"${event}"${extra}}\n`;

/**
 * Follows `file` with a fake sleep: each sleep runs the next step (a change to the file); when the steps run out the
 * follow is aborted. Returns the formatted events and invalid lines seen, in order.
 */
async function follow(fromStart: boolean, steps: (() => Promise<unknown>)[]) {
  const seen: string[] = [];
  const sleeps: number[] = [];
  const controller = new AbortController();
  await followEvents(file, {
    fromStart,
    signal: controller.signal,
    pollMs: 50,
    onEvent: (e) => seen.push(`${e.event}${e.task ? ` ${e.task}` : ''}`),
    onInvalid: (l, reason) => seen.push(`invalid ${JSON.stringify(l)}: ${reason}`),
    sleep: async (ms) => {
      sleeps.push(ms);
      const step = steps.shift();
      if (step) await step();
      else controller.abort();
    },
  });
  return { seen, sleeps };
}

describe('followEvents', () => {
  it('waits for the file, holds back a partial line, and starts over after truncation and replacement', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const { seen, sleeps } = await follow(true, [
      async () => undefined, // not there yet
      () => writeFile(file, line('pause', ',"task":"T1"') + '{"at":"' + AT),
      () => appendFile(file, '","event":"resume"}\n'),
      async () => {
        await truncate(file, 0);
        await appendFile(file, line('stop'));
      },
      async () => {
        const next = `${file}.new`;
        await writeFile(next, line('pause', ',"task":"T9"') + 'not json\n\n');
        await rename(next, file);
      },
      () => rm(file),
      () => writeFile(file, line('resume', ',"task":"T10"')),
    ]);
    expect(seen).toEqual(['pause T1', 'resume', 'stop', 'pause T9', expect.stringMatching(/^invalid "not json": invalid JSON/), 'resume T10']);
    expect(sleeps).toEqual([50, 50, 50, 50, 50, 50, 50, 50]);
  });

  it('without fromStart skips what is there, including the tail of a line being written', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, line('pause', ',"task":"T1"') + '{"at":"' + AT);
    const { seen } = await follow(false, [
      () => appendFile(file, '","event":"resume","task":"T1"}\n'),
      () => appendFile(file, line('stop', ',"task":"T1"')),
    ]);
    expect(seen).toEqual(['stop T1']);
  });

  it('without fromStart reads a file that appears later from its start', async () => {
    const { seen } = await follow(false, [
      async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, line('pause') + line('resume'));
      },
    ]);
    expect(seen).toEqual(['pause', 'resume']);
  });

  it('keeps multi-byte characters split across reads whole', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    const bytes = Buffer.from(line('say', ',"role":"PLANNER","summary":"→ ok"'));
    const cut = bytes.indexOf(Buffer.from('→')) + 1;
    const summaries: string[] = [];
    const controller = new AbortController();
    const steps = [() => writeFile(file, bytes.subarray(0, cut)), () => appendFile(file, bytes.subarray(cut))];
    await followEvents(file, {
      fromStart: true,
      signal: controller.signal,
      onEvent: (e) => summaries.push(formatEvent(e)),
      sleep: async () => {
        const step = steps.shift();
        if (step) await step();
        else controller.abort();
      },
    });
    expect(summaries).toEqual(['12:00:01 HUMAN → PLANNER: → ok']);
  });

  it('returns as soon as the signal aborts, even mid-sleep with the real timer', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, line('pause'));
    const controller = new AbortController();
    const seen: string[] = [];
    await followEvents(file, {
      fromStart: true,
      signal: controller.signal,
      pollMs: 60_000,
      onEvent: (e) => {
        seen.push(e.event);
        controller.abort();
      },
    });
    const running = new AbortController();
    const pending = followEvents(file, { fromStart: false, signal: running.signal, pollMs: 60_000, onEvent: () => undefined });
    running.abort();
    await pending;
    expect(seen).toEqual(['pause']);
  });

  it('reports an event file it cannot read', async () => {
    await mkdir(file, { recursive: true });
    const attempt = followEvents(file, { fromStart: true, signal: new AbortController().signal, onEvent: () => undefined });
    await expect(attempt).rejects.toThrow(`could not read the event log ${file}: EISDIR`);
  });
});
