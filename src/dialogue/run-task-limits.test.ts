/**
 * The dialogue over usage limits, retries, failed requests and expired logins, with an in-memory pane whose screen
 * says what limit-screens.ts would read from it, and an injected clock (no test waits for real time).
 */
import { describe, expect, it } from 'vitest';
import type { ControlCommand } from '../human/control.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';
import { formatBlock } from '../protocol/format-block.ts';
import { parseBlocks } from '../protocol/parse-blocks.ts';
import type { BlockHeader, Role } from '../protocol/types.ts';
import type { WaitRecord } from '../state/types.ts';
import type { PaneLiveness, ScreenState } from '../tmux/types.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import type { DialogueMessage, TaskStatus } from './machine.ts';
import { type CliSwitch, type ProgressEvent, type RunTaskOptions, type TaskRecorder, runTask } from './run-task.ts';

/** What a CLI does with a message: print lines, and what its screen says about its model API from then on. */
type Script = (header: BlockHeader | undefined, count: number) => { print?: string[]; limit?: (now: number) => LimitScreen | undefined; state?: ScreenState };

class LimitedPane implements PaneChannel {
  output: string[] = [];
  submitted: string[] = [];
  state: ScreenState = 'idle';
  limitAt: ((now: number) => LimitScreen | undefined) | undefined;
  readonly program = 'claude';
  private count = 0;
  constructor(
    readonly role: Role,
    readonly paneId: string,
    private script: Script,
    private clock: () => number,
  ) {}
  async mark() {
    return this.output.length;
  }
  async submit(text: string) {
    this.submitted.push(text);
    this.output.push(...text.split('\n').map((l, i) => (i === 0 ? `❯ ${l}` : `  ${l}`)));
    const header = parseBlocks(text).blocks.find((b) => b.header.to === this.role)?.header;
    if (header) this.count += 1;
    const step = this.script(header, this.count);
    this.output.push(...(step.print ?? []).flatMap((c) => c.split('\n')));
    this.limitAt = step.limit;
    this.state = step.state ?? 'idle';
  }
  async readSince(position: unknown) {
    return this.output.slice(position as number).join('\n');
  }
  async screenState() {
    return this.state;
  }
  async limit(now: number) {
    return this.limitAt?.(now);
  }
  async lastLines(n: number) {
    return this.output.slice(-n).join('\n');
  }
}

function reply(header: BlockHeader, body: string): string {
  return formatBlock(header, body)
    .split('\n')
    .map((l, i) => (i === 0 ? `● ${l}` : `  ${l}`))
    .join('\n');
}

const planner: Script = (h) => {
  if (!h) return {};
  if (h.type === 'task') return { print: [reply({ to: 'EXECUTER', type: 'plan', id: h.id }, 'Create hello.txt')] };
  return { print: [reply({ to: 'ORCHESTRATOR', type: 'complete', id: h.id }, 'All done.')] };
};

const answer = (h: BlockHeader) => ({ print: [reply({ to: 'PLANNER', type: 'result', id: h.id }, 'Created hello.txt')] });

const SEC = 1000;

function setup(executer: Script, extra: { control?: () => Promise<ControlCommand[]>; limitWaitMs?: number; switchCli?: RunTaskOptions['switchCli'] } = {}) {
  let now = 1_000_000;
  let ids = 0;
  const clock = () => now;
  const panes = { PLANNER: new LimitedPane('PLANNER', '%1', planner, clock), EXECUTER: new LimitedPane('EXECUTER', '%2', executer, clock) };
  const channels: DialogueChannels = {
    ...panes,
    async liveness(): Promise<PaneLiveness[]> {
      return [
        { paneId: '%1', dead: false },
        { paneId: '%2', dead: false },
      ];
    },
    async waitForChange(ms: number) {
      now += ms;
    },
  };
  const recorded: DialogueMessage[] = [];
  const ends: { status: TaskStatus; reason: string }[] = [];
  const waits: (WaitRecord | null)[] = [];
  const progress: ProgressEvent[] = [];
  const recorder: TaskRecorder = {
    async record(m) {
      recorded.push(m);
    },
    async setRounds() {},
    async finish(status, reason) {
      ends.push({ status, reason });
    },
    async waiting(wait) {
      waits.push(wait);
    },
  };
  const run = () =>
    runTask({
      channels,
      recorder,
      clock: { now: clock, sleep: async (ms) => void (now += ms) },
      // Short reply timeouts: every wait below is far longer, and must not count against them.
      limits: { maxRounds: 5, planTimeoutSec: 30, execTimeoutSec: 30 },
      taskNumber: 1,
      start: { task: 'Create hello.txt' },
      newId: (round) => `T1-R${round}-x${++ids}`,
      pollMs: 500,
      socket: 'poli-test',
      limitPolicy: { limitWaitMs: extra.limitWaitMs ?? 3600 * SEC, backoffFirstMs: 60 * SEC, backoffMaxMs: 600 * SEC, resetGraceMs: 30 * SEC, retryHoldMaxMs: 300 * SEC },
      onProgress: (p) => progress.push(p),
      ...(extra.control ? { control: extra.control } : {}),
      ...(extra.switchCli ? { switchCli: extra.switchCli } : {}),
    });
  return { panes, recorded, ends, waits, progress, run, now: () => now };
}

