import { describe, expect, it } from 'vitest';
import { TmuxServerGoneError } from '../errors.ts';
import type { TmuxRunner } from '../tmux/types.ts';
import { checkSession } from './pane-repair.ts';

const ids = { PLANNER: '%0', EXECUTER: '%1' };
const answering = (stdout: string, exitCode = 0): TmuxRunner => async () => ({ stdout, stderr: '', exitCode });

describe('checkSession', () => {
  it('both tagged panes as poli knows them: ok', async () => {
    expect(await checkSession(answering('%0 PLANNER\n%1 EXECUTER\n'), 'poli', ids)).toEqual({ kind: 'ok' });
  });

  it('one pane missing: names its role', async () => {
    expect(await checkSession(answering('%0 PLANNER\n'), 'poli', ids)).toEqual({ kind: 'pane-missing', role: 'EXECUTER' });
  });

  it('no server running (list-panes fails): gone', async () => {
    expect(await checkSession(answering('', 1), 'poli', ids)).toEqual({ kind: 'gone' });
  });

  it('the server dies under the control client while it asks (TmuxServerGoneError): gone, not a failure', async () => {
    const dying: TmuxRunner = async () => {
      throw new TmuxServerGoneError('poli-x', 'no server running on /tmp/tmux-0/poli-x');
    };
    expect(await checkSession(dying, 'poli', ids)).toEqual({ kind: 'gone' });
  });

  it('any other error is not hidden', async () => {
    const broken: TmuxRunner = async () => {
      throw new Error('spawn tmux ENOENT');
    };
    await expect(checkSession(broken, 'poli', ids)).rejects.toThrow('ENOENT');
  });
});
