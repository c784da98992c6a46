/**
 * Issue 18, item 18: a step of the wall clock (an NTP correction of an hour) must not stop the timeouts nor fire them at
 * once. Durations are measured on the clock's monotonic reading; wall time is kept for timestamps and reset times.
 * The clock here is fake: its monotonic reading advances only by the waits, its wall time jumps ±1 h after the first.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBlock } from '../protocol/format-block.ts';
import { REPLY_FILE_SETTLE_MS, withHandoff } from '../reading/handoff.ts';
import { durationClock } from '../tmux/clock.ts';
import type { Clock } from '../tmux/types.ts';
import type { DialogueChannels, PaneChannel } from '../reading/channel.ts';
import { runTask } from './run-task.ts';

const HOUR = 3_600_000;

function silentPane(role: 'PLANNER' | 'EXECUTER', paneId: string): PaneChannel {
  return {
    role,
    paneId,
    mark: async () => 0,
    submit: async () => undefined,
    readSince: async () => '',
    screenState: async () => 'busy',
    lastLines: async () => '',
  };
}

/** Runs a task whose planner never answers (timeout 60 s), the wall clock stepping by `step` after the first wait. */
async function runWithStep(step: number) {
  let mono = 1_000_000;
  let offset = 0;
  let waits = 0;
  const clock: Clock = { now: () => mono + offset, monotonic: () => mono, sleep: async (ms) => void (mono += ms) };
  const controller = new AbortController();
  const channels: DialogueChannels = {
    PLANNER: silentPane('PLANNER', '%1'),
    EXECUTER: silentPane('EXECUTER', '%2'),
    liveness: async () => [],
    waitForChange: async (ms: number) => {
      mono += ms;
      waits += 1;
      if (waits === 1) offset += step;
      // Bounds the run when the timeout does not fire (the code before the fix, on a backward step).
      if (mono - 1_000_000 > 10 * 60_000) controller.abort('the timeout never fired');
    },
  };
  const started = mono;
  const outcome = await runTask({
    channels,
    recorder: { record: async () => undefined, setRounds: async () => undefined, finish: async () => undefined },
    clock,
    limits: { maxRounds: 3, planTimeoutSec: 60, execTimeoutSec: 60 },
    taskNumber: 1,
    start: { task: 'the task' },
    newId: () => 'T1-R0-aaaaaa',
    pollMs: 500,
    signal: controller.signal,
  });
  return { outcome, elapsed: mono - started };
}

describe('wall-clock steps', () => {
  it.each([
    ['forward', HOUR],
    ['backward', -HOUR],
  ])('a step of an hour %s neither fires the reply timeout at once nor stops it', async (_name, step) => {
    const { outcome, elapsed } = await runWithStep(step);
    expect(outcome.status).toBe('timeout');
    expect(outcome.reason).toContain('no reply from the PLANNER within 60 s');
    // Fake time: the timeout fired on the first look at or after 60 s of monotonic time.
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThanOrEqual(60_500);
  });
});

describe('the reply files’ settle time across a wall-clock step', () => {
  it('takes a settled reply file when the wall clock stepped back an hour (the session measures on durationClock)', async () => {
    let mono = 5_000_000;
    let offset = 0;
    const clock = durationClock({ now: () => mono + offset, monotonic: () => mono, sleep: async (ms) => void (mono += ms) });
    const projectDir = await mkdtemp(path.join(tmpdir(), 'poli-clock-steps-'));
    const id = 'T1-R1-k9x2m4';
    const channel = withHandoff(silentPane('EXECUTER', '%2'), { projectDir, fileThreshold: 2048, now: () => clock.now() });
    await channel.mark({ id });
    await channel.submit(`${formatBlock({ to: 'EXECUTER', type: 'plan', id }, 'plan')}\nReply.`);
    await mkdir(path.join(projectDir, '.poli', 'replies'), { recursive: true });
    const reply = formatBlock({ to: 'PLANNER', type: 'result', id }, 'done');
    await writeFile(path.join(projectDir, '.poli', 'replies', `${id}.md`), reply);
    expect(await channel.readSince(0)).toBe('');
    offset -= HOUR;
    mono += REPLY_FILE_SETTLE_MS;
    expect(await channel.readSince(0)).toBe(`${reply}\n`);
  });
});