const EXEC_ID = 'T1-R1-x2';

describe('runTask over usage limits', () => {
  it('waits (status waiting) until the reset time shown, sends the message again under the same id, and completes', async () => {
    let resetAt = 0;
    const t = setup((h, count) => {
      if (!h) return {};
      if (count === 1) {
        resetAt = 1_000_000 + 2 * 3600 * SEC; // 2 h after the start: far beyond the 30 s timeout
        const screen: LimitScreen = { kind: 'usage', line: "⎿ You've hit your 5-hour limit · resets 7:30am (UTC)", resetAt, resetText: '7:30am (UTC)' };
        return { print: ["  ⎿  You've hit your 5-hour limit · resets 7:30am (UTC)"], limit: () => screen };
      }
      return answer(h);
    }, { limitWaitMs: 3 * 3600 * SEC });
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(t.waits).toHaveLength(2);
    expect(t.waits[0]).toMatchObject({
      kind: 'usage',
      role: 'EXECUTER',
      until: new Date(resetAt + 30 * SEC).toISOString(),
      resetAt: new Date(resetAt).toISOString(),
    });
    expect(t.waits[0]?.reason).toContain('resets 7:30am (UTC)');
    expect(t.waits[1]).toBeNull();
    // The same message, under the same id, typed twice; nothing else went to the executer.
    expect(t.panes.EXECUTER.submitted).toHaveLength(2);
    expect(t.panes.EXECUTER.submitted[1]).toBe(t.panes.EXECUTER.submitted[0]);
    expect(t.panes.EXECUTER.submitted[0]).toContain(`"id":"${EXEC_ID}"`);
    expect(t.now()).toBeGreaterThanOrEqual(resetAt + 30 * SEC);
    expect(t.recorded.map((m) => `${m.from}>${m.to} ${m.type} ${m.id}`)).toEqual([
      'ORCHESTRATOR>PLANNER task T1-R0-x1',
      'PLANNER>EXECUTER plan T1-R0-x1',
      `EXECUTER>PLANNER result ${EXEC_ID}`,
      'ORCHESTRATOR>PLANNER review T1-R1-x3',
      'PLANNER>ORCHESTRATOR complete T1-R1-x3',
    ]);
    expect(t.progress.filter((p) => p.kind === 'limit').map((p) => p.wait?.kind ?? 'over')).toEqual(['usage', 'over']);
  });

  it('without a reset time, waits on the backoff schedule and fails past --limit-wait', async () => {
    const screen: LimitScreen = { kind: 'usage', line: '■ Quota exceeded. Check your plan and billing details.' };
    const t = setup((h) => (h ? { print: [screen.line], limit: () => screen } : {}), { limitWaitMs: 600 * SEC });
    const outcome = await t.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toBe('the EXECUTER is still at its usage limit after --limit-wait 0.17 h: ■ Quota exceeded. Check your plan and billing details.');
    const starts = t.waits.filter((w): w is WaitRecord => w !== null);
    // 60 s, 120 s, 240 s, then what is left of the 600 s.
    const lengths = starts.map((w) => (Date.parse(w.until ?? '') - Date.parse(w.since)) / SEC);
    expect(lengths.slice(0, 3)).toEqual([60, 120, 240]);
    expect(lengths[3]).toBeLessThanOrEqual(180);
    // Each look after a wait typed the message again, same id.
    expect(new Set(t.panes.EXECUTER.submitted).size).toBe(1);
  });

  it('a reset time beyond --limit-wait fails at once, saying when', async () => {
    const screen: LimitScreen = { kind: 'usage', line: '■ You’ve hit your usage limit. … try again at Dec 1st, 2026 5:11 AM.', resetAt: 1_000_000 + 72 * 3600 * SEC };
    const t = setup((h) => (h ? { print: [screen.line], limit: () => screen } : {}));
    const outcome = await t.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('beyond --limit-wait 1 h');
  });

  it('the CLI that continues by itself ends the wait without a second message', async () => {
    let continued = false;
    const t = setup((h) => {
      if (!h) return {};
      const screen: LimitScreen = { kind: 'usage', line: 'Usage limit reached', resetAt: 1_000_000 + 600 * SEC, autoContinue: true };
      return { limit: (now) => (now < 1_000_000 + 650 * SEC ? screen : undefined) };
    });
    const pane = t.panes.EXECUTER;
    const origLimit = pane.limit.bind(pane);
    pane.limit = async (now: number) => {
      const s = await origLimit(now);
      if (!s && !continued && pane.submitted.length === 1) {
        // Claude Code resends by itself 30–90 s after the reset, and answers.
        continued = true;
        const id = parseBlocks(pane.submitted[0] ?? '').blocks[0]?.header.id ?? '';
        pane.output.push(...reply({ to: 'PLANNER', type: 'result', id }, 'Created hello.txt').split('\n'));
      }
      return s;
    };
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(pane.submitted).toHaveLength(1);
    expect(t.waits[0]?.reason).toContain('the CLI continues by itself');
  });

  it('the old limit line, still on the screen right after the message went again, starts no second wait', async () => {
    const screen: LimitScreen = { kind: 'usage', line: "⎿ You've hit your 5-hour limit · resets 7:30am (UTC)", resetAt: 1_000_000 + 600 * SEC };
    let resentAt = 0;
    let replied = false;
    const t = setup((h, count) => {
      if (!h) return {};
      if (count === 1) return { print: [screen.line], limit: () => screen };
      // The CLI redraws 2 s after taking the message again: until then its screen shows the old line.
      resentAt = t.now();
      return { limit: (now) => (now < resentAt + 2 * SEC ? screen : undefined) };
    });
    const pane = t.panes.EXECUTER;
    const orig = pane.limit.bind(pane);
    pane.limit = async (now: number) => {
      const seen = await orig(now);
      if (!seen && resentAt > 0 && !replied) {
        replied = true;
        pane.output.push(...reply({ to: 'PLANNER', type: 'result', id: EXEC_ID }, 'Created hello.txt').split('\n'));
      }
      return seen;
    };
    expect((await t.run()).status).toBe('completed');
    expect(t.waits.filter((w) => w !== null)).toHaveLength(1);
    expect(pane.submitted).toHaveLength(2);
  });

  it('poli resume cuts a wait short; poli stop ends it', async () => {
    const screen: LimitScreen = { kind: 'usage', line: 'limit', resetAt: 1_000_000 + 3000 * SEC };
    // The command arrives once the wait has begun.
    const once = (kind: 'resume' | 'stop', waits: () => readonly unknown[]) => {
      let sent = false;
      return async (): Promise<ControlCommand[]> => (waits().length > 0 && !sent ? ((sent = true), [{ kind }]) : []);
    };
    const resumed = setup((h, count) => (h ? (count === 1 ? { limit: () => screen } : answer(h)) : {}), {
      control: once('resume', () => resumed.waits),
    });
    expect((await resumed.run()).status).toBe('completed');
    expect(resumed.now()).toBeLessThan(1_000_000 + 60 * SEC);
    expect(resumed.panes.EXECUTER.submitted).toHaveLength(2);

    const stopped = setup((h) => (h ? { limit: () => screen } : {}), { control: once('stop', () => stopped.waits) });
    expect((await stopped.run()).status).toBe('interrupted');
    expect(stopped.now()).toBeLessThan(1_000_000 + 60 * SEC);
  });
});

