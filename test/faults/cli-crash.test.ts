/**
 * A CLI exits or crashes — mid-task, or right at start (command not found). poli notices within about 2 s,
 * restarts it in the same pane, primes it again and re-sends the pending message, at most --restarts times
 * (default 2); after that the task fails naming the pane, its exit status or signal and its last screen lines.
 *
 * tmux 3.3a sometimes never fills #{pane_dead_status} for a program that ran a while (tmux-facts.md): the message
 * may then say only "exited". Assertions accept exactly those two forms.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultWorld,
  FAULT_TEST_TIMEOUT_MS,
  createFaultWorld,
  dialogueOf,
  eventsWith,
  expectWellFormedDialogue,
  oneRoundDialogue,
  waitForReceivedBlock,
} from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const ms = (iso: string) => Date.parse(iso);

describe('a CLI that exits or crashes', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it.each([
    { role: 'EXECUTER' as const, crashAt: 1, what: 'the plan' },
    { role: 'PLANNER' as const, crashAt: 2, what: 'the review' },
  ])('the $role crashing once on $what is restarted in its pane, primed again, and gets the same message again', async ({ role, crashAt }) => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create a.txt containing A', '--kill-on-exit'], {
      [`MOCK_${role}_CRASH_AT`]: String(crashAt),
      [`MOCK_${role}_CRASH_LIMIT`]: '1',
      MOCK_CRASH_FILE: world.crashFile,
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('poli: task T1 completed in 1 round(s).');

    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    const expected = oneRoundDialogue('a.txt', 'A');
    // A restarted planner has lost the conversation, as a real CLI would: its summary no longer names the task.
    if (role === 'PLANNER') expected[5] = ['PLANNER', 'ORCHESTRATOR', 'complete', 'Task complete after 1 round\nLast report:\nCreated a.txt (2 bytes)'];
    expect(dialogueOf(task.messages)).toEqual(expected);
    expectWellFormedDialogue(task.messages);
    expect(await readFile(path.join(world.projectDir, 'a.txt'), 'utf8')).toBe('A\n');

    const crashes = await world.crashes();
    expect(crashes.map((c) => [c.role, c.n])).toEqual([[role, crashAt]]);
    const log = await world.log();
    const restarts = log.filter((e) => e.event === 'restart');
    expect(restarts.map((e) => e.message)).toHaveLength(1);
    expect(restarts[0]?.message).toMatch(new RegExp(`^the ${role} CLI (exited with status 3|exited); restarting it \\(1 of 2\\)$`));

    // Same pane, primed twice.
    const pane = await world.paneOf(role);
    expect(eventsWith(log, `priming the ${role} CLI in pane`).map((e) => e.message)).toEqual([
      `priming the ${role} CLI in pane ${pane}`,
      `priming the ${role} CLI in pane ${pane}`,
    ]);
    // The restarted CLI got its primer again, then exactly the message it crashed on (same id, same text).
    const received = await world.received(role);
    const withBlocks = received.filter((r) => r.blocks.length > 0);
    const crashedOn = withBlocks[crashAt - 1];
    const resent = withBlocks[crashAt];
    expect(crashedOn?.text).toBeDefined();
    expect(resent?.text).toBe(crashedOn?.text);
    const crashIndex = received.indexOf(crashedOn as (typeof received)[number]);
    expect(received[crashIndex + 1]?.blocks).toEqual([]); // the primer, before the re-sent message
    expect(received[crashIndex + 2]).toBe(resent);

    const detectedMs = ms(restarts[0]?.timestamp ?? '') - (crashes[0]?.at ?? NaN);
    console.log(`[measure] crash detection (${role} crash → restart logged): ${detectedMs} ms`);
  });

  it('a CLI that crashes every time is restarted --restarts times (default 2), then the task fails naming the pane, exit status and last lines', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create b.txt containing B', '--kill-on-exit'], {
      MOCK_EXECUTER_CRASH_AT: '1',
      MOCK_CRASH_FILE: world.crashFile,
    });
    expect(await run.exited).toBe(1);
    const pane = await world.paneOf('EXECUTER');

    const crashes = await world.crashes();
    expect(crashes.map((c) => [c.role, c.n])).toEqual([
      ['EXECUTER', 1],
      ['EXECUTER', 1],
      ['EXECUTER', 1],
    ]);
    const log = await world.log();
    const restarts = log.filter((e) => e.event === 'restart').map((e) => e.message);
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toMatch(/^the EXECUTER CLI (exited with status 3|exited); restarting it \(1 of 2\)$/);
    expect(restarts[1]).toMatch(/^the EXECUTER CLI (exited with status 3|exited); restarting it \(2 of 2\)$/);

    const task = await world.task('T1');
    expect(task.status).toBe('failed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('b.txt', 'B').slice(0, 2));
    const error = task.error ?? '';
    expect(error).toMatch(new RegExp(`^the EXECUTER CLI in pane ${pane} (exited with status 3|exited)\\. Last lines of its screen:\\n`));
    expect(error).toContain('API Error: mock EXECUTER crashed on message 1 (--crash-at 1)');
    expect(run.stderr()).toContain(`poli: task T1 ended failed: ${error.split('\n')[0]}`);
    expect(run.stderr()).toContain('API Error: mock EXECUTER crashed on message 1 (--crash-at 1)');

    const failedAt = ms(eventsWith(log, 'task T1 failed')[0]?.timestamp ?? '');
    const restartTimes = log.filter((e) => e.event === 'restart').map((e) => ms(e.timestamp));
    const detections = [...restartTimes, failedAt].map((t, i) => t - (crashes[i]?.at ?? NaN));
    console.log(`[measure] crash detection (crash → restart/failure logged), 3 crashes: ${detections.join(', ')} ms`);
  });

  it('--restarts 0: the first crash fails the task at once', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create c.txt containing C', '--kill-on-exit', '--restarts', '0'], {
      MOCK_PLANNER_CRASH_AT: '1',
      MOCK_CRASH_FILE: world.crashFile,
    });
    expect(await run.exited).toBe(1);
    const pane = await world.paneOf('PLANNER');
    expect((await world.crashes()).map((c) => [c.role, c.n])).toEqual([['PLANNER', 1]]);
    const log = await world.log();
    expect(log.filter((e) => e.event === 'restart')).toEqual([]);
    const task = await world.task('T1');
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(new RegExp(`^the PLANNER CLI in pane ${pane} (exited with status 3|exited)\\. Last lines of its screen:\\n`));
    expect(task.error).toContain('API Error: mock PLANNER crashed on message 1 (--crash-at 1)');
  });

  it('a CLI killed by a signal (SIGKILL to its process) fails the task with --restarts 0, naming the pane and the signal', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create g.txt containing G', '--kill-on-exit', '--restarts', '0'], {
      MOCK_EXECUTER_SILENT_AT: '1',
    });
    await waitForReceivedBlock(world, 'EXECUTER');
    const pane = await world.paneOf('EXECUTER');
    // The pane runs the mock's node process itself (/bin/sh -c execs a lone command): its pane_pid is the CLI.
    const pid = Number(world.tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']).trim());
    expect(pid).toBeGreaterThan(1);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    expect(await run.exited).toBe(1);
    const task = await world.task('T1');
    expect(task.status).toBe('failed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('g.txt', 'G').slice(0, 2));
    expect(task.error).toMatch(new RegExp(`^the EXECUTER CLI in pane ${pane} (was killed by signal 9|exited)\\. Last lines of its screen:\\n`));
    const failedAt = ms(eventsWith(await world.log(), 'task T1 failed')[0]?.timestamp ?? '');
    console.log(`[measure] crash detection (SIGKILL of the EXECUTER → failure logged): ${failedAt - killedAt} ms; said: ${task.error?.split('.')[0]}`);
  });

  it('a CLI that exits right at start (command not found) is reported with its pane, exit status 127 and its stderr line', async () => {
    world = await createFaultWorld();
    const started = Date.now();
    const run = world.start(['--mock', '--task', 'Create d.txt containing D', '--kill-on-exit', '--restarts', '1'], {
      MOCK_PLANNER_STDERR_EXIT_AT_START: '1',
    });
    const code = await run.exited;
    const elapsed = Date.now() - started;
    expect(code, run.stderr()).toBe(1);
    // A fresh server: the PLANNER pane is created first, so it is %0. tmux 3.3a does not always record the
    // exit status of a respawned node process (measured), so the status is named when tmux has it.
    expect(run.stderr()).toMatch(/the PLANNER CLI in pane %0 exited( with status 127)?\. Last lines of its screen:\n/);
    expect(run.stderr()).toContain('bash: mock-planner: command not found');
    // The EXECUTER is fine: nothing says it died.
    expect(run.stderr()).not.toMatch(/the EXECUTER CLI in pane %\d+ (exited|was killed)/);
    // --restarts 1: one restart of the PLANNER was tried before giving up.
    const restarts = (await world.log()).filter((e) => /restart/i.test(e.message) && e.message.includes('PLANNER'));
    expect(restarts.map((e) => e.message)).toHaveLength(1);
    // If a task was recorded, it is not left running.
    const state = await world.publicState();
    for (const t of state.tasks) expect(t.status).toBe('failed');
    console.log(`[measure] start-up exit (command not found, --restarts 1): poli exited ${elapsed} ms after it was started`);
  });
});
