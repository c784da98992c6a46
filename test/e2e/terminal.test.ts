/**
 * poli at a real terminal: each test runs poli in a pane of a private outer tmux server (a TTY of
 * 120×40 or 80×24), types keys and reads the visible screen (test/helpers/tty.ts). poli itself
 * drives its CLIs on another private socket. Assertions are on exact visible text.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type PoliWorld, createWorld, runPoli } from '../helpers/poli-process.ts';
import { type Terminal, startTerminal } from '../helpers/tty.ts';

let world: PoliWorld | undefined;
let term: Terminal | undefined;
afterEach(async () => {
  await term?.cleanup();
  await world?.cleanup();
  term = undefined;
  world = undefined;
});

const lines = (screen: string) => screen.split('\n');
const PROMPT = 'Approve, edit or reject? [a/e/r]';
/** A line of the spinner: `⠋ [0:01] r0 PLANNER working · …` (any frame). */
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[\d+:\d\d\]/;

async function taskState(w: PoliWorld, id: string) {
  const r = await runPoli(['--state', id, '--json', '--state-dir', w.stateDir]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { tasks: { status: string; messages: { from: string; to: string; type: string; body: string }[] }[] }).tasks[0];
}

function tmuxStatusRight(socket: string): string {
  return execFileSync('tmux', ['-L', socket, 'show-option', '-gv', 'status-right'], { encoding: 'utf8' }).trim();
}

