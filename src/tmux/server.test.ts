import { describe, expect, it } from 'vitest';
import { ConfigError, PaneNotFoundError, TmuxServerGoneError } from '../errors.ts';
import { createFakeRunner } from '../../test/helpers/tmux-sandbox.ts';
import { parseLiveness, TmuxServer } from './server.ts';

describe('TmuxServer.start', () => {
  it('creates two panes, tags them, and gives each its own environment', async () => {
    const run = createFakeRunner((args) => {
      if (args[0] === 'new-session') return { stdout: '%0\n' };
      if (args.includes('split-window')) return { stdout: '%1\n' };
      return undefined;
    });
    const server = new TmuxServer({ socket: 'poli-test-a', run });
    const panes = await server.start({
      session: 'poli',
      projectDir: '/proj',
      panes: {
        PLANNER: { command: 'claude --foo', env: { CLAUDE_CONFIG_DIR: '/p' } },
        EXECUTER: { command: 'tsx mocks/mock-executer.ts; echo done;', env: { A: 'x;' } },
      },
    });
    expect(panes).toEqual({ PLANNER: '%0', EXECUTER: '%1' });
    expect(run.calls.map((call) => call.args)).toEqual([
      [
        'new-session', '-d', '-s', 'poli', '-x', '250', '-y', '50', '-c', '/proj', '-e', 'CLAUDE_CONFIG_DIR=/p',
        '-P', '-F', '#{pane_id}', '--', 'claude --foo',
      ],
      [
        'set-option', '-w', '-t', '%0', 'window-size', 'manual', ';',
        'set-environment', '-t', '%0', '-u', 'CLAUDE_CONFIG_DIR', ';',
        'split-window', '-h', '-d', '-t', '%0', '-c', '/proj', '-e', 'A=x;', '-P', '-F', '#{pane_id}', '--',
        'tsx mocks/mock-executer.ts; echo done;',
      ],
      [
        'set-option', '-p', '-t', '%0', '@poli_role', 'PLANNER', ';', 'select-pane', '-t', '%0', '-T', 'PLANNER', ';',
        'set-option', '-p', '-t', '%1', '@poli_role', 'EXECUTER', ';', 'select-pane', '-t', '%1', '-T', 'EXECUTER',
      ],
    ]);
  });

  it('names the window when asked (a named session: the window bears the task\'s name too)', async () => {
    const run = createFakeRunner((args) => (args[0] === 'new-session' ? { stdout: '%0\n' } : args.includes('split-window') ? { stdout: '%1\n' } : undefined));
    await new TmuxServer({ socket: 'poli-test-a', run }).start({
      session: 'T7',
      window: 'T7',
      projectDir: '/proj',
      panes: { PLANNER: { command: 'p' }, EXECUTER: { command: 'e' } },
    });
    expect(run.calls[0]?.args).toEqual(['new-session', '-d', '-s', 'T7', '-n', 'T7', '-x', '250', '-y', '50', '-c', '/proj', '-P', '-F', '#{pane_id}', '--', 'p']);
  });

  it('rejects an empty command and a bad variable name before touching tmux', async () => {
    const run = createFakeRunner();
    const server = new TmuxServer({ socket: 's', run });
    const base = { session: 'poli', projectDir: '/p' };
    await expect(server.start({ ...base, panes: { PLANNER: { command: ' ' }, EXECUTER: { command: 'x' } } })).rejects.toBeInstanceOf(ConfigError);
    await expect(
      server.start({ ...base, panes: { PLANNER: { command: 'x' }, EXECUTER: { command: 'x', env: { 'A B': '1' } } } }),
    ).rejects.toBeInstanceOf(ConfigError);
    expect(run.calls).toEqual([]);
  });
});

describe('TmuxServer.findPanes', () => {
  it('returns the panes by role, or undefined when the session or a role is missing', async () => {
    const run = createFakeRunner(() => ({ stdout: '%4 EXECUTER\n%3 PLANNER\n%9 \n' }));
    const server = new TmuxServer({ socket: 's', run });
    expect(await server.findPanes('poli')).toEqual({ PLANNER: '%3', EXECUTER: '%4' });
    expect(run.calls[0]?.args).toEqual(['list-panes', '-s', '-t', '=poli', '-F', '#{pane_id} #{@poli_role}']);
    const missing = new TmuxServer({ socket: 's', run: createFakeRunner(() => ({ stderr: "can't find session: poli", exitCode: 1 })) });
    expect(await missing.findPanes('poli')).toBeUndefined();
    const half = new TmuxServer({ socket: 's', run: createFakeRunner(() => ({ stdout: '%3 PLANNER\n' })) });
    expect(await half.findPanes('poli')).toBeUndefined();
  });
});

