import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore, toPublicState } from '../state/store.ts';
import { renderTranscript } from '../records/transcript.ts';

describe('the channel a reply came through, recorded', () => {
  it('is kept in the task file, shown in the transcript, and an optional key of the public JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'poli-channel-'));
    const store = new StateStore({ dir, pid: 1, clock: { now: () => 0 }, isPidAlive: () => true, warn: () => undefined });
    const task = await store.createTask('fix it', { socket: 'poli', projectDir: '/p' });
    const at = '2026-01-02T03:04:06.000Z';
    await store.appendMessage(task.id, { from: 'ORCHESTRATOR', to: 'PLANNER', type: 'task', id: 'T1-R0-aaaaaa', body: 'fix it', at });
    const after = await store.appendMessage(task.id, { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R0-aaaaaa', body: 'do it', at, channel: 'tool' });
    expect(after.messages.map((m) => m.channel)).toEqual([undefined, 'tool']);
    const [publicTask] = toPublicState([after]).tasks;
    expect(publicTask?.messages[0]).not.toHaveProperty('channel');
    expect(publicTask?.messages[1]).toMatchObject({ channel: 'tool' });
    expect(renderTranscript(after)).toContain('### 2. PLANNER → EXECUTER · plan · T1-R0-aaaaaa · 03:04:06 · via tool');
  });

  it('keeps mayBeWrapped (a body read from the screen of a CLI that breaks long lines itself) in the file and the public JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'poli-channel-'));
    const store = new StateStore({ dir, pid: 1, clock: { now: () => 0 }, isPidAlive: () => true, warn: () => undefined });
    const task = await store.createTask('fix it', { socket: 'poli', projectDir: '/p' });
    const at = '2026-01-02T03:04:06.000Z';
    await store.appendMessage(task.id, { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T1-R0-aaaaaa', body: 'do it', at, channel: 'transcript' });
    const after = await store.appendMessage(task.id, { from: 'EXECUTER', to: 'PLANNER', type: 'result', id: 'T1-R1-bbbbbb', body: 'a long\nline', at, channel: 'screen', mayBeWrapped: true });
    expect(after.messages.map((m) => m.mayBeWrapped)).toEqual([undefined, true]);
    const [publicTask] = toPublicState([after]).tasks;
    expect(publicTask?.messages[0]).not.toHaveProperty('mayBeWrapped');
    expect(publicTask?.messages[1]).toMatchObject({ channel: 'screen', mayBeWrapped: true });
    expect(renderTranscript(after)).toContain('· via screen, may be wrapped');
  });
});
