/**
 * Issue 18, items 14 and 15: what a kill -9 can leave half-done in a task's delivery, and what `--resume` does with it.
 * - The `pasted` receipt is durably recorded before Enter is pressed (the CLI may take the message at Enter).
 * - A message whose receipt still says `written` may be in the input box already: resume checks before pasting.
 * - A status recorded before the kill is not recorded again when the resumed turn reads it off the screen.
 * - A `complete` recorded before the kill ends the task on resume: the review is not sent again.
 */
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import type { DeliveryRecord, MessageRecord, TaskRecord } from '../state/types.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import type { DialogueMessage, TaskStatus } from './machine.ts';
import { planResume } from './resume.ts';
import { type DeliveryReport, runTask } from './run-task.ts';

const at = '2026-12-07T04:00:00.000Z';
const m = (from: MessageRecord['from'], to: MessageRecord['to'], type: MessageRecord['type'], id: string, body: string): MessageRecord => ({ from, to, type, id, body, at });
const receipt = (id: string, to: DeliveryRecord['to'], type: DeliveryRecord['type'], body: string, stage: DeliveryRecord['stage'], after: number): DeliveryRecord => ({
  id, to, type, body, stage, at, after,
});
function task(messages: MessageRecord[], deliveries: DeliveryRecord[], rounds = 1): TaskRecord {
  return { id: 'T1', task: 'the task', status: 'interrupted', rounds, startedAt: at, endedAt: at, messages, pid: 1, socket: 's', projectDir: '/p', deliveries };
}
const taskMsg = m('ORCHESTRATOR', 'PLANNER', 'task', 'T1-R0-aaaaaa', 'the task');
const plan = m('PLANNER', 'EXECUTER', 'plan', 'T1-R0-aaaaaa', 'the plan');
const status = m('EXECUTER', 'PLANNER', 'status', 'T1-R1-bbbbbb', 'Working on step 1');
const result = m('EXECUTER', 'PLANNER', 'result', 'T1-R1-bbbbbb', 'Done');
const review = m('ORCHESTRATOR', 'PLANNER', 'review', 'T1-R1-cccccc', 'Done');
const complete = m('PLANNER', 'ORCHESTRATOR', 'complete', 'T1-R1-cccccc', 'All done');

/** A pane that shows what it is given and records what happens to it, in order, with the recorder's steps. */
class Pane implements PaneChannel {
  screen: string[] = [];
  submitted: string[] = [];
  constructor(
    readonly role: 'PLANNER' | 'EXECUTER',
    readonly paneId: string,
    private readonly log: string[],
    private readonly answer: (text: string) => string[],
  ) {}
  async mark(options?: { lookBack?: boolean }) {
    return options?.lookBack ? 0 : this.screen.length;
  }
  async submit(text: string, options?: { onPasted?: () => void | Promise<void>; mayBeInBox?: boolean }) {
    this.log.push(`${this.role} paste${options?.mayBeInBox ? ' (may be in the box)' : ''}`);
    await options?.onPasted?.();
    this.log.push(`${this.role} Enter`);
    this.submitted.push(text);
    this.screen.push(...this.answer(text));
  }
  async readSince(position: unknown) {
    return this.screen.slice(position as number).join('\n');
  }
  async screenState() {
    return 'idle' as const;
  }
  async lastLines() {
    return '';
  }
}

function world(answer: { PLANNER: (text: string) => string[]; EXECUTER: (text: string) => string[] }) {
  const log: string[] = [];
  let now = 0;
  const panes = { PLANNER: new Pane('PLANNER', '%1', log, answer.PLANNER), EXECUTER: new Pane('EXECUTER', '%2', log, answer.EXECUTER) };
  const channels: DialogueChannels = { ...panes, liveness: async () => [], waitForChange: async (ms: number) => void (now += ms) };
  const recorded: DialogueMessage[] = [];
  const ends: { status: TaskStatus; reason: string }[] = [];
  const recorder = {
    async record(message: DialogueMessage) {
      recorded.push(message);
    },
    async delivery(report: DeliveryReport) {
      // A durable write takes a while (fsync): the step is logged when it is done.
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`receipt ${report.to} ${report.stage}`);
    },
    async setRounds() {},
    async finish(s: TaskStatus, reason: string) {
      ends.push({ status: s, reason });
    },
  };
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  return { log, panes, channels, recorder, recorded, ends, clock };
}

const block = (to: string, type: string, id: string, body: string) => formatBlock({ to: to as 'PLANNER', type: type as 'status', id }, body);

