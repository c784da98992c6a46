import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaneNotFoundError, TmuxCommandError, TmuxNotFoundError, TmuxServerGoneError } from '../errors.ts';
import { assertTmuxAvailable, checkResult, createTmuxRunner, escapeArg, isServerGone } from './runner.ts';

let dir = '';
let fakeTmux = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poli-runner-'));
  fakeTmux = join(dir, 'tmux');
  // Prints its environment's LANG, each argument on its own line, then echoes stdin.
  await writeFile(fakeTmux, '#!/bin/sh\necho "LANG=$LANG TMUX=${TMUX-unset}"\nfor a in "$@"; do echo "[$a]"; done\ncat\nexit 3\n');
  await chmod(fakeTmux, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createTmuxRunner', () => {
  it('prefixes -u -L socket -f config, passes argv verbatim, feeds stdin and returns non-zero exits', async () => {
    const run = createTmuxRunner({ socket: 'poli-test-x', tmuxBin: fakeTmux, configFile: '/c/tmux.conf' });
    const result = await run(['display-message', '-p', '$(echo no) `x` *', ';', 'send-keys', 'a;'], { input: 'stdin é\n' });
    expect(result).toEqual({
      stdout:
        'LANG=C.UTF-8 TMUX=unset\n[-u]\n[-L]\n[poli-test-x]\n[-f]\n[/c/tmux.conf]\n[display-message]\n[-p]\n[$(echo no) `x` *]\n[;]\n[send-keys]\n[a\\;]\nstdin é\n',
      stderr: '',
      exitCode: 3,
    });
  });

  it('maps a missing tmux binary to TmuxNotFoundError', async () => {
    const run = createTmuxRunner({ socket: 's', tmuxBin: join(dir, 'no-such-tmux') });
    await expect(run(['-V'])).rejects.toBeInstanceOf(TmuxNotFoundError);
    await expect(assertTmuxAvailable(run)).rejects.toBeInstanceOf(TmuxNotFoundError);
  });
});

describe('escapeArg', () => {
  it('keeps a trailing ; as text and leaves the separator alone', () => {
    expect(escapeArg(';')).toBe(';');
    expect(escapeArg('echo a;')).toBe('echo a\\;');
    expect(escapeArg('find . -exec rm {} \\;')).toBe('find . -exec rm {} \\\\;');
    expect(escapeArg('a;b')).toBe('a;b');
  });
});

describe('checkResult', () => {
  it('names the gone server, the missing pane, or the failed command', () => {
    const gone = { stdout: '', stderr: 'no server running on /tmp/tmux-0/poli-test-abc\n', exitCode: 1 };
    expect(isServerGone(gone)).toBe(true);
    expect(() => checkResult(['list-panes'], gone)).toThrow(
      new TmuxServerGoneError('poli-test-abc', 'no server running on /tmp/tmux-0/poli-test-abc'),
    );
    const connect = { stdout: '', stderr: 'error connecting to /tmp/tmux-0/x (No such file or directory)\n', exitCode: 1 };
    expect(isServerGone(connect)).toBe(true);
    const missing = { stdout: '', stderr: "can't find pane: %7\n", exitCode: 1 };
    expect(() => checkResult(['capture-pane'], missing, '%7')).toThrow(PaneNotFoundError);
    expect(() => checkResult(['capture-pane'], missing)).toThrow(TmuxCommandError);
    const ok = { stdout: 'x', stderr: '', exitCode: 0 };
    expect(checkResult(['a'], ok)).toBe(ok);
  });
});
