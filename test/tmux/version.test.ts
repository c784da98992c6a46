/**
 * Which tmux these tests drive: poli runs `tmux` from PATH (src/tmux/runner.ts), so the suite runs against another
 * version by putting it first on PATH (`npm run test:tmux37`). Prints the client's and the server's version; with
 * POLI_EXPECT_TMUX set (e.g. `3.7c`) it also fails unless both are exactly that version, so a run meant for one
 * version cannot silently test another.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { assertTmuxAvailable } from '../../src/tmux/runner.ts';
import { createSandbox, type Sandbox } from '../helpers/tmux-sandbox.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

it('runs the tmux found on PATH (and the expected version when POLI_EXPECT_TMUX is set)', async () => {
  sandbox = createSandbox();
  const client = await assertTmuxAvailable(sandbox.run);
  await sandbox.newPane('sleep 30');
  const server = (await sandbox.run(['display-message', '-p', '#{version}'])).stdout.trim();
  const path = execFileSync('/bin/sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim();
  console.log(`[tmux] ${client} (server ${server}) from ${path}`);
  expect(client).toMatch(/^tmux \S+$/);
  const expected = process.env.POLI_EXPECT_TMUX;
  if (expected !== undefined && expected !== '') {
    expect(client).toBe(`tmux ${expected}`);
    expect(server).toBe(expected);
  }
});