describe('delivery receipts across a kill', () => {
  it('records the pasted receipt durably before pressing Enter', async () => {
    const w = world({
      PLANNER: (text) => (text.includes('"type":"task"') ? [block('ORCHESTRATOR', 'complete', /"id":"([^"]+)"/.exec(text)?.[1] ?? '', 'done')] : []),
      EXECUTER: () => [],
    });
    const outcome = await runTask({
      channels: w.channels, recorder: w.recorder, clock: w.clock, taskNumber: 1, start: { task: 'the task' },
      limits: { maxRounds: 3, planTimeoutSec: 60, execTimeoutSec: 60 }, newId: () => 'T1-R0-aaaaaa', pollMs: 100,
    });
    expect(outcome.status).toBe('completed');
    expect(w.log.slice(0, 4)).toEqual(['receipt PLANNER written', 'PLANNER paste', 'receipt PLANNER pasted', 'PLANNER Enter']);
  });

  it('on resume of a message whose receipt says written, checks the input box before pasting', async () => {
    const plan1 = planResume(task([taskMsg, plan], [receipt('T1-R0-aaaaaa', 'PLANNER', 'task', 'the task', 'answered', 0), receipt('T1-R1-bbbbbb', 'EXECUTER', 'plan', 'the plan', 'written', 2)]));
    expect(plan1).toMatchObject({ kind: 'resend', role: 'EXECUTER', id: 'T1-R1-bbbbbb', mayBeInBox: true });
    if (typeof plan1 === 'string') throw new Error(plan1);
    const w = world({
      PLANNER: (text) => (text.includes('"type":"review"') ? [block('ORCHESTRATOR', 'complete', /"id":"([^"]+)"/.exec(text)?.[1] ?? '', 'All done')] : []),
      EXECUTER: () => [block('PLANNER', 'result', 'T1-R1-bbbbbb', 'Done')],
    });
    const outcome = await runTask({
      channels: w.channels, recorder: w.recorder, clock: w.clock, taskNumber: 1, start: { resume: plan1 },
      limits: { maxRounds: 3, planTimeoutSec: 60, execTimeoutSec: 60 }, newId: () => 'T1-R1-cccccc', pollMs: 100,
    });
    expect(outcome.status).toBe('completed');
    expect(w.log.filter((l) => l.startsWith('EXECUTER'))).toEqual(['EXECUTER paste (may be in the box)', 'EXECUTER Enter']);
  });

  it('does not take again a status recorded before the kill, and records the reply once', async () => {
    const t = task([taskMsg, plan, status], [receipt('T1-R0-aaaaaa', 'PLANNER', 'task', 'the task', 'answered', 0), receipt('T1-R1-bbbbbb', 'EXECUTER', 'plan', 'the plan', 'submitted', 2)]);
    const resume = planResume(t);
    expect(resume).toMatchObject({ kind: 'await', role: 'EXECUTER', id: 'T1-R1-bbbbbb' });
    if (typeof resume === 'string') throw new Error(resume);
    const w = world({
      PLANNER: (text) => (text.includes('"type":"review"') ? [block('ORCHESTRATOR', 'complete', /"id":"([^"]+)"/.exec(text)?.[1] ?? '', 'All done')] : []),
      EXECUTER: () => [],
    });
    // The executer's screen still shows the status it gave before the kill, then its result.
    w.panes.EXECUTER.screen.push(block('PLANNER', 'status', 'T1-R1-bbbbbb', 'Working on step 1'), block('PLANNER', 'result', 'T1-R1-bbbbbb', 'Done'));
    const outcome = await runTask({
      channels: w.channels, recorder: w.recorder, clock: w.clock, taskNumber: 1, start: { resume },
      limits: { maxRounds: 3, planTimeoutSec: 60, execTimeoutSec: 60 }, newId: () => 'T1-R1-cccccc', pollMs: 100,
    });
    expect(outcome.status).toBe('completed');
    expect(w.recorded.map((r) => `${r.from} ${r.type}`)).toEqual(['EXECUTER result', 'ORCHESTRATOR review', 'PLANNER complete']);
  });

  it('ends a task whose complete was recorded before the kill, without sending the review again', async () => {
    const t = task([taskMsg, plan, status, result, review, complete], [
      receipt('T1-R0-aaaaaa', 'PLANNER', 'task', 'the task', 'answered', 0),
      receipt('T1-R1-bbbbbb', 'EXECUTER', 'plan', 'the plan', 'answered', 2),
      receipt('T1-R1-cccccc', 'PLANNER', 'review', 'Done', 'answered', 5),
    ]);
    const resume = planResume(t);
    if (typeof resume === 'string') throw new Error(resume);
    const w = world({ PLANNER: () => [block('ORCHESTRATOR', 'complete', 'T1-R1-cccccc', 'All done')], EXECUTER: () => [] });
    const outcome = await runTask({
      channels: w.channels, recorder: w.recorder, clock: w.clock, taskNumber: 1, start: { resume },
      limits: { maxRounds: 3, planTimeoutSec: 60, execTimeoutSec: 60 }, newId: () => 'T1-R2-dddddd', pollMs: 100,
    });
    expect(outcome.status).toBe('completed');
    expect(w.panes.PLANNER.submitted).toEqual([]);
    expect(w.recorded).toEqual([]);
  });
});
