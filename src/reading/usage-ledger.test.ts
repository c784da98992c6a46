import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockTranscript, mockUsageFolder } from '../profiles/usage/mock.ts';
import type { Role } from '../protocol/types.ts';
import { UsageLedger } from './usage-ledger.ts';

let usageDir: string;
let folder: string;
const projectDir = '/p/project';

beforeEach(() => {
  usageDir = mkdtempSync(path.join(tmpdir(), 'poli-ledger-'));
  folder = mockUsageFolder(usageDir, projectDir);
  mkdirSync(folder, { recursive: true });
});
afterEach(() => rmSync(usageDir, { recursive: true, force: true }));

function ledger(role: Role): UsageLedger {
  return new UsageLedger({ source: mockTranscript, projectDir, env: { MOCK_USAGE_DIR: usageDir }, role, cli: 'mock', now: () => new Date(0) });
}

function write(file: string, ...records: object[]): void {
  appendFileSync(path.join(folder, file), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

const header = (to: Role, id: string) => ({ type: 'prompt', text: `[[POLI:MSG {"to":"${to}","type":"plan","id":"${id}"}]]\nbody\n[[/POLI:MSG]]` });
const call = (id: string, input: number) => ({ type: 'call', id, model: 'mock-model', usage: { input, output: 1, cacheRead: 2, cacheWrite: 3 } });

describe('UsageLedger', () => {
  it('charges calls to the message that preceded them, counts a call written twice once, and repeats nothing', async () => {
    const l = ledger('EXECUTER');
    await l.start();
    write('session-1.jsonl', header('EXECUTER', 'T1-R1-aaaaaa'), call('c1', 5), call('c1', 7), call('c2', 1));
    const first = await l.read();
    expect(first.map((c) => [c.callId, c.counts.input, c.attribution])).toEqual([
      ['c1', 7, { via: 'header', messageId: 'T1-R1-aaaaaa' }],
      ['c2', 1, { via: 'header', messageId: 'T1-R1-aaaaaa' }],
    ]);
    expect(await l.read()).toEqual([]);
  });

  it('takes a late record of a call under its first attribution, after the next prompt', async () => {
    const l = ledger('EXECUTER');
    await l.start();
    write('session-1.jsonl', header('EXECUTER', 'T1-R1-aaaaaa'), call('c1', 5));
    await l.read();
    write('session-1.jsonl', header('EXECUTER', 'T1-R2-bbbbbb'), call('c1', 9), call('c2', 1));
    const late = await l.read();
    expect(late.map((c) => [c.callId, c.counts.input, 'messageId' in c.attribution ? c.attribution.messageId : ''])).toEqual([
      ['c1', 9, 'T1-R1-aaaaaa'],
      ['c2', 1, 'T1-R2-bbbbbb'],
    ]);
  });

  it("reads only its own pane's file in a shared folder, and nothing written before it started", async () => {
    write('session-old.jsonl', header('EXECUTER', 'T0-R1-oooooo'), call('old', 1));
    const executer = ledger('EXECUTER');
    const planner = ledger('PLANNER');
    await executer.start();
    await planner.start();
    write('session-old.jsonl', call('old2', 1));
    write('session-p.jsonl', { type: 'call', id: 'before-primer', model: null, usage: {} });
    write('session-p.jsonl', { type: 'prompt', text: 'You are the PLANNER in a two-agent team run by poli.' }, call('p1', 4));
    write('session-e.jsonl', header('EXECUTER', 'T1-R1-aaaaaa'), call('e1', 6));
    expect((await planner.read()).map((c) => [c.callId, c.attribution.via])).toEqual([
      ['before-primer', 'unattributed'],
      ['p1', 'primer'],
    ]);
    // The old file's owner is not known yet (its prompt was before the start): its new call waits for one.
    expect((await executer.read()).map((c) => c.callId)).toEqual(['e1']);
  });

  it('waits for a line still being written, and reads nothing from a source without usage', async () => {
    const l = ledger('EXECUTER');
    await l.start();
    write('session-1.jsonl', header('EXECUTER', 'T1-R1-aaaaaa'));
    appendFileSync(path.join(folder, 'session-1.jsonl'), JSON.stringify(call('c1', 5)));
    expect(await l.read()).toEqual([]);
    appendFileSync(path.join(folder, 'session-1.jsonl'), '\n');
    expect((await l.read()).map((c) => c.callId)).toEqual(['c1']);
    const { usage: _usage, ...noUsage } = mockTranscript;
    writeFileSync(path.join(folder, 'session-2.jsonl'), `${JSON.stringify(call('c9', 1))}\n`);
    const none = new UsageLedger({ source: noUsage, projectDir, env: { MOCK_USAGE_DIR: usageDir }, role: 'EXECUTER', cli: 'x' });
    expect(await none.read()).toEqual([]);
  });
});
