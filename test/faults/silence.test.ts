/**
 * Silence: a CLI that stops answering is reminded once, then the task times out (--plan-timeout /
 * --exec-timeout, in seconds, decimals allowed) with the last screen lines in the error and status `timeout`.
 * A CLI waiting at a permission prompt is reported as "waiting for approval" (shown and logged), not as silence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultWorld,
  FAULT_TEST_TIMEOUT_MS,
  createFaultWorld,
  dialogueOf,
  eventsWith,
  oneRoundDialogue,
  sleep,
  waitForReceivedBlock,
} from './fault-world.ts';
import { waitFor } from '../helpers/tmux-sandbox.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('a silent CLI', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it.each([
    { role: 'EXECUTER' as const, flag: '--exec-timeout', seconds: '3', recorded: 2 },
    { role: 'PLANNER' as const, flag: '--plan-timeout', seconds: '2.5', recorded: 1 },
  ])('the $role is reminded once, then the task times out after $flag $seconds with its last screen lines', async ({ role, flag, seconds, recorded }) => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create q.txt containing Q', '--kill-on-exit', flag, seconds], {
      [`MOCK_${role}_SILENT_AT`]: '1',
    });
    expect(await run.exited).toBe(1);
    const received = await world.received(role);
    const message = received.flatMap((r) => r.blocks)[0];
    const id = message?.header.id ?? '(none)';

    const task = await world.task('T1');
    expect.soft(task.status).toBe('timeout');
    expect.soft(dialogueOf(task.messages)).toEqual(oneRoundDialogue('q.txt', 'Q').slice(0, recorded));
    const error = task.error ?? '';
    expect.soft(error).toMatch(new RegExp(`^no reply from the ${role} within ${seconds.replace('.', '\\.')} s \\(message ${id}\\)`));
    // The error shows the CLI's last screen lines: its answer to the reminder is among them.
    expect.soft(error).toContain('Last lines of its screen:');
    expect.soft(error).toContain(`Ready. I am the ${role}.`);
    expect.soft(run.stderr()).toContain(`poli: task T1 ended timeout: no reply from the ${role} within ${seconds} s (message ${id})`);

    // Exactly one reminder, typed after the message, naming its id.
    const reminders = received.filter((r) => r.text.startsWith('Reminder from poli:'));
    expect.soft(reminders.map((r) => r.text.split('. ')[0])).toEqual([`Reminder from poli: I am still waiting for your reply to message ${id}`]);
    expect.soft(reminders[0]?.blocks).toEqual([]);
    expect.soft(run.stdout()).toContain(`reminded ${role} of message ${id}`);
  });
});

describe('a CLI waiting for approval', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('is reported as waiting for approval (shown and logged), is neither reminded nor timed out, and goes on once approved', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create w.txt containing W', '--kill-on-exit', '--exec-timeout', '3'], {
      MOCK_EXECUTER_APPROVAL_AT: '1',
    });
    await waitForReceivedBlock(world, 'EXECUTER');
    const pane = await world.paneOf('EXECUTER');
    await run.waitFor(/waiting for approval/, 10_000);
    const shown = (run.stdout() + run.stderr()).split('\n').find((l) => l.includes('waiting for approval')) ?? '';
    expect.soft(shown).toContain('EXECUTER');
    expect.soft(shown).toContain(pane);
    // The terminal line comes first; winston writes the log file asynchronously, so wait for it to land.
    const logged = await waitFor(
      async () => {
        const found = eventsWith(await world?.log() ?? [], 'waiting for approval');
        return found.length > 0 ? found : undefined;
      },
      () => 'the log never got the "waiting for approval" line',
      5_000,
    ).catch(() => []);
    expect.soft(logged.length).toBeGreaterThanOrEqual(1);

    // Well past the 3 s timeout, the task is still running and nothing was typed into the prompt.
    await sleep(4_000);
    expect.soft(run.child.exitCode).toBeNull();
    expect.soft((await world.task('T1')).status).toBe('running');
    expect.soft((await world.received('EXECUTER')).filter((r) => r.text.startsWith('Reminder from poli:'))).toEqual([]);

    // A person approves (option 1 of the mock's prompt): the dialogue goes on and completes.
    world.tmux(['send-keys', '-t', pane, '1']);
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect.soft(task.status).toBe('completed');
    expect.soft(dialogueOf(task.messages)).toEqual(oneRoundDialogue('w.txt', 'W'));
  });
});
