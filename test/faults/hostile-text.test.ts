/**
 * Hostile text: nothing in a message is ever interpreted by a shell or by tmux (key names `Enter`, `C-c`, a `;` at
 * the end, `#{pane_id}`, `$(touch pwned)`, backticks), and terminal control sequences in payloads are stripped
 * (docs/protocol.md, sanitizeBody: ESC and the other control bytes go, the rest of a sequence stays as text).
 * The mocks record exactly what they received (MOCK_RECORD_FILE), so delivery is checked byte for byte.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/poli-process.ts';
import { type FaultWorld, FAULT_TEST_TIMEOUT_MS, createFaultWorld, shapeOf } from './fault-world.ts';

let world: FaultWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const CONTENT = "Enter C-c ; #{pane_id} $(touch pwned) `touch pwned2` 'q' \\ ;";
const TASK =
  `Create pwn.txt containing "${CONTENT}"\n` +
  '\x1b[31mRed\x1b[0m text with a bell\x07 and a title \x1b]0;title\x07 Enter C-c ;';
/** What the PLANNER must receive and what the state must record: control bytes gone, all else verbatim. */
const SANITIZED =
  `Create pwn.txt containing "${CONTENT}"\n` + '[31mRed[0m text with a bell and a title ]0;title Enter C-c ;';
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('hostile text in messages', { timeout: FAULT_TEST_TIMEOUT_MS }, () => {
  it('reaches the CLIs exactly, is recorded exactly, and nothing runs it', async () => {
    world = await createFaultWorld();
    const run = world.start(['--mock', '--task', TASK, '--kill-on-exit']);
    expect(await run.exited, run.stderr()).toBe(0);

    const task = await world.task('T1');
    expect.soft(task.status).toBe('completed');
    // The mock planner splits the task at line ends and `;` outside quotes: three steps, three status blocks.
    expect.soft(shapeOf(task.messages)).toEqual([
      'ORCHESTRATOR → PLANNER task',
      'PLANNER → EXECUTER plan',
      'EXECUTER → PLANNER status',
      'EXECUTER → PLANNER status',
      'EXECUTER → PLANNER status',
      'EXECUTER → PLANNER result',
      'ORCHESTRATOR → PLANNER review',
      'PLANNER → ORCHESTRATOR complete',
    ]);
    console.log(`[info] the task field recorded: ${JSON.stringify(task.task)}`);
    // The task message is recorded as it was sent.
    expect.soft(task.messages[0]?.body).toBe(SANITIZED);
    for (const m of task.messages) expect.soft(m.body, `${m.from} → ${m.to} ${m.type}`).not.toMatch(CONTROL);

    // The PLANNER received exactly that body, in a block with poli's header.
    const planner = (await world.received('PLANNER')).filter((r) => r.blocks.length > 0);
    expect.soft(planner[0]?.blocks).toEqual([{ header: { to: 'PLANNER', type: 'task', id: task.messages[0]?.id }, body: SANITIZED }]);
    expect.soft(planner[0]?.text).toContain(`[[POLI:MSG {"to":"PLANNER","type":"task","id":"${task.messages[0]?.id}"}]]\n${SANITIZED}\n[[/POLI:MSG]]\n`);
    // The forwarded plan (which quotes the hostile line) reached the EXECUTER exactly as the PLANNER wrote it.
    const executer = (await world.received('EXECUTER')).filter((r) => r.blocks.length > 0);
    expect.soft(executer[0]?.blocks.map((b) => b.body)).toEqual([task.messages[1]?.body]);
    expect.soft(task.messages[1]?.body).toContain(`1. Create pwn.txt containing "${CONTENT}"`);
    // The EXECUTER wrote the text into a file, byte for byte.
    expect.soft(await readFile(path.join(world.projectDir, 'pwn.txt'), 'utf8')).toBe(`${CONTENT}\n`);

    // No shell ran `$(touch pwned)` or the backticks, anywhere poli, tmux or the CLIs work.
    for (const dir of [world.projectDir, world.root, world.stateDir, REPO_ROOT, process.cwd(), homedir(), tmpdir()]) {
      for (const name of ['pwned', 'pwned2']) expect.soft(existsSync(path.join(dir, name)), path.join(dir, name)).toBe(false);
    }
  });
});