describe('TmuxServer.liveness', () => {
  it('parses status and signal, empty fields included', () => {
    expect(parseLiveness('%0 0  \n%1 1 3 \n%2 1  9\n%3 1  \n')).toEqual([
      { paneId: '%0', dead: false },
      { paneId: '%1', dead: true, exitStatus: 3 },
      { paneId: '%2', dead: true, signal: 9 },
      { paneId: '%3', dead: true },
    ]);
  });

  it('answers for the asked panes from one list-panes -a call', async () => {
    const run = createFakeRunner(() => ({ stdout: '%0 0  \n%1 1 3 \n%5 0  \n' }));
    const server = new TmuxServer({ socket: 's', run });
    expect(await server.liveness(['%1', '%0'])).toEqual([
      { paneId: '%1', dead: true, exitStatus: 3 },
      { paneId: '%0', dead: false },
    ]);
    expect(run.calls.map((call) => call.args)).toEqual([
      ['list-panes', '-a', '-F', '#{pane_id} #{pane_dead} #{pane_dead_status} #{pane_dead_signal}'],
    ]);
    await expect(server.liveness(['%0', '%8'])).rejects.toThrow(new PaneNotFoundError('%8'));
  });

  it('throws TmuxServerGoneError naming its socket when the server is gone', async () => {
    const run = createFakeRunner(() => ({ stderr: 'no server running on /tmp/tmux-0/poli-test-a\n', exitCode: 1 }));
    const server = new TmuxServer({ socket: 'poli-test-a', run });
    await expect(server.liveness()).rejects.toThrow(TmuxServerGoneError);
    await expect(server.liveness()).rejects.toThrow('socket "poli-test-a"');
  });
});

describe('TmuxServer.respawn and kill', () => {
  it('respawns with -k and clears the history in one call', async () => {
    const run = createFakeRunner();
    await new TmuxServer({ socket: 's', run }).respawn('%2', { command: 'claude', env: { X: '1' }, cwd: '/p' });
    expect(run.calls[0]?.args).toEqual(['respawn-pane', '-k', '-t', '%2', '-c', '/p', '-e', 'X=1', '--', 'claude', ';', 'clear-history', '-t', '%2']);
  });

  it('kills exactly its server and removes only its own socket file', async () => {
    const removed: string[] = [];
    const run = createFakeRunner((args) => (args[0] === 'display-message' ? { stdout: '/tmp/tmux-0/poli-test-k\n' } : undefined));
    await new TmuxServer({ socket: 'poli-test-k', run, removeFile: async (p) => void removed.push(p), processes: noProcesses }).kill();
    expect(run.calls.map((call) => call.args[0])).toEqual(['display-message', 'list-panes', 'kill-server']);
    expect(removed).toEqual(['/tmp/tmux-0/poli-test-k']);
    // No server answers: only the socket file a dead server left behind is removed (and only one with this name).
    const notRunning = createFakeRunner(() => ({ stderr: 'no server running on /tmp/tmux-0/x', exitCode: 1 }));
    await new TmuxServer({ socket: 'x', run: notRunning, removeFile: async (p) => void removed.push(p), processes: noProcesses }).kill();
    expect(notRunning.calls).toHaveLength(1);
    expect(removed).toEqual(['/tmp/tmux-0/poli-test-k', '/tmp/tmux-0/x']);
    const other = createFakeRunner(() => ({ stderr: 'no server running on /tmp/tmux-0/someone-else', exitCode: 1 }));
    await new TmuxServer({ socket: 'x', run: other, removeFile: async (p) => void removed.push(p), processes: noProcesses }).kill();
    expect(removed).toHaveLength(2);
  });

  it("after kill-server, ends the panes' process groups that outlive the hangup: SIGTERM after 2 s, SIGKILL 1 s later", async () => {
    const run = createFakeRunner((args) =>
      args[0] === 'display-message' ? { stdout: '/tmp/tmux-0/poli-test-r\n' } : args[0] === 'list-panes' ? { stdout: '101\n102\n103\n' } : undefined,
    );
    let now = 0;
    const sent: string[] = [];
    // 101 ends with the hangup, 102 with SIGTERM, 103 only with SIGKILL.
    const living = new Set([101, 102, 103]);
    const processes = {
      alive: (pid: number) => living.has(pid),
      signalGroup(pid: number, signal: 'SIGTERM' | 'SIGKILL') {
        sent.push(`${now} ${pid} ${signal}`);
        if (signal === 'SIGKILL' || pid === 102) living.delete(pid);
      },
      sleep: async (ms: number) => {
        now += ms;
        if (now >= 100) living.delete(101);
      },
    };
    await new TmuxServer({ socket: 'poli-test-r', run, removeFile: async () => undefined, processes }).kill();
    expect(sent).toEqual(['2000 102 SIGTERM', '2000 103 SIGTERM', '3000 103 SIGKILL']);
    expect(living.size).toBe(0);
  });
});