describe('the approval prompt at a terminal', () => {
  it('120×40: reject with a reason, edit in $EDITOR, approve; the spinner never draws over a question', async () => {
    world = await createWorld();
    const editor = path.join(world.projectDir, '..', 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nprintf "(checked by the person)\\n" >> "$1"\n');
    await chmod(editor, 0o755);
    const notified = path.join(world.projectDir, '..', 'notified.jsonl');
    term = await startTerminal({
      args: ['--mock', '--approve', 'plans', '--task', 'Create a.txt containing A', '--kill-on-exit', ...world.flags],
      cols: 120,
      rows: 40,
      env: { MOCK_ROUNDS: '2', EDITOR: editor, POLI_NOTIFY: `cat >> '${notified}'` },
    });
    let screen = await term.step('the plan is shown with the question', (s) => lines(s).at(-1) === PROMPT);
    expect(lines(screen).at(-6)).toMatch(/^── approve\? T1 r0 PLANNER → EXECUTER plan T1-R0-[0-9a-z]{6} ──$/);
    expect(lines(screen).slice(-5)).toEqual(['<PLAN>', '1. Create a.txt containing A', '</PLAN>', '──', PROMPT]);
    expect(screen).not.toMatch(SPINNER);
    // poli's own status bar says who is needed, the bell rang, and --notify got the question.
    expect(tmuxStatusRight(world.socket)).toBe('poli T1 r0 waiting for you');
    expect(await term.rang()).toBe(true);

    await term.type('r');
    await term.press('Enter');
    screen = await term.step('the reason is asked', (s) => lines(s).at(-1) === 'Reason for rejecting:');
    expect(lines(screen).slice(-2)).toEqual([`${PROMPT} r`, 'Reason for rejecting:']);
    await term.type('name the file b.txt');
    await term.press('Enter');

    screen = await term.step('the continue is shown with the question', (s) => s.split(PROMPT).length === 3 && lines(s).at(-1) === PROMPT);
    expect(lines(screen)).toContain('Reason for rejecting: name the file b.txt');
    expect(lines(screen).slice(-4)).toEqual(['2. Append round 2 to a.txt', '</PLAN>', '──', PROMPT]);
    expect(screen).not.toMatch(SPINNER);
    await term.type('e');
    await term.press('Enter');

    // The rejected plan was never worked on: one round.
    screen = await term.step('the task completes', 'poli: task T1 completed in 1 round(s).', { timeoutMs: 30_000 });
    expect(lines(screen)).toContain(`${PROMPT} e`);
    expect(lines(screen)).toContain('poli: sending the edited message.');
    expect(await term.exited()).toBe(0);
    const task = await taskState(world, 'T1');
    expect(task?.status).toBe('completed');
    // The edited message is recorded as the person's, as sent to the EXECUTER.
    const sent = task?.messages.find((m) => m.from === 'HUMAN' && m.type === 'continue');
    expect(sent?.body).toBe('Continue: step 2 — append a line to a.txt\n<PLAN>\n2. Append round 2 to a.txt\n</PLAN>\n(checked by the person)');
    const audit = (await readFile(path.join(world.stateDir, 'approvals.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; decision: string });
    expect(audit.map((a) => `${a.type}:${a.decision}`)).toEqual(['plan:reject', 'continue:edit']);
    const notes = (await readFile(notified, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(notes.map((e) => `${String(e.event)}:${String(e.type ?? e.status)}`)).toEqual(['ask:plan', 'ask:continue', 'complete:completed']);
  }, 60_000);

  it('80×24: Ctrl+D at the question stops the task as interrupted, nothing rejected, state kept', async () => {
    world = await createWorld();
    term = await startTerminal({
      args: ['--mock', '--approve', 'plans', '--task', 'Create d.txt containing D', '--kill-on-exit', ...world.flags],
      cols: 80,
      rows: 24,
    });
    await term.step('the question is asked', (s) => lines(s).at(-1) === PROMPT);
    await term.press('C-d');
    expect(await term.exited()).toBe(1);
    const screen = await term.screen();
    const all = lines(screen);
    const from = all.lastIndexOf(PROMPT);
    const to = all.findIndex((l) => l.endsWith('poli --resume T1'));
    // 80 columns: tmux wraps the long line; joined, the rows read as poli wrote them.
    expect(all.slice(from, to + 1).join('')).toBe(
      `${PROMPT}` +
        'poli: task T1 ended interrupted: no answer at the approval prompt (end of input: Ctrl+D, or no terminal on stdin); nothing was forwarded' +
        'poli: its state is kept; continue it with: poli --resume T1',
    );
    const task = await taskState(world, 'T1');
    expect(task?.status).toBe('interrupted');
    // The plan was neither forwarded nor recorded: --resume sends the task to the planner again.
    expect(task?.messages.map((m) => `${m.from}>${m.to}:${m.type}`)).toEqual(['ORCHESTRATOR>PLANNER:task']);
    await expect(readFile(path.join(world.stateDir, 'approvals.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

describe('errors at a terminal', () => {
  it('80×24: the failure line starts on its own line, never after the spinner', async () => {
    world = await createWorld();
    term = await startTerminal({
      args: ['--mock', '--task', 'Create e.txt containing E', '--exec-timeout', '1', '--kill-on-exit', ...world.flags],
      cols: 80,
      rows: 24,
      env: { MOCK_EXECUTER_SILENT_AT: '1' },
    });
    expect(await term.exited(30_000)).toBe(1);
    const screen = await term.scrollback();
    const failure = lines(screen).find((l) => l.includes('poli: task T1 ended'));
    expect(failure?.startsWith('poli: task T1 ended timeout: no reply from the EXECUTER')).toBe(true);
    expect(screen).not.toMatch(SPINNER);
    expect(lines(screen)).toContain('poli: its state is kept; continue it with: poli --resume T1');
  }, 60_000);
});

describe('Ctrl+C during a one-shot task at a terminal', () => {
  it('120×40: the task ends interrupted and poli exits 1; under npm run the shell sees 130 (as the README says)', async () => {
    world = await createWorld();
    const args = ['--mock', '--task', 'Create c.txt containing C', '--kill-on-exit', ...world.flags];
    term = await startTerminal({ args, cols: 120, rows: 40, env: { MOCK_EXECUTER_SILENT_AT: '1' } });
    await term.step('the executer works', 'plan sent to EXECUTER');
    await term.press('C-c');
    expect(await term.exited()).toBe(1);
    const screen = await term.screen();
    expect(lines(screen).slice(-2)).toEqual(['poli: task T1 ended interrupted: interrupted by Ctrl+C (SIGINT)', 'poli: its state is kept; continue it with: poli --resume T1']);
    await term.cleanup();

    term = await startTerminal({ shell: `npm run --silent poli -- ${args.map((a) => `'${a}'`).join(' ')}`, cols: 120, rows: 40, env: { MOCK_EXECUTER_SILENT_AT: '1' } });
    await term.step('the executer works (npm run)', 'plan sent to EXECUTER', { timeoutMs: 30_000 });
    await term.press('C-c');
    expect(await term.exited()).toBe(130);
  }, 90_000);
});

describe('a usage limit at a terminal', () => {
  it('120×40: the live line says the EXECUTER is waiting and counts down to the next look; the limit is printed once; poli resume ends the wait', async () => {
    world = await createWorld();
    const w = world;
    term = await startTerminal({
      args: ['--mock', '--task', 'Create u.txt containing U', '--kill-on-exit', '--exec-timeout', '3', ...w.flags],
      cols: 120,
      rows: 40,
      env: { MOCK_ROUNDS: '1', MOCK_EXECUTER_LIMIT_AT: '1', MOCK_EXECUTER_LIMIT: 'usage', MOCK_EXECUTER_LIMIT_RESET_SEC: '7200' },
    });
    const live = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[\d+:\d\d\] r1 EXECUTER waiting, next look in [12]h \d\dm · the EXECUTER hit its usage limit \(resets /;
    let screen = await term.step('the live line shows the wait', (s) => live.test(lines(s).at(-1) ?? ''), { timeoutMs: 30_000 });
    // Said once, as a progress line (not again as a log warning), and the task's status says so too.
    expect(lines(screen).filter((l) => l.includes('hit its usage limit')).map((l) => l.replace(/^\[\d+:\d\d\] /, ''))).toEqual([
      expect.stringMatching(/^r1 EXECUTER waiting · waiting: the EXECUTER hit its usage limit \(resets /),
      expect.stringMatching(live),
    ]);
    expect((await taskState(w, 'T1'))?.status).toBe('waiting');
    // Past the 3 s exec timeout: a wait does not count against it.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(live.test(lines(await term.screen()).at(-1) ?? '')).toBe(true);
    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    screen = await term.step('the task completes after the wait was cut short', 'poli: task T1 completed in 1 round(s).', { timeoutMs: 30_000 });
    expect(screen).toContain('cut short by poli resume');
    expect(await term.exited()).toBe(0);
  }, 90_000);
});

describe('interactive mode at a terminal', () => {
  it('80×24: Ctrl+C clears the line, :state, two tasks, a note and a pause sent while idle wait for the next task, Ctrl+C stops a task, Ctrl+D leaves', async () => {
    world = await createWorld();
    const w = world;
    term = await startTerminal({ args: ['--mock', '--kill-on-exit', ...w.flags], cols: 80, rows: 24, env: { MOCK_ROUNDS: '1' } });
    await term.step('the prompt', (s) => lines(s).at(-1) === 'poli>');
    await term.type('half typed');
    await term.press('C-c');
    let screen = await term.step('Ctrl+C cleared the line', (s) => lines(s).at(-1) === 'poli>' && s.includes('^C'));
    expect(lines(screen).slice(-3)).toEqual(['poli> ^C', '(the line was cleared; type :quit or press Ctrl+D to leave)', 'poli>']);
    await term.type(':state');
    await term.press('Enter');
    screen = await term.step(':state answered', 'No tasks yet: type one at the prompt and press Enter.');
    expect(lines(screen).slice(-3)).toEqual(['poli> :state', 'No tasks yet: type one at the prompt and press Enter.', 'poli>']);

    await term.type('Create one.txt containing 1');
    await term.press('Enter');
    screen = await term.step('the first task completes', (s) => s.includes('poli: task T1 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 30_000 });
    expect(screen).not.toMatch(SPINNER);

    // While the prompt waits: a note and a pause are confirmed and kept for the next task.
    const say = await runPoli(['say', '--to', 'planner', 'keep it short', ...w.flags]);
    expect(say.code, say.stderr).toBe(0);
    expect((await runPoli(['pause', ...w.flags])).code).toBe(0);
    await term.type('Create two.txt containing 2');
    await term.press('Enter');
    await term.step('the second task starts paused', 'paused by the human (poli resume to continue)');
    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    await term.step('the second task completes', (s) => s.includes('poli: task T2 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 30_000 });
    const two = await taskState(w, 'T2');
    expect(two?.messages.filter((m) => m.from === 'HUMAN').map((m) => `${m.to}:${m.body}`)).toEqual(['PLANNER:keep it short']);

    // Held by a pause sent while idle, the third task is surely still running when Ctrl+C comes.
    expect((await runPoli(['pause', ...w.flags])).code).toBe(0);
    await term.type('Create three.txt containing 3');
    await term.press('Enter');
    await term.step('the third task is under way, paused', (s) => /poli: task T3 started[\s\S]*paused by the human/.test(s), { scrollback: true });
    await term.press('C-c');
    screen = await term.step('Ctrl+C stopped the task', (s) => s.includes('poli: task T3 ended interrupted') && lines(s).at(-1) === 'poli>', { timeoutMs: 30_000 });
    expect(lines(screen).find((l) => l.includes('poli: task T3 ended'))).toBe('poli: task T3 ended interrupted: interrupted by Ctrl+C (SIGINT)');
    expect(screen).not.toMatch(SPINNER);
    await term.press('C-d');
    expect(await term.exited()).toBe(1);
    expect((await taskState(w, 'T3'))?.status).toBe('interrupted');
  }, 120_000);
});

describe('attach and watch at a terminal', () => {
  it('attach with no server says so; without a terminal it prints the command; at a terminal it attaches', async () => {
    world = await createWorld();
    const none = await runPoli(['attach', '--socket', world.socket]);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      `poli: no poli tmux server is running on socket "${world.socket}". Start one with: poli start (or run a task: poli --task "…"), adding --socket ${world.socket}\n`,
    );
    const started = await runPoli(['start', '--mock', ...world.flags]);
    expect(started.code, started.stderr).toBe(0);
    const piped = await runPoli(['attach', '--socket', world.socket]);
    expect(piped).toEqual({ code: 0, stdout: `tmux -L ${world.socket} attach\n`, stderr: '' });

    term = await startTerminal({ args: ['attach', '--socket', world.socket], cols: 120, rows: 40 });
    // The PLANNER's pane: a 120×40 terminal shows the top of the 50-row window (the banner, and the primer's first
    // lines, may have scrolled away; a heading from its middle stays in view).
    await term.step('the session is shown', 'THE SHAPE OF A REPLY');
    await term.press('C-b', 'd');
    expect(await term.exited()).toBe(0);
  }, 60_000);

  it('watch with nothing running says so once, waits, and Ctrl+C ends it', async () => {
    world = await createWorld();
    term = await startTerminal({ args: ['watch', ...world.flags], cols: 120, rows: 40 });
    const file = path.join(world.stateDir, 'events.jsonl');
    const screen = await term.step('watch says nothing runs', 'waiting for events');
    // One line, wrapped by the terminal at 120 columns.
    expect(lines(screen).join('')).toBe(`poli: no poli is running on socket "${world.socket}" now; waiting for events in ${file} (Ctrl+C to stop).`);
    await term.press('C-c');
    expect(await term.exited()).toBe(0);
  });
});
