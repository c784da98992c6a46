/**
 * Interactive mode keeps one tmux session for task after task. When that session's server is killed (by the person,
 * or a crash), or one of its panes is, the next task starts it again (saying so on the screen) instead of failing at
 * once; a task that was running when the server went names itself in the resume hint. poli runs at a real terminal
 * (test/helpers/tty.ts) and the assertions are on what the person sees.
 */
import { execFileSync } from 'node:child_process';
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
/** The screen with the terminal's wrapping undone for lines of exactly `cols` characters. */
const unwrapped = (screen: string, cols: number) => {
  const out: string[] = [];
  let carry = '';
  for (const line of lines(screen)) {
    carry += line;
    if (line.length === cols) continue;
    out.push(carry);
    carry = '';
  }
  if (carry !== '') out.push(carry);
  return out;
};

function tmux(socket: string, args: readonly string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

async function taskState(w: PoliWorld, id: string) {
  const r = await runPoli(['--state', id, '--json', '--state-dir', w.stateDir]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { tasks: { status: string; error?: string; messages: { from: string; to: string; type: string; body: string }[] }[] }).tasks[0];
}

const COLS = 200;

describe('interactive mode when its tmux session is gone', () => {
  it('the server killed at the prompt and during a task: the next task starts the session again, with a line saying so', async () => {
    world = await createWorld();
    const w = world;
    // The PLANNER never answers its third message: in the second server, that is the third task's (the first two
    // tasks' task and review were its first two), which stands still until the server is killed under it.
    const env = { MOCK_ROUNDS: '1', MOCK_THINK_MS: '100', MOCK_PLANNER_SILENT_AT: '3' };
    term = await startTerminal({ args: ['--mock', '--kill-on-exit', ...w.flags], cols: COLS, rows: 50, env });
    await term.step('the prompt', (s) => lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });
    await term.type('Create one.txt containing 1');
    await term.press('Enter');
    await term.step('the first task completes', (s) => s.includes('poli: task T1 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });

    // Killed while the prompt waits.
    tmux(w.socket, ['kill-server']);
    await term.type('Create two.txt containing 2');
    await term.press('Enter');
    let screen = await term.step('the second task completes', (s) => s.includes('poli: task T2 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });
    const gone = `poli: the tmux session on socket "${w.socket}" is gone (its server was killed or crashed); starting it again: both CLIs start afresh, without the earlier tasks' context.`;
    const shown = unwrapped(screen, COLS);
    expect(shown).toContain(gone);
    expect(shown.indexOf(gone)).toBeLessThan(shown.findIndex((l) => l.startsWith('poli: task T2 started')));
    expect((await taskState(w, 'T2'))?.status).toBe('completed');

    // Killed while a task runs: that task fails naming itself; the next one runs.
    await term.type('Create three.txt containing 3');
    await term.press('Enter');
    await term.step('the third task is under way', (s) => /poli: task T3 started[\s\S]*r0 PLANNER working · task sent to PLANNER/.test(s), { scrollback: true });
    tmux(w.socket, ['kill-server']);
    screen = await term.step('the third task failed', (s) => s.includes('poli: task T3 failed') && lines(s).at(-1) === 'poli>', { timeoutMs: 30_000 });
    const failed = unwrapped(screen, COLS).find((l) => l.startsWith('poli: task T3 failed')) ?? '';
    expect(failed).toContain(`the poli tmux server (socket "${w.socket}") is no longer running`);
    expect(failed).toContain('resume it with `poli --resume T3`');
    expect(failed).not.toContain('--resume ID');
    await term.type('Create four.txt containing 4');
    await term.press('Enter');
    screen = await term.step('the fourth task completes', (s) => s.includes('poli: task T4 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });
    const after = unwrapped(screen, COLS);
    const failedAt = after.findIndex((l) => l.startsWith('poli: task T3 failed'));
    expect(after.slice(failedAt, after.findIndex((l) => l.startsWith('poli: task T4 started')))).toContain(gone);
    expect((await taskState(w, 'T4'))?.status).toBe('completed');
    await term.press('C-d');
    expect(await term.exited()).toBe(0);
  }, 240_000);

  it('a pane killed at the prompt: the next task starts only that CLI again, in a new pane; the other keeps running', async () => {
    world = await createWorld();
    const w = world;
    term = await startTerminal({ args: ['--mock', '--kill-on-exit', ...w.flags], cols: COLS, rows: 50, env: { MOCK_ROUNDS: '1', MOCK_THINK_MS: '100' } });
    await term.step('the prompt', (s) => lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });
    const panes = () => tmux(w.socket, ['list-panes', '-a', '-F', '#{@poli_role} #{pane_id} #{pane_pid}']).trim().split('\n').sort();
    const [executerBefore, plannerBefore] = panes();
    expect(plannerBefore).toMatch(/^PLANNER %\d+ \d+$/);
    tmux(w.socket, ['kill-pane', '-t', executerBefore?.split(' ')[1] ?? '']);
    await term.type('Create one.txt containing 1');
    await term.press('Enter');
    const screen = await term.step('the task completes', (s) => s.includes('poli: task T1 completed in 1 round(s).') && lines(s).at(-1) === 'poli>', { timeoutMs: 60_000 });
    expect(unwrapped(screen, COLS)).toContain(
      `poli: the EXECUTER pane on socket "${w.socket}" is gone; starting the EXECUTER CLI again in a new pane (the other CLI keeps its context).`,
    );
    const [executerAfter, plannerAfter] = panes();
    expect(plannerAfter).toBe(plannerBefore);
    expect(executerAfter).toMatch(/^EXECUTER %\d+ \d+$/);
    expect(executerAfter?.split(' ')[1]).not.toBe(executerBefore?.split(' ')[1]);
    await term.press('C-d');
    expect(await term.exited()).toBe(0);
  }, 120_000);
});