describe('runTask over retries, failed requests and logins', () => {
  it('holds the timeouts while the CLI retries by itself, up to the bound', async () => {
    const retrying: LimitScreen = { kind: 'retrying', line: '✻ API error · retrying in 24s · attempt 1/10', attempt: { k: 1, of: 10 } };
    const t = setup((h) => (h ? { limit: (now) => (now < 1_000_000 + 200 * SEC ? retrying : undefined), state: 'busy' } : {}));
    const pane = t.panes.EXECUTER;
    const orig = pane.screenState.bind(pane);
    pane.screenState = async () => {
      if (pane.state === 'busy' && t.now() >= 1_000_000 + 200 * SEC) {
        pane.state = 'idle';
        const id = parseBlocks(pane.submitted[0] ?? '').blocks[0]?.header.id ?? '';
        pane.output.push(...reply({ to: 'PLANNER', type: 'result', id }, 'Created hello.txt').split('\n'));
      }
      return orig();
    };
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(t.progress.some((p) => p.kind === 'retrying' && p.text.includes('attempt 1/10'))).toBe(true);

    // Retrying for ever: held 300 s, then the 30 s timeout runs.
    const forever = setup((h) => (h ? { limit: () => retrying, state: 'busy' } : {}));
    const out = await forever.run();
    expect(out.status).toBe('timeout');
    expect(forever.now() - 1_000_000).toBeGreaterThanOrEqual(330 * SEC);
  });

  it('a failed request is sent again once under the same id, then the task fails with the CLI’s line', async () => {
    const failed: LimitScreen = { kind: 'failed', line: '● API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.' };
    const once = setup((h, count) => (h ? (count === 1 ? { print: [failed.line], limit: () => failed } : answer(h)) : {}));
    expect((await once.run()).status).toBe('completed');
    expect(once.panes.EXECUTER.submitted).toHaveLength(2);
    expect(once.panes.EXECUTER.submitted[1]).toBe(once.panes.EXECUTER.submitted[0]);

    const twice = setup((h) => (h ? { print: [failed.line], limit: () => failed } : {}));
    const outcome = await twice.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toBe(`the EXECUTER's request failed again: ${failed.line}`);
    expect(twice.panes.EXECUTER.submitted).toHaveLength(2);
  });

  it('a full context fails the task with the CLI’s line', async () => {
    const full: LimitScreen = { kind: 'context_full', line: '■ Codex ran out of room in the model’s context window.' };
    const t = setup((h) => (h ? { limit: () => full } : {}));
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'failed', reason: `the EXECUTER's context is full: ${full.line}` });
  });

  it('an expired login waits for a person, then sends the message again once the pane is idle without it', async () => {
    const auth: LimitScreen = { kind: 'auth', line: '● Please run /login · API Error: 401 Invalid authentication credentials' };
    // Someone logs in 10 minutes later: the screen no longer shows the error.
    const t = setup((h, count) => (h ? (count === 1 ? { limit: (now) => (now > 1_000_000 + 600 * SEC ? undefined : auth) } : answer(h)) : {}));
    expect((await t.run()).status).toBe('completed');
    expect(t.waits[0]).toMatchObject({ kind: 'auth', until: null });
    expect(t.waits[0]?.reason).toBe(`log in to claude in pane %2 (tmux -L poli-test attach): ${auth.line}`);
    expect(t.waits[1]).toBeNull();
    expect(t.panes.EXECUTER.submitted).toHaveLength(2);
  });
});

