import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { BlockHeader, Role } from '../protocol/types.ts';
import type { PaneLiveness, ScreenState } from '../tmux/types.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import type { DialogueMessage, TaskStatus } from './machine.ts';
import { type TaskRecorder, runTask } from './run-task.ts';

/** A scripted CLI: given what was submitted, returns the text it prints (or nothing). */
type Script = (submitted: string, header: BlockHeader | undefined) => string[];

class FakePane implements PaneChannel {
  output: string[] = [];
  submitted: string[] = [];
  state: ScreenState = 'idle';
  dead = false;
  wrapsLines?: boolean;
  constructor(
    readonly role: Role,
    readonly paneId: string,
    private script: Script,
  ) {}
  async mark() {
    return this.output.length;
  }
  async submit(text: string) {
    this.submitted.push(text);
    // CLIs echo their input, blocks included.
    this.output.push(...text.split('\n').map((l, i) => (i === 0 ? `❯ ${l}` : `  ${l}`)));
    const header = parseBlocks(text).blocks.find((b) => b.header.to === this.role)?.header;
    for (const chunk of this.script(text, header)) this.output.push(...chunk.split('\n'));
  }
  async readSince(position: unknown) {
    return this.output.slice(position as number).join('\n');
  }
  async screenState() {
    return this.state;
  }
  async lastLines(n: number) {
    return this.output.slice(-n).join('\n');
  }
}

function reply(header: BlockHeader, body: string): string {
  // Rendered like Claude Code: a bullet, then a two-space gutter.
  return formatBlock(header, body)
    .split('\n')
    .map((l, i) => (i === 0 ? `● ${l}` : `  ${l}`))
    .join('\n');
}

function setup(planner: Script, executer: Script, limits = { maxRounds: 20, planTimeoutSec: 300, execTimeoutSec: 900 }) {
  let now = 0;
  let ids = 0;
  const panes = { PLANNER: new FakePane('PLANNER', '%1', planner), EXECUTER: new FakePane('EXECUTER', '%2', executer) };
  const channels: DialogueChannels = {
    ...panes,
    async liveness(): Promise<PaneLiveness[]> {
      return [
        { paneId: '%1', dead: panes.PLANNER.dead, ...(panes.PLANNER.dead ? { exitStatus: 3 } : {}) },
        { paneId: '%2', dead: panes.EXECUTER.dead },
      ];
    },
    async waitForChange(ms: number) {
      now += ms;
    },
  };
  const recorded: DialogueMessage[] = [];
  const ends: { status: TaskStatus; reason: string }[] = [];
  const rounds: number[] = [];
  const recorder: TaskRecorder = {
    async record(m) {
      recorded.push(m);
    },
    async setRounds(r) {
      rounds.push(r);
    },
    async finish(status, reason) {
      ends.push({ status, reason });
    },
  };
  const ignored: string[] = [];
  const run = (task: string, signal?: AbortSignal) =>
    runTask({
      channels,
      recorder,
      clock: { now: () => now, sleep: async (ms) => void (now += ms) },
      limits,
      taskNumber: 1,
      start: { task },
      newId: (round) => `T1-R${round}-x${++ids}`,
      pollMs: 100,
      onIgnored: (_role, reason) => ignored.push(reason),
      ...(signal ? { signal } : {}),
    });
  return { panes, recorded, ends, rounds, ignored, run };
}

/** A planner that plans once, asks to continue `rounds - 1` times, then completes. */
function planner(rounds: number): Script {
  let reviews = 0;
  return (_text, h) => {
    if (!h) return [];
    if (h.type === 'task') return [reply({ to: 'EXECUTER', type: 'plan', id: h.id }, '<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>')];
    reviews += 1;
    if (reviews < rounds) return [reply({ to: 'EXECUTER', type: 'continue', id: h.id }, `Continue: step ${reviews + 1}`)];
    return [reply({ to: 'ORCHESTRATOR', type: 'complete', id: h.id }, 'All done.')];
  };
}

const executer: Script = (_text, h) =>
  h
    ? [
        reply({ to: 'PLANNER', type: 'status', id: h.id }, 'Working on step 1'),
        reply({ to: 'PLANNER', type: 'result', id: h.id }, 'Created hello.txt (5 bytes)'),
      ]
    : [];

