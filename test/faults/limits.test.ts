/**
 * Usage limits, failed requests, expired logins and retries, shown by the mock TUIs on demand (MOCK_*_LIMIT_AT,
 * MOCK_*_LIMIT: the screens of Claude Code 2.1.332, see src/profiles/limit-screens.ts) with real tmux and poli.
 * Every wait is cut short with `poli resume` or ends by itself within seconds; no test waits for a reset time.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPoli } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, dialogueOf, oneRoundDialogue, waitUntil } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

interface Waiting {
  kind: string;
  role: string;
  reason: string;
  until: string | null;
  resetAt?: string;
}

/** The task's `waiting` in `--state --json`, once it shows one. */
async function waitingOf(w: FaultWorld): Promise<Waiting> {
  let found: Waiting | undefined;
  await waitUntil('the task shows status waiting', async () => {
    const task = (await w.publicState()).tasks[0] as { status?: string; waiting?: Waiting } | undefined;
    if (task?.status === 'waiting') found = task.waiting;
    return found !== undefined;
  });
  if (!found) throw new Error('no waiting');
  return found;
}

/** The ids of the blocks the executer received, in order. */
async function executerIds(w: FaultWorld): Promise<string[]> {
  return (await w.received('EXECUTER')).flatMap((r) => r.blocks.map((b) => b.header.id));
}

