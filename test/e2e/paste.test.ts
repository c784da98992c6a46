/**
 * The interactive prompt at a real terminal (issue 18, item 30): a multi-line paste at `poli>` is one task (tmux
 * pastes with bracketed-paste markers when poli asks for them, as terminals do), and text typed while a task runs is
 * shown and confirmed before it starts one.
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

/** Pastes `text` into the terminal as a terminal does: tmux's paste-buffer (newlines as Enter, bracketed if asked). */
function paste(t: Terminal, text: string): void {
  execFileSync('tmux', ['-L', t.socket, 'set-buffer', '-b', 'paste', text]);
  execFileSync('tmux', ['-L', t.socket, 'paste-buffer', '-p', '-d', '-b', 'paste', '-t', 'term']);
}

async function tasks(w: PoliWorld): Promise<{ id: string; task: string; status: string }[]> {
  const r = await runPoli(['--state', '--json', '--state-dir', w.stateDir]);
  return (JSON.parse(r.stdout) as { tasks: { id: string; task: string; status: string }[] }).tasks;
}

describe('interactive mode: a paste and type-ahead', () => {
  it('80×24: a two-line paste is one task; a line typed while it runs is shown and asked about before it starts', async () => {
    world = await createWorld();
    const w = world;
    term = await startTerminal({ args: ['--mock', '--kill-on-exit', ...w.flags], cols: 80, rows: 24, env: { MOCK_ROUNDS: '1' } });
    await term.step('the prompt', (s) => lines(s).at(-1) === 'poli>');
    // A pause sent while idle holds the next task before it is sent, so the line below is surely typed while it runs.
    expect((await runPoli(['pause', ...w.flags])).code).toBe(0);
    paste(term, 'Create p.txt containing P\nCreate q.txt containing Q\n');
    await term.step('one task started with both lines', 'poli: task T1 started: Create p.txt containing P (2 lines, 51 bytes)');
    await term.step('the task is held', 'paused by the human (poli resume to continue)');
    await term.type('Create r.txt containing R');
    await term.press('Enter');
    expect((await runPoli(['resume', ...w.flags])).code).toBe(0);
    let screen = await term.step('the typed line is shown and asked about', (s) => lines(s).at(-1) === 'Start it as the next task? [y/N]', { timeoutMs: 30_000 });
    expect(screen).toContain('poli: task T1 completed');
    expect(lines(screen).slice(-3)).toEqual(['poli: you typed this while the last task ran:', '  Create r.txt containing R', 'Start it as the next task? [y/N]']);
    expect((await tasks(w)).map((t) => t.id)).toEqual(['T1']);
    await term.type('y');
    await term.press('Enter');
    screen = await term.step('the second task ran', (s) => s.includes('poli: task T2 completed') && lines(s).at(-1) === 'poli>', { timeoutMs: 30_000 });
    expect(screen).toContain('poli: task T2 started: Create r.txt containing R');
    await term.press('C-d');
    expect(await term.exited()).toBe(0);
    expect((await tasks(w)).map((t) => [t.id, t.task, t.status])).toEqual([
      ['T1', 'Create p.txt containing P\nCreate q.txt containing Q', 'completed'],
      ['T2', 'Create r.txt containing R', 'completed'],
    ]);
  }, 120_000);
});
