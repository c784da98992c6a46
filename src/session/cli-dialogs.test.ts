import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DialogRefusedError, DialogWatch } from './cli-dialogs.ts';
import { CLAUDE_DIALOGS } from '../profiles/claude.ts';
import { CODEX_DIALOGS } from '../profiles/codex.ts';
import type { DialogRule } from '../profiles/types.ts';
import type { TmuxRunner } from '../tmux/types.ts';

const fixture = (name: string): string[] =>
  readFileSync(new URL(`../profiles/fixtures/${name}.txt`, import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trimEnd());

/** A runner that records calls and reports `cwd` as the pane's directory. */
function fakeTmux(cwd: string): { run: TmuxRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: TmuxRunner = async (args) => {
    calls.push([...args]);
    if (args[0] === 'display-message') return { stdout: `${cwd}\n`, stderr: '', exitCode: 0 };
    return { stdout: '', stderr: '', exitCode: 0 };
  };
  return { run, calls };
}

async function setup(dialogs: readonly DialogRule[], cwdIsProject = true) {
  const project = await realpath(await mkdtemp(path.join(tmpdir(), 'poli-dialogs-')));
  const tmux = fakeTmux(cwdIsProject ? project : '/somewhere/else');
  let now = 0;
  const watch = new DialogWatch({ run: tmux.run, role: 'PLANNER', paneId: '%3', projectDir: project, dialogs }, () => now);
  const keys = () => tmux.calls.filter((c) => c[0] === 'send-keys').map((c) => c.slice(1));
  return { watch, keys, advance: (ms: number) => (now += ms), project };
}

describe('DialogWatch', () => {
  it('answers Claude’s trust dialog in the project directory with 1, once while it stays on screen', async () => {
    const { watch, keys, advance } = await setup(CLAUDE_DIALOGS);
    expect(await watch.handle(fixture('claude-trust-dialog'))).toBe('trust folder');
    advance(500);
    expect(await watch.handle(fixture('claude-trust-dialog'))).toBe('trust folder');
    expect(keys()).toEqual([['-t', '%3', '1']]);
    advance(3_000);
    await watch.handle(fixture('claude-trust-dialog'));
    expect(keys()).toEqual([['-t', '%3', '1'], ['-t', '%3', '1']]);
  });

  it('answers Codex’s trust dialog with Enter', async () => {
    const { watch, keys } = await setup(CODEX_DIALOGS);
    expect(await watch.handle(fixture('codex-trust-dialog'))).toBe('trust folder');
    expect(keys()).toEqual([['-t', '%3', 'Enter']]);
  });

  it('answers the custom API key question with 1 (Enter would pick "No")', async () => {
    const { watch, keys } = await setup(CLAUDE_DIALOGS);
    expect(await watch.handle(fixture('claude-api-key-dialog'))).toBe('custom API key');
    expect(keys()).toEqual([['-t', '%3', '1']]);
  });

  it('refuses a trust dialog when the CLI runs outside the project directory', async () => {
    const { watch, keys, project } = await setup(CLAUDE_DIALOGS, false);
    const error = await watch.handle(fixture('claude-trust-dialog')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialogRefusedError);
    expect((error as DialogRefusedError).code).toBe('CLI_DIALOG_REFUSED');
    expect((error as Error).message).toContain(
      `the CLI runs in /somewhere/else, not in the project directory ${project}, and poli only trusts the project directory`,
    );
    expect(keys()).toEqual([]);
  });

  it('refuses the bypass-permissions warning, naming it', async () => {
    const { watch, keys } = await setup(CLAUDE_DIALOGS);
    const error = await watch.handle(fixture('claude-bypass-warning')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialogRefusedError);
    expect((error as Error).message).toMatch(/^the PLANNER CLI in pane %3 shows the "bypass permissions warning" dialog, which poli does not answer/);
    expect((error as Error).message).toContain('  | ');
    expect(keys()).toEqual([]);
  });

  it('does nothing on an ordinary screen', async () => {
    const { watch, keys } = await setup(CLAUDE_DIALOGS);
    expect(await watch.handle(fixture('claude-idle-startup'))).toBeUndefined();
    expect(await watch.handle(fixture('claude-permission'))).toBeUndefined();
    expect(keys()).toEqual([]);
  });
});