describe('limits shown by a CLI', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('a usage limit: status waiting with the reset time shown, --notify fires, poli status says until when, poli resume ends it', async () => {
    world = await createFaultWorld();
    const started = Date.now();
    const notified = `${world.root}/notified.jsonl`;
    const run = world.start(
      ['--mock', '--task', 'Create u.txt containing U', '--kill-on-exit', '--exec-timeout', '3', '--notify', `cat >> ${notified}; echo >> ${notified}`],
      { MOCK_EXECUTER_LIMIT_AT: '1', MOCK_EXECUTER_LIMIT: 'usage', MOCK_EXECUTER_LIMIT_RESET_SEC: '7200' },
    );
    const waiting = await waitingOf(world);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    // Shown to the minute: "resets 9:41am (UTC)", two hours away.
    const resetAt = Date.parse(waiting.resetAt ?? '');
    expect(Math.abs(resetAt - (started + 7200_000))).toBeLessThan(120_000);
    expect(Date.parse(waiting.until ?? '')).toBe(resetAt + 60_000);
    expect(waiting.reason).toMatch(/^the EXECUTER hit its usage limit \(resets \d{1,2}:\d{2}[ap]m \(UTC\)\); poli checks it again at (?:[A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d UTC$/);
    const status = await runPoli(['status', ...world.flags]);
    expect(status.stdout).toMatch(/^poli T1 r1 EXECUTER limit \d:\d\d:\d\d · waiting: the EXECUTER hit its usage limit/);
    expect(status.stdout).toContain(`(until ${waiting.until})`);
    // Well past the 3 s timeout, still waiting.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await world.publicState()).tasks[0]?.status).toBe('waiting');

    expect((await runPoli(['resume', ...world.flags])).code).toBe(0);
    expect(await run.exited).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('u.txt', 'U'));
    const ids = await executerIds(world);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    const events = (await import('node:fs/promises')).readFile(notified, 'utf8');
    expect(await events).toContain('"event":"waiting"');
    expect(await events).toContain('"for":"usage"');
  });

  it("a usage limit with Claude Code's menu of choices: poli picks '1. Stop and wait', waits for the reset, poli resume ends it", async () => {
    world = await createFaultWorld();
    // --limit-wait 96 h: a limit three days away is waited for, not given up on.
    const run = world.start(['--mock', '--task', 'Create m.txt containing M', '--kill-on-exit', '--exec-timeout', '3', '--limit-wait', '96'], {
      MOCK_EXECUTER_LIMIT_AT: '1',
      MOCK_EXECUTER_LIMIT: 'usage-options',
      MOCK_EXECUTER_LIMIT_RESET_SEC: String(3 * 24 * 3600),
    });
    // The menu is answered with 1 (never credits or an upgrade), leaving the limit line above an idle prompt.
    const w = world;
    // Empty until poli has started its server and said where the EXECUTER is.
    const screen = async (): Promise<string> => {
      try {
        return w.tmux(['capture-pane', '-p', '-J', '-t', await w.paneOf('EXECUTER')]);
      } catch {
        return '';
      }
    };
    await waitUntil('the mock took a choice', async () => /\(limit options: chose \d\)/.test(await screen()));
    expect(await screen()).toContain('(limit options: chose 1)');
    const waiting = await waitingOf(world);
    expect(waiting).toMatchObject({ kind: 'usage', role: 'EXECUTER' });
    // Three days away, shown as "resets Dec 1, 5:08am (UTC)": poli waits until then.
    expect(Date.parse(waiting.resetAt ?? '') - Date.now()).toBeGreaterThan(2 * 24 * 3600_000);
    expect(waiting.reason).toMatch(/resets [A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d\d[ap]m \(UTC\)\); poli checks it again at [A-Z][a-z]{2} \d{1,2} \d\d:\d\d UTC$/);
    expect((await runPoli(['resume', ...world.flags])).code).toBe(0);
    expect(await run.exited).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('m.txt', 'M'));
  });

  it('a failed request is sent again once, same id, and the dialogue goes on', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create f.txt containing F', '--kill-on-exit'], { MOCK_EXECUTER_LIMIT_AT: '1', MOCK_EXECUTER_LIMIT: 'failed' });
    expect(await run.exited).toBe(0);
    const ids = await executerIds(world);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(run.stdout()).toContain(`the EXECUTER's request failed (● API Error: 529 Overloaded.`);
    expect(dialogueOf((await world.task('T1')).messages)).toEqual(oneRoundDialogue('f.txt', 'F'));
  });

  it('retrying by itself is shown and does not count against the timeout', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create r.txt containing R', '--kill-on-exit', '--exec-timeout', '2'], {
      MOCK_EXECUTER_LIMIT_AT: '1',
      MOCK_EXECUTER_LIMIT: 'retrying',
    });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/EXECUTER is retrying its request \(.*attempt 1\/10\); timeouts paused/);
    expect(await executerIds(world)).toHaveLength(1);
  });

  it('an expired login: waiting for a person to log in in the pane; poli resume sends the message again', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create a.txt containing A', '--kill-on-exit', '--exec-timeout', '3'], {
      MOCK_EXECUTER_LIMIT_AT: '1',
      MOCK_EXECUTER_LIMIT: 'auth',
    });
    const waiting = await waitingOf(world);
    const pane = await world.paneOf('EXECUTER');
    expect(waiting).toMatchObject({ kind: 'auth', role: 'EXECUTER', until: null });
    expect(waiting.reason).toBe(
      `log in to mock in pane ${pane} (tmux -L ${world.socket} attach): ● Please run /login · API Error: 401 Invalid authentication credentials`,
    );
    expect((await runPoli(['status', '--short', ...world.flags])).stdout).toBe('poli T1 r1 EXECUTER login\n');
    expect((await runPoli(['resume', ...world.flags])).code).toBe(0);
    expect(await run.exited).toBe(0);
    expect(dialogueOf((await world.task('T1')).messages)).toEqual(oneRoundDialogue('a.txt', 'A'));
  });

  it('--on-limit switch: the executer at its usage limit is restarted with its fallback, which gets the pending message (same id) with the task and the dialogue', async () => {
    world = await createFaultWorld();
    // The fallback: the mock executer again, with the limit moved out of reach (its flag wins over MOCK_EXECUTER_LIMIT_AT).
    const mock = path.join(import.meta.dirname, '..', '..', 'mocks', 'mock-executer.ts');
    const fallback = [process.execPath, '--import', import.meta.resolve('tsx'), mock, '--limit-at', '99'].join(' ');
    const run = world.start(
      ['--mock', '--task', 'Create s.txt containing S', '--kill-on-exit', '--exec-timeout', '20', '--on-limit', 'switch', '--executer-fallback-cmd', fallback],
      { MOCK_EXECUTER_LIMIT_AT: '1', MOCK_EXECUTER_LIMIT: 'usage', MOCK_EXECUTER_LIMIT_RESET_SEC: '7200' },
    );
    expect(await run.exited, run.stderr()).toBe(0);
    const task = await world.task('T1');
    expect(task.status).toBe('completed');
    expect(dialogueOf(task.messages)).toEqual(oneRoundDialogue('s.txt', 'S'));
    // Never waited: switched at once.
    expect((task as { waits?: unknown[] }).waits ?? []).toEqual([]);
    const received = (await world.received('EXECUTER')).flatMap((r) => r.blocks);
    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect(second?.header).toEqual(first?.header);
    expect(second?.body.startsWith(`${first?.body}\n\n[poli: the EXECUTER CLI hit its usage limit, so this pane now runs mock`)).toBe(true);
    expect(second?.body).toContain('The task: Create s.txt containing S');
    expect(second?.body).toContain(`- PLANNER → EXECUTER plan: ${first?.body.split('\n')[0]}`);
    expect(run.stdout()).toContain(`switched it to mock: sending message ${first?.header.id} again (same id) with the task and the dialogue so far`);
    const restarts = (await world.log()).filter((e) => /switching its pane to the fallback mock/.test(e.message));
    expect(restarts).toHaveLength(1);
  });

  it('--on-limit switch without a fallback command is refused before anything starts', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', 'Create n.txt containing N', '--kill-on-exit', '--on-limit', 'switch']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe(
      'poli: --on-limit switch needs a fallback CLI to switch to: give --planner-fallback-cmd and/or --executer-fallback-cmd (e.g. --on-limit switch --executer-fallback-cmd codex), or use --on-limit wait\n',
    );
  });
});