describe('runTask with --on-limit switch', () => {
  const usage: LimitScreen = { kind: 'usage', line: "⎿ You've hit your 5-hour limit · resets 7:30am (UTC)", resetAt: 1_000_000 + 2 * 3600 * SEC };
  const CONTEXT = '[poli: the EXECUTER CLI was switched to codex]\nThe task: Create hello.txt';

  it('restarts the role with its fallback and sends it the pending message, same id, with the task and the dialogue', async () => {
    let switched = false;
    const calls: string[] = [];
    const t = setup((h) => (h ? (switched ? answer(h) : { print: [usage.line], limit: () => usage }) : {}), {
      switchCli: async (role, screen): Promise<CliSwitch | null> => {
        calls.push(`${role}: ${screen.line}`);
        if (switched) return null;
        switched = true;
        return { program: 'codex', context: CONTEXT };
      },
    });
    const outcome = await t.run();
    expect(outcome.status).toBe('completed');
    expect(calls).toEqual([`EXECUTER: ${usage.line}`]);
    // No wait: the fallback answered at once.
    expect(t.waits).toEqual([]);
    expect(t.now() - 1_000_000).toBeLessThan(60 * SEC);
    const [first, second] = t.panes.EXECUTER.submitted;
    expect(t.panes.EXECUTER.submitted).toHaveLength(2);
    const blocks = [first, second].map((text) => parseBlocks(text ?? '').blocks[0]);
    expect(blocks.map((b) => b?.header)).toEqual([
      { to: 'EXECUTER', type: 'plan', id: EXEC_ID },
      { to: 'EXECUTER', type: 'plan', id: EXEC_ID },
    ]);
    expect(blocks[1]?.body).toBe(`${blocks[0]?.body}\n\n${CONTEXT}`);
    expect(t.progress.map((p) => p.text)).toContain(
      `the EXECUTER hit its usage limit (${usage.line}); switched it to codex: sending message ${EXEC_ID} again (same id) with the task and the dialogue so far`,
    );
    expect(t.recorded.map((m) => `${m.from}>${m.to} ${m.type}`)).toEqual([
      'ORCHESTRATOR>PLANNER task',
      'PLANNER>EXECUTER plan',
      'EXECUTER>PLANNER result',
      'ORCHESTRATOR>PLANNER review',
      'PLANNER>ORCHESTRATOR complete',
    ]);
  });

  it('waits as usual when the role has no fallback left', async () => {
    const t = setup((h, count) => (h ? (count === 1 ? { print: [usage.line], limit: () => usage } : answer(h)) : {}), {
      limitWaitMs: 3 * 3600 * SEC,
      switchCli: async () => null,
    });
    expect((await t.run()).status).toBe('completed');
    expect(t.waits[0]).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    expect(t.panes.EXECUTER.submitted[1]).toBe(t.panes.EXECUTER.submitted[0]);
  });
});
