import { describe, expect, it } from 'vitest';
import { toPublicState } from '../state/store.ts';
import type { TaskRecord, WaitRecord } from '../state/types.ts';
import { renderTranscript } from '../records/transcript.ts';
import { renderTaskDetail } from './state-view.ts';
import { pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';

const STARTED = Date.UTC(2026, 10, 28, 5, 0, 0);

const usage: WaitRecord = {
  kind: 'usage',
  role: 'EXECUTER',
  reason: 'the EXECUTER hit its usage limit (resets 7:27 AM); poli checks it again at 07:29 UTC',
  since: new Date(STARTED + 60_000).toISOString(),
  until: '2026-11-28T07:29:00.000Z',
  resetAt: '2026-11-28T07:27:00.000Z',
};

function task(overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: 'T3',
    task: 'Create hello.txt',
    status: 'waiting',
    waiting: usage,
    waits: [usage],
    rounds: 1,
    startedAt: new Date(STARTED).toISOString(),
    endedAt: null,
    messages: [],
    pid: 100,
    socket: 'poli',
    projectDir: '/work/p',
    ...overrides,
  };
}

describe('a waiting task', () => {
  it('the status line says who waits, for what, and how long until poli looks again', () => {
    expect(renderStatusLine(task(), Date.parse('2026-11-28T07:19:00.000Z'), null)).toBe('poli T3 r1 EXECUTER limit 10:00');
    const login = task({ waiting: { ...usage, kind: 'auth', until: null, reason: 'log in to codex in pane %2 (tmux -L poli attach): …' } });
    expect(renderStatusLine(login, STARTED, null)).toBe('poli T3 r1 EXECUTER login');
    const budget = task({ waiting: { ...usage, kind: 'budget', until: null, reason: 'its budget $5.00 is spent ($5.20): …' } });
    expect(renderStatusLine(budget, STARTED, null)).toBe('poli T3 r1 EXECUTER budget');
  });

  it('is the task the status is about, as a running one is', () => {
    expect(pickStatusTask([task({ id: 'T4', status: 'completed', waiting: undefined }), task()], 'poli')?.id).toBe('T3');
  });

  it('--state --json shows status waiting with the reason and until when', () => {
    const [shown] = toPublicState([task()]).tasks;
    expect(Object.keys(shown ?? {})).toEqual(['id', 'task', 'status', 'waiting', 'rounds', 'startedAt', 'endedAt', 'messages', 'projectDir', 'socket']);
    expect(shown?.waiting).toEqual({ kind: 'usage', role: 'EXECUTER', reason: usage.reason, until: usage.until, resetAt: usage.resetAt });
    const [running] = toPublicState([task({ status: 'running', waiting: undefined })]).tasks;
    expect(Object.keys(running ?? {})).not.toContain('waiting');
  });

  it('--state ID and the transcript say it', () => {
    expect(renderTaskDetail(task(), STARTED)).toContain(`waiting: ${usage.reason} (until ${usage.until})`);
    expect(renderTranscript(task({ status: 'completed', waiting: undefined }))).toContain(`**Waited** from ${usage.since} until ${usage.until}: ${usage.reason}`);
  });
});
