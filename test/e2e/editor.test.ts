/**
 * The editor of an approval edit owns the terminal until it exits (issue 18, item 22): poli stops reading stdin and
 * leaves raw mode meanwhile, so the editor gets every keystroke in the mode it expects, and poli reads again after.
 * Driven at a real terminal (test/helpers/tty.ts); the "editor" is a script that records the terminal's mode and
 * reads one line typed by the person.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
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

const PROMPT = 'Approve, edit or reject? [a/e/r]';
const lines = (screen: string) => screen.split('\n');

describe('$EDITOR for an approval edit at a terminal', () => {
  it('120×40: the editor gets the terminal in cooked mode and every key typed; poli asks again afterwards', async () => {
    world = await createWorld();
    const root = path.join(world.projectDir, '..');
    const editor = path.join(root, 'editor.sh');
    const modes = path.join(root, 'stty.txt');
    await writeFile(
      editor,
      ['#!/bin/sh', `stty -a > '${modes}'`, "printf 'EDITOR: type a line\\n'", 'IFS= read -r line', 'printf "%s\\n" "$line" >> "$1"', ''].join('\n'),
    );
    await chmod(editor, 0o755);
    term = await startTerminal({
      args: ['--mock', '--approve', 'all', '--task', 'Create k.txt containing K', '--kill-on-exit', ...world.flags],
      cols: 120,
      rows: 40,
      env: { MOCK_ROUNDS: '1', EDITOR: editor },
    });
    await term.step('the plan is shown with the question', (s) => lines(s).at(-1) === PROMPT);
    await term.type('e');
    await term.press('Enter');
    await term.step('the editor waits for a line', (s) => lines(s).at(-1) === 'EDITOR: type a line');
    await term.type('checked by the person');
    await term.press('Enter');
    await term.step('poli sends the edited plan', 'poli: sending the edited message.');
    // The editor saw the terminal as a shell leaves it: canonical input, echo on (readline's raw mode is off).
    const stty = await readFile(modes, 'utf8');
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
    // poli reads the terminal again: the next question takes its answer.
    await term.step('the next question', (s) => lines(s).at(-1) === PROMPT, { timeoutMs: 30_000 });
    await term.type('a');
    await term.press('Enter');
    for (;;) {
      const screen = await term.step('a question or the end', (s) => lines(s).at(-1) === PROMPT || s.includes('poli: task T1 '), { timeoutMs: 30_000 });
      if (screen.includes('poli: task T1 ')) break;
      await term.type('a');
      await term.press('Enter');
    }
    expect(await term.exited()).toBe(0);
    const r = await runPoli(['--state', 'T1', '--json', '--state-dir', world.stateDir]);
    const task = (JSON.parse(r.stdout) as { tasks: { status: string; messages: { type: string; body: string }[] }[] }).tasks[0];
    expect(task?.status).toBe('completed');
    expect(task?.messages.map((m) => m.body)).toContain('<PLAN>\n1. Create k.txt containing K\n</PLAN>\nchecked by the person');
  }, 90_000);
});
