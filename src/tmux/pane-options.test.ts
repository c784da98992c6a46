import { describe, expect, it } from 'vitest';
import { TmuxServerGoneError } from '../errors.ts';
import { readPaneOptions, writePaneOptions } from './pane-options.ts';
import type { TmuxRunner } from './types.ts';

function fakeRunner(stdout = '') {
  const calls: (readonly string[])[] = [];
  const run: TmuxRunner = async (args) => {
    calls.push(args);
    return { stdout, stderr: '', exitCode: 0 };
  };
  return { run, calls };
}

describe('pane options', () => {
  it('reads several options in one call', async () => {
    const f = fakeRunner('claude --x\t/proj\t1\n');
    expect(await readPaneOptions(f.run, '%3', ['@poli_command', '@poli_project', '@poli_primed'])).toEqual({
      '@poli_command': 'claude --x',
      '@poli_project': '/proj',
      '@poli_primed': '1',
    });
    expect(f.calls).toEqual([['display-message', '-p', '-t', '%3', '#{@poli_command}\t#{@poli_project}\t#{@poli_primed}']]);
  });

  it('writes several options in one call, with ; as its own argument (the runner escapes values)', async () => {
    const f = fakeRunner();
    await writePaneOptions(f.run, '%3', { '@a': 'x;y', '@b': 'tab\there' });
    expect(f.calls).toEqual([['set-option', '-p', '-t', '%3', '@a', 'x;y', ';', 'set-option', '-p', '-t', '%3', '@b', 'tab here']]);
  });
});

describe('pane options when tmux fails', () => {
  it('reads a dead server as TmuxServerGoneError (the server was killed while the CLIs started)', async () => {
    const run: TmuxRunner = async () => ({ stdout: '', stderr: 'no server running on /tmp/tmux-0/poli-x\n', exitCode: 1 });
    await expect(readPaneOptions(run, '%0', ['@poli_command'])).rejects.toEqual(new TmuxServerGoneError('poli-x', 'no server running on /tmp/tmux-0/poli-x'));
    await expect(writePaneOptions(run, '%0', { '@poli_primed': '1' })).rejects.toBeInstanceOf(TmuxServerGoneError);
  });
});