describe('runTask', () => {
  it('records mayBeWrapped with a body read from the screen of a CLI that breaks long lines itself (issue 18, item 6)', async () => {
    const t = setup(planner(1), executer);
    t.panes.EXECUTER.wrapsLines = true;
    await t.run('Create hello.txt containing Hello');
    const flags = t.recorded.filter((m) => m.from !== 'ORCHESTRATOR').map((m) => `${m.from}:${m.type}:${m.mayBeWrapped === true}`);
    expect(flags).toEqual(['PLANNER:plan:false', 'EXECUTER:status:true', 'EXECUTER:result:true', 'PLANNER:complete:false']);
  });

  it('runs a three-round dialogue to completion and records each message once', async () => {
    const t = setup(planner(3), executer);
    const outcome = await t.run('Create hello.txt containing Hello');
    expect(outcome).toEqual({ status: 'completed', reason: 'All done.', rounds: 3 });
    expect(t.recorded.map((m) => `${m.from}>${m.to}:${m.type}:${m.id}`)).toEqual([
      'ORCHESTRATOR>PLANNER:task:T1-R0-x1',
      'PLANNER>EXECUTER:plan:T1-R0-x1',
      'EXECUTER>PLANNER:status:T1-R1-x2',
      'EXECUTER>PLANNER:result:T1-R1-x2',
      'ORCHESTRATOR>PLANNER:review:T1-R1-x3',
      'PLANNER>EXECUTER:continue:T1-R1-x3',
      'EXECUTER>PLANNER:status:T1-R2-x4',
      'EXECUTER>PLANNER:result:T1-R2-x4',
      'ORCHESTRATOR>PLANNER:review:T1-R2-x5',
      'PLANNER>EXECUTER:continue:T1-R2-x5',
      'EXECUTER>PLANNER:status:T1-R3-x6',
      'EXECUTER>PLANNER:result:T1-R3-x6',
      'ORCHESTRATOR>PLANNER:review:T1-R3-x7',
      'PLANNER>ORCHESTRATOR:complete:T1-R3-x7',
    ]);
    expect(t.rounds).toEqual([1, 2, 3]);
    expect(t.ends).toEqual([{ status: 'completed', reason: 'All done.' }]);
    // The executer received the plan as a block addressed to it, with a fresh id, and the expected-reply line.
    expect(t.panes.EXECUTER.submitted[0]).toBe(
      '[[POLI:MSG {"to":"EXECUTER","type":"plan","id":"T1-R1-x2"}]]\n<PLAN>\n1. Create hello.txt containing Hello\n</PLAN>\n[[/POLI:MSG]]\n' +
        'Reply with blocks addressed to PLANNER with "id":"T1-R1-x2": any number of "type":"status" blocks while you work, ' +
        'then exactly one "type":"result" (or "error"); put each block inside a ``` fence.',
    );
  });

  it('never takes an echo, a stale block or a wrong id as the reply', async () => {
    const t = setup(
      (_text, h) =>
        h
          ? [
              // The primer example and a block with a guessed id come first; then the real reply.
              reply({ to: 'EXECUTER', type: 'plan', id: 'ID_FROM_THE_MESSAGE' }, 'example'),
              reply({ to: 'EXECUTER', type: 'plan', id: 'T1-R0-x999' }, 'wrong'),
              h.type === 'task'
                ? reply({ to: 'EXECUTER', type: 'plan', id: h.id }, 'real plan')
                : reply({ to: 'ORCHESTRATOR', type: 'complete', id: h.id }, 'ok'),
            ]
          : [],
      executer,
    );
    const outcome = await t.run('t');
    expect(outcome.status).toBe('completed');
    expect(t.recorded.find((m) => m.type === 'plan')?.body).toBe('real plan');
    expect(t.ignored).toContain('ignored a plan block with id "ID_FROM_THE_MESSAGE": expected id "T1-R0-x1"');
    expect(t.ignored).toContain('ignored a plan block with id "T1-R0-x999": expected id "T1-R0-x1"');
  });

  it('times out when the planner stays silent, reminding it once', async () => {
    const t = setup(() => [], executer, { maxRounds: 20, planTimeoutSec: 3, execTimeoutSec: 9 });
    const outcome = await t.run('t');
    expect(outcome.status).toBe('timeout');
    expect(outcome.rounds).toBe(0);
    // The reason shows what the CLI's screen said last: here, the echo of the reminder.
    expect(outcome.reason).toBe(
      `no reply from the PLANNER within 3 s (message T1-R0-x1). Last lines of its screen:\n${t.panes.PLANNER.output.slice(-15).join('\n')}`,
    );
    expect(outcome.reason).toContain('❯ Reminder from poli: I am still waiting for your reply to message T1-R0-x1.');
    expect(t.panes.PLANNER.submitted).toHaveLength(2);
    expect(t.panes.PLANNER.submitted[1]).toMatch(/^Reminder from poli: I am still waiting for your reply to message T1-R0-x1\. /);
  });

  it('fails naming the pane and its exit when a CLI dies and no restart is possible', async () => {
    const t = setup(() => [], executer);
    const p = t.run('t');
    t.panes.PLANNER.dead = true;
    const outcome = await p;
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^the PLANNER CLI in pane %1 exited with status 3\. Last lines of its screen:\n❯ \[\[POLI:MSG/);
  });

  it('ends as interrupted when aborted', async () => {
    const controller = new AbortController();
    const t = setup(() => [], executer);
    const p = t.run('t', controller.signal);
    controller.abort('SIGINT');
    expect(await p).toEqual({ status: 'interrupted', reason: 'SIGINT', rounds: 0 });
    expect(t.ends).toEqual([{ status: 'interrupted', reason: 'SIGINT' }]);
  });
});
