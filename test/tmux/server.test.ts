/** TmuxServer against real tmux servers, each on its own private socket. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PaneNotFoundError, TmuxServerGoneError } from '../../src/errors.ts';
import type { PaneIds, PaneSpec } from '../../src/tmux/server.ts';
import { createSandbox, defaultSocketPath, waitFor, type Sandbox } from '../helpers/tmux-sandbox.ts';

const sandboxes: Sandbox[] = [];

function sandbox(): Sandbox {
  const created = createSandbox();
  sandboxes.push(created);
  return created;
}

afterEach(async () => {
  const done = sandboxes.splice(0);
  await Promise.all(done.map((s) => s.cleanup()));
  for (const s of done) expect(existsSync(defaultSocketPath(s.socket))).toBe(false);
});

async function start(s: Sandbox, planner: PaneSpec, executer: PaneSpec): Promise<PaneIds> {
  return s.server.start({ session: 'poli-it', projectDir: '/tmp', panes: { PLANNER: planner, EXECUTER: executer } });
}

async function display(s: Sandbox, paneId: string, format: string): Promise<string> {
  return (await s.run(['display-message', '-p', '-t', paneId, format])).stdout.trim();
}

describe('TmuxServer', () => {
  it('starts two wide panes side by side, tagged with their roles, each with its own environment', async () => {
    const s = sandbox();
    expect(await s.server.isRunning()).toBe(false);
    const panes = await start(
      s,
      { command: 'echo "P:$ROLE_VAR:$ONLY_E:$(pwd)"; exec sleep 600', env: { ROLE_VAR: 'planner', ONLY_P: '1' } },
      { command: 'echo "E:$ROLE_VAR:$ONLY_P:$(pwd)"; exec sleep 600', env: { ROLE_VAR: 'executer', ONLY_E: '1' } },
    );
    expect(await s.server.isRunning()).toBe(true);
    for (const role of ['PLANNER', 'EXECUTER'] as const) {
      const [width, height, tag, title] = (await display(s, panes[role], '#{pane_width} #{pane_height} #{@poli_role} #{pane_title}')).split(' ');
      expect(Number(width)).toBeGreaterThanOrEqual(120);
      expect(Number(height)).toBe(50);
      expect(tag).toBe(role);
      expect(title).toBe(role);
    }
    expect(await display(s, panes.PLANNER, '#{window_width} #{window_height} #{window_panes} #{window-size}')).toBe('250 50 2 manual');
    expect(Number(await display(s, panes.PLANNER, '#{pane_left}'))).toBeLessThan(Number(await display(s, panes.EXECUTER, '#{pane_left}')));
    // Variables are per pane: the PLANNER's do not leak into the EXECUTER, nor the reverse.
    const screen = async (paneId: string) => (await s.run(['capture-pane', '-p', '-t', paneId])).stdout.trim();
    await waitFor(async () => ((await screen(panes.EXECUTER)) === 'E:executer::/tmp' ? true : undefined), () => screen(panes.EXECUTER));
    await waitFor(async () => ((await screen(panes.PLANNER)) === 'P:planner::/tmp' ? true : undefined), () => screen(panes.PLANNER));
    expect(await s.server.findPanes('poli-it')).toEqual(panes);
    expect(await s.server.findPanes('other')).toBeUndefined();
  });

  it('reports the exit status and the signal of dead panes, and respawns them', async () => {
    const s = sandbox();
    const panes = await start(s, { command: 'exec sleep 600' }, { command: 'exec sleep 600' });
    // tmux 3.3a sometimes never fills pane_dead_status/pane_dead_signal for a program that ran a
    // while (4 in 20 trials on a quiet machine, see TmuxServer.liveness; 4 misses in a row at a load of 20 on 2 cores),
    // so each case gets up to 10 trials; the parsing must be exact whenever tmux reports them.
    const observe = async (paneId: string, kill: () => Promise<void>) => {
      const seen: unknown[] = [];
      for (let trial = 1; trial <= 10; trial += 1) {
        await kill();
        const deadline = Date.now() + 1_000;
        let state = (await s.server.liveness([paneId]))[0];
        while ((state?.exitStatus === undefined && state?.signal === undefined) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          state = (await s.server.liveness([paneId]))[0];
        }
        seen.push(state);
        if (state?.exitStatus !== undefined || state?.signal !== undefined) return { state, seen };
        await s.server.respawn(paneId, { command: 'exec sleep 600' });
      }
      return { state: undefined, seen };
    };

    const exited = await observe(panes.PLANNER, async () => {
      await s.server.respawn(panes.PLANNER, { command: 'sleep 0.1; exit 3' });
    });
    expect(exited.state, JSON.stringify(exited.seen)).toEqual({ paneId: panes.PLANNER, dead: true, exitStatus: 3 });

    const killed = await observe(panes.EXECUTER, async () => {
      await s.server.respawn(panes.EXECUTER, { command: 'exec sleep 600' });
      process.kill(Number(await display(s, panes.EXECUTER, '#{pane_pid}')), 'SIGKILL');
    });
    expect(killed.state, JSON.stringify(killed.seen)).toEqual({ paneId: panes.EXECUTER, dead: true, signal: 9 });
    if (exited.seen.length + killed.seen.length > 2) console.log(`[server] liveness trials: ${JSON.stringify([...exited.seen, ...killed.seen])}`);

    await s.server.respawn(panes.PLANNER, { command: 'exec sleep 600', cwd: '/' });
    expect(await s.server.liveness([panes.PLANNER])).toEqual([{ paneId: panes.PLANNER, dead: false }]);
    expect(await display(s, panes.PLANNER, '#{@poli_role} #{history_size}')).toBe('PLANNER 0');
  });

  it('throws PaneNotFoundError for a missing pane and TmuxServerGoneError once the server is gone', async () => {
    const s = sandbox();
    const panes = await start(s, { command: 'exec sleep 600' }, { command: 'exec sleep 600' });
    await expect(s.server.liveness([panes.PLANNER, '%999'])).rejects.toThrow(new PaneNotFoundError('%999'));
    await s.run(['kill-server']);
    await expect(s.server.liveness()).rejects.toBeInstanceOf(TmuxServerGoneError);
    await expect(s.server.liveness()).rejects.toThrow(`socket "${s.socket}"`);
  });

  it("kill() ends a pane program that ignores the hangup (and SIGTERM), its whole process group, and nothing else", async () => {
    const s = sandbox();
    // The shell and its sleeps inherit the ignored signals, as a CLI stalled in a redraw loop ignores the hangup.
    await start(s, { command: `exec sh -c 'trap "" HUP TERM; while :; do sleep 1; done'` }, { command: 'exec sleep 600' });
    const stubborn = Number(await display(s, '%0', '#{pane_pid}'));
    const bystander = spawnSync('sh', ['-c', 'sleep 600 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const other = Number(bystander.stdout.trim());
    try {
      await s.server.kill();
      expect(gone(stubborn)).toBe(true);
      expect(gone(other)).toBe(false);
    } finally {
      process.kill(other, 'SIGKILL');
    }
  });

  it('kill() removes exactly its own server and socket file', async () => {
    const mine = sandbox();
    const other = sandbox();
    await start(mine, { command: 'exec sleep 600' }, { command: 'exec sleep 600' });
    await start(other, { command: 'exec sleep 600' }, { command: 'exec sleep 600' });
    const socketPath = await display(mine, '%0', '#{socket_path}');
    expect(existsSync(socketPath)).toBe(true);
    await mine.server.kill();
    expect(await mine.server.isRunning()).toBe(false);
    expect(existsSync(socketPath)).toBe(false);
    expect(await other.server.isRunning()).toBe(true);
    await mine.server.kill();
  });
});

/** Whether `pid` no longer runs: no such process, or a zombie nobody reaped yet (a container's init may not). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
  return / Z /.test(stat.replace(/^.*\)/, ''));
}