describe('TmuxServer.killSessionOrServer', () => {
  it('kills only the named session while another is left on the server', async () => {
    const run = createFakeRunner((args) => (args[0] === 'list-panes' ? { stdout: '201\n202\n' } : args[0] === 'list-sessions' ? { stdout: 'B\n' } : undefined));
    const removed: string[] = [];
    await new TmuxServer({ socket: 'poli-test-s', run, removeFile: async (p) => void removed.push(p), processes: noProcesses }).killSessionOrServer('A');
    expect(run.calls.map((call) => call.args)).toEqual([
      ['list-panes', '-s', '-t', '=A:', '-F', '#{pane_pid}'],
      ['kill-session', '-t', '=A'],
      ['list-sessions', '-F', '#{session_name}'],
    ]);
    expect(removed).toEqual([]);
  });

  it('kills the server (and its socket file) once no session is left, and the server alone without a session name', async () => {
    const empty = createFakeRunner((args) =>
      args[0] === 'list-sessions' ? { stderr: 'no server running on /tmp/tmux-0/poli-test-s', exitCode: 1 } : args[0] === 'display-message' ? { stderr: 'no server running on /tmp/tmux-0/poli-test-s', exitCode: 1 } : undefined,
    );
    const removed: string[] = [];
    await new TmuxServer({ socket: 'poli-test-s', run: empty, removeFile: async (p) => void removed.push(p), processes: noProcesses }).killSessionOrServer('A');
    expect(empty.calls.map((call) => call.args[0])).toEqual(['list-panes', 'kill-session', 'list-sessions', 'display-message']);
    expect(removed).toEqual(['/tmp/tmux-0/poli-test-s']);
    const whole = createFakeRunner((args) => (args[0] === 'display-message' ? { stdout: '/tmp/tmux-0/poli-test-w\n' } : undefined));
    await new TmuxServer({ socket: 'poli-test-w', run: whole, removeFile: async () => undefined, processes: noProcesses }).killSessionOrServer(undefined);
    expect(whole.calls.map((call) => call.args[0])).toEqual(['display-message', 'list-panes', 'kill-server']);
  });
});

/** No pane processes left after kill-server (the unit tests' servers have none). */
const noProcesses = { alive: () => false, signalGroup: () => undefined, sleep: async () => undefined };

describe('TmuxServer.linkWindow', () => {
  it("links the pair's window into the hub session, by exact session names", async () => {
    const run = createFakeRunner();
    await new TmuxServer({ socket: 'poli-test-a', run }).linkWindow('pair-b', 'hub');
    expect(run.calls.map((call) => call.args)).toEqual([['link-window', '-d', '-s', '=pair-b:', '-t', '=hub:']]);
  });

  it('says which command failed when tmux refuses', async () => {
    const run = createFakeRunner(() => ({ exitCode: 1, stderr: "can't find session: =hub" }));
    await expect(new TmuxServer({ socket: 'poli-test-a', run }).linkWindow('pair-b', 'hub')).rejects.toThrow(/link-window/);
  });
});
