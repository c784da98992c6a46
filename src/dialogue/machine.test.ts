import { describe, expect, it } from 'vitest';
import type { Block, BlockHeader } from '../protocol/types.ts';
import {
  type DialogueEvent,
  type DialogueState,
  type Transition,
  expectLine,
  initialState,
  summarize,
  transition,
} from './machine.ts';

const limits = { maxRounds: 3, planTimeoutSec: 300, execTimeoutSec: 900 };

/** Runs events through the machine with a counter for ids and a settable clock. */
function harness(maxRounds = 3) {
  let counter = 0;
  let now = 1_000;
  let state: DialogueState = initialState(7, maxRounds);
  const step = (event: DialogueEvent): Transition => {
    const t = transition(state, event, {
      now,
      newId: (round) => `T7-R${round}-id${++counter}`,
      limits: { ...limits, maxRounds },
    });
    state = t.state;
    return t;
  };
  return {
    step,
    get state() {
      return state;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

function block(header: BlockHeader, body = 'body'): Block {
  return { header, body, startLine: 0, endLine: 2 };
}

describe('dialogue machine', () => {
  it('sends the task to the planner and records it from ORCHESTRATOR', () => {
    const h = harness();
    const t = h.step({ kind: 'start', task: 'Create hello.txt containing Hello' });
    expect(t.effects).toEqual([
      {
        kind: 'record',
        message: { from: 'ORCHESTRATOR', to: 'PLANNER', type: 'task', id: 'T7-R0-id1', body: 'Create hello.txt containing Hello' },
      },
      {
        kind: 'send',
        to: 'PLANNER',
        type: 'task',
        id: 'T7-R0-id1',
        body: 'Create hello.txt containing Hello',
        expect: expectLine('PLANNER', 'T7-R0-id1'),
      },
      { kind: 'progress', text: 'task sent to PLANNER' },
    ]);
    expect(h.state.pending).toEqual({ role: 'PLANNER', id: 'T7-R0-id1', sentType: 'task', sentAt: 1000, reminded: false });
  });

  it('runs plan → status → result → review → continue → result → review → complete', () => {
    const h = harness();
    h.step({ kind: 'start', task: 'do it' });
    const plan = h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }, '<PLAN>1. a</PLAN>') });
    expect(plan.effects).toEqual([
      { kind: 'record', message: { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1', body: '<PLAN>1. a</PLAN>' } },
      { kind: 'send', to: 'EXECUTER', type: 'plan', id: 'T7-R1-id2', body: '<PLAN>1. a</PLAN>', expect: expectLine('EXECUTER', 'T7-R1-id2') },
      { kind: 'progress', text: 'plan sent to EXECUTER (round 1)' },
    ]);
    expect(h.state.rounds).toBe(1);

    const status = h.step({ kind: 'reply', role: 'EXECUTER', block: block({ to: 'PLANNER', type: 'status', id: 'T7-R1-id2' }, 'step 1\nmore') });
    expect(status.effects).toEqual([
      { kind: 'record', message: { from: 'EXECUTER', to: 'PLANNER', type: 'status', id: 'T7-R1-id2', body: 'step 1\nmore' } },
    ]);
    expect(h.state.pending?.role).toBe('EXECUTER');

    const result = h.step({ kind: 'reply', role: 'EXECUTER', block: block({ to: 'PLANNER', type: 'result', id: 'T7-R1-id2' }, 'done') });
    expect(result.effects).toEqual([
      { kind: 'record', message: { from: 'EXECUTER', to: 'PLANNER', type: 'result', id: 'T7-R1-id2', body: 'done' } },
      { kind: 'record', message: { from: 'ORCHESTRATOR', to: 'PLANNER', type: 'review', id: 'T7-R1-id3', body: 'done' } },
      { kind: 'send', to: 'PLANNER', type: 'review', id: 'T7-R1-id3', body: 'done', expect: expectLine('PLANNER', 'T7-R1-id3'), extra: { re: 'result' } },
      { kind: 'progress', text: 'result sent to PLANNER for review' },
    ]);

    h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'continue', id: 'T7-R1-id3' }) });
    expect(h.state.rounds).toBe(2);
    h.step({ kind: 'reply', role: 'EXECUTER', block: block({ to: 'PLANNER', type: 'error', id: 'T7-R2-id4' }, 'oops') });
    expect(h.state.pending).toMatchObject({ role: 'PLANNER', id: 'T7-R2-id5', sentType: 'review' });
    const done = h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'ORCHESTRATOR', type: 'complete', id: 'T7-R2-id5' }, 'All done.') });
    expect(done.effects).toEqual([
      { kind: 'record', message: { from: 'PLANNER', to: 'ORCHESTRATOR', type: 'complete', id: 'T7-R2-id5', body: 'All done.' } },
      { kind: 'finish', status: 'completed', reason: 'All done.' },
    ]);
    expect(h.state).toEqual({ taskNumber: 7, rounds: 2, maxRounds: 3, status: 'completed', pending: null });
    // Nothing moves a finished task.
    expect(h.step({ kind: 'tick', idle: true }).effects).toEqual([]);
  });

  it('keeps header fields other than to/type/id: recorded with the reply and forwarded with it (docs/protocol.md)', () => {
    const h = harness();
    h.step({ kind: 'start', task: 'x' });
    const plan = block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1', priority: 'high', files: ['a.ts'] }, 'the plan');
    const t = h.step({ kind: 'reply', role: 'PLANNER', block: plan });
    expect(t.effects[0]).toEqual({
      kind: 'record',
      message: { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1', body: 'the plan', extra: { priority: 'high', files: ['a.ts'] } },
    });
    const send = t.effects.find((e) => e.kind === 'send');
    expect(send).toMatchObject({ kind: 'send', to: 'EXECUTER', type: 'plan', body: 'the plan', extra: { priority: 'high', files: ['a.ts'] } });
    const result = block({ to: 'PLANNER', type: 'result', id: 'T7-R1-id2', progress: 1 }, 'done');
    const review = h.step({ kind: 'reply', role: 'EXECUTER', block: result }).effects.find((e) => e.kind === 'send');
    expect(review).toMatchObject({ kind: 'send', to: 'PLANNER', type: 'review', extra: { progress: 1, re: 'result' } });
  });

  it('ignores replies with another id, from the other pane, or of a type not allowed', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    const before = h.state;
    expect(h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'plan', id: 'other' }) }).effects).toEqual([]);
    expect(h.step({ kind: 'reply', role: 'EXECUTER', block: block({ to: 'PLANNER', type: 'result', id: 'T7-R0-id1' }) }).effects).toEqual([]);
    expect(h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'result', id: 'T7-R0-id1' }) }).effects).toEqual([
      { kind: 'progress', text: 'ignored a result block to EXECUTER from PLANNER: not a valid reply here' },
    ]);
    expect(h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'ORCHESTRATOR', type: 'plan', id: 'T7-R0-id1' }) }).effects).toEqual([
      { kind: 'progress', text: 'ignored a plan block to ORCHESTRATOR from PLANNER: not a valid reply here' },
    ]);
    expect(h.state).toEqual(before);
  });

  it('ends with max_rounds when the planner asks for more rounds than allowed', () => {
    const h = harness(1);
    h.step({ kind: 'start', task: 't' });
    h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }) });
    h.step({ kind: 'reply', role: 'EXECUTER', block: block({ to: 'PLANNER', type: 'result', id: 'T7-R1-id2' }) });
    const t = h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'revision', id: 'T7-R1-id3' }, 'again') });
    expect(t.effects).toEqual([
      { kind: 'record', message: { from: 'PLANNER', to: 'EXECUTER', type: 'revision', id: 'T7-R1-id3', body: 'again' } },
      { kind: 'finish', status: 'max_rounds', reason: 'the PLANNER asked for round 2 but --max-rounds is 1' },
    ]);
    expect(h.state.rounds).toBe(1);
    expect(h.state.status).toBe('max_rounds');
  });

  it('fails when the planner reports an error', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    const t = h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'ORCHESTRATOR', type: 'error', id: 'T7-R0-id1' }, 'cannot') });
    expect(t.effects.at(-1)).toEqual({ kind: 'finish', status: 'failed', reason: 'the PLANNER reported an error: cannot' });
  });

  it('reminds once at a third of the timeout when idle, then times out', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    h.advance(99_999);
    expect(h.step({ kind: 'tick', idle: true }).effects).toEqual([]);
    h.advance(1);
    expect(h.step({ kind: 'tick', idle: false }).effects).toEqual([]); // busy: no reminder
    const r = h.step({ kind: 'tick', idle: true });
    expect(r.effects).toEqual([
      {
        kind: 'remind',
        to: 'PLANNER',
        text: `Reminder from poli: I am still waiting for your reply to message T7-R0-id1. ${expectLine('PLANNER', 'T7-R0-id1')}`,
      },
      { kind: 'progress', text: 'reminded PLANNER of message T7-R0-id1' },
    ]);
    expect(h.step({ kind: 'tick', idle: true }).effects).toEqual([]); // only once
    h.advance(200_000);
    expect(h.step({ kind: 'tick', idle: false }).effects).toEqual([
      { kind: 'finish', status: 'timeout', reason: 'no reply from the PLANNER within 300 s (message T7-R0-id1)' },
    ]);
    expect(h.state.status).toBe('timeout');
  });

  it('uses the executer timeout while the executer works', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }) });
    h.advance(899_999);
    expect(h.step({ kind: 'tick', idle: false }).effects).toEqual([]);
    h.advance(1);
    expect(h.step({ kind: 'tick', idle: false }).effects[0]).toMatchObject({ kind: 'finish', status: 'timeout' });
  });

  it('stops as interrupted or failed on request', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    expect(h.step({ kind: 'interrupt', reason: 'SIGINT' }).effects).toEqual([{ kind: 'finish', status: 'interrupted', reason: 'SIGINT' }]);
    const g = harness();
    g.step({ kind: 'start', task: 't' });
    expect(g.step({ kind: 'fail', reason: 'pane died' }).effects).toEqual([{ kind: 'finish', status: 'failed', reason: 'pane died' }]);
  });

  it('restarts the pending clock on resend', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    h.advance(5_000);
    h.step({ kind: 'resend' });
    expect(h.state.pending?.sentAt).toBe(6_000);
  });

  it('forwards an edited plan, recording the planner\'s words and the edit from HUMAN', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    const t = h.step({
      kind: 'reply',
      role: 'PLANNER',
      block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }, 'rm -rf /'),
      editedBody: 'ls',
    });
    expect(t.effects).toEqual([
      { kind: 'record', message: { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1', body: 'rm -rf /' } },
      { kind: 'record', message: { from: 'HUMAN', to: 'EXECUTER', type: 'plan', id: 'T7-R1-id2', body: 'ls' } },
      { kind: 'send', to: 'EXECUTER', type: 'plan', id: 'T7-R1-id2', body: 'ls', expect: expectLine('EXECUTER', 'T7-R1-id2') },
      { kind: 'progress', text: 'plan sent to EXECUTER (round 1)' },
    ]);
  });

  it('sends a rejection back to the planner as a review from HUMAN, without counting a round', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    const t = h.step({
      kind: 'reject',
      role: 'PLANNER',
      block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }, 'bad plan'),
      feedback: 'too risky',
    });
    expect(t.effects).toEqual([
      { kind: 'record', message: { from: 'PLANNER', to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1', body: 'bad plan' }, rejected: true },
      { kind: 'record', message: { from: 'HUMAN', to: 'PLANNER', type: 'review', id: 'T7-R0-id2', body: 'too risky' }, rejected: true },
      { kind: 'send', to: 'PLANNER', type: 'review', id: 'T7-R0-id2', body: 'too risky', expect: expectLine('PLANNER', 'T7-R0-id2'), extra: { re: 'rejected' } },
      { kind: 'progress', text: 'plan rejected by you (not forwarded to the EXECUTER); your reason was sent back to the PLANNER' },
    ]);
    expect(h.state.rounds).toBe(0);
  });

  it('sends a rejected result back to the executer as a revision round', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    h.step({ kind: 'reply', role: 'PLANNER', block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }) });
    const t = h.step({
      kind: 'reject',
      role: 'EXECUTER',
      block: block({ to: 'PLANNER', type: 'result', id: 'T7-R1-id2' }, 'done?'),
      feedback: 'you skipped step 2',
    });
    expect(t.effects.map((e) => e.kind)).toEqual(['record', 'record', 'send', 'progress']);
    expect(t.effects[1]).toEqual({
      kind: 'record',
      message: { from: 'HUMAN', to: 'EXECUTER', type: 'revision', id: 'T7-R2-id3', body: 'you skipped step 2' },
      rejected: true,
    });
    expect(h.state.rounds).toBe(2);
  });

  it('replays an already recorded reply without recording it again (resume)', () => {
    const h = harness();
    h.step({ kind: 'start', task: 't' });
    const t = h.step({
      kind: 'reply',
      role: 'PLANNER',
      block: block({ to: 'EXECUTER', type: 'plan', id: 'T7-R0-id1' }, 'p'),
      alreadyRecorded: true,
    });
    expect(t.effects.map((e) => e.kind)).toEqual(['send', 'progress']);
  });

  it('summarizes the first non-blank line', () => {
    expect(summarize('\n\n  hello world  \nnext')).toBe('hello world');
    expect(summarize('x'.repeat(120), 10)).toBe('xxxxxxxxx…');
  });
});
