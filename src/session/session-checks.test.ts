import { describe, expect, it } from 'vitest';
import { createFakeRunner } from '../../test/helpers/tmux-sandbox.ts';
import type { Logger } from '../records/logger.ts';
import { STATUS_RIGHT_LENGTH } from '../terminal/status-line.ts';
import { keepRunningNote, showStatusLine, statusRightArgs, statusScope } from './session-checks.ts';

const silent = { debug: () => undefined } as unknown as Logger;

describe('the status line of a session', () => {
  it('goes on the whole server for the default session, as ever, and on that session alone for a named one', () => {
    expect(statusScope('poli')).toEqual(['-g']);
    expect(statusScope('T7')).toEqual(['-t', '=T7:']);
    expect(statusRightArgs('poli', 'poli T3 #1')).toEqual(['set-option', '-g', 'status-right', 'poli T3 ##1']);
    expect(statusRightArgs('T7', 'poli T7 r2')).toEqual(['set-option', '-t', '=T7:', 'status-right', 'poli T7 r2']);
  });

  it('is turned on for the named session only', async () => {
    const run = createFakeRunner();
    await showStatusLine(run, silent, 'poli T7 r1', 'T7');
    expect(run.calls[0]?.args).toEqual([
      'set-option', '-t', '=T7:', 'status', 'on', ';',
      'set-option', '-t', '=T7:', 'status-right-length', String(STATUS_RIGHT_LENGTH), ';',
      'set-option', '-t', '=T7:', 'status-right', 'poli T7 r1',
    ]);
  });
});

describe('keepRunningNote', () => {
  it('names the server for the default session, as before', () => {
    expect(keepRunningNote('poli')).toBe('poli: the CLIs keep running in tmux. Watch or step in: tmux -L poli attach · stop them: tmux -L poli kill-server');
    expect(keepRunningNote('team')).toBe(
      'poli: the CLIs keep running in tmux (socket team). Watch or step in: tmux -L team attach · stop them: tmux -L team kill-server',
    );
  });

  it('names the session, never the whole server, for a named one', () => {
    expect(keepRunningNote('poli', 'T7')).toBe(
      'poli: the CLIs keep running in tmux (session T7, socket poli). Watch or step in: tmux -L poli attach -t T7 · stop them: tmux -L poli kill-session -t T7',
    );
  });
});
