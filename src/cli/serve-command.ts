/**
 * `poli serve` and `poli work --serve` (issue 21): starts the dashboard's server over the state directory, prints
 * the one line with the URL to open (it carries the token, which appears nowhere else), and closes it on Ctrl+C or
 * SIGTERM (or, with `poli work --serve`, when the worker stops).
 */
import { loadConfigValues, resolveUserCwd, type Settings } from '../config.ts';
import { PACKAGE_ROOT, type AppIO } from '../host.ts';
import { LOOPBACK_HOSTS, startServer, type StartedServer } from '../serve/server.ts';
import { INTERRUPT_SIGNALS } from '../terminal/interrupts.ts';
import type { ServeAddress } from './serve-options.ts';

/** Starts the server and prints its URL (and, for an address beyond this machine, what that means). */
export async function startDashboard(io: AppIO, settings: Settings, address: ServeAddress): Promise<StartedServer> {
  const { ensureWritableDir } = await import('../session/session-checks.ts');
  await ensureWritableDir(settings.stateDir);
  const values = await loadConfigValues({ env: io.env, userCwd: resolveUserCwd(io.env, io.cwd), packageRoot: PACKAGE_ROOT });
  // Live panes: one tmux control-mode client per session watched, shared by its streams.
  const { createPaneFeed } = await import('../serve/pane-feed.ts');
  const paneFeed = createPaneFeed();
  const server = await startServer({
    stateDir: settings.stateDir,
    projectDir: settings.projectDir,
    socket: settings.socket,
    runtimeDir: io.runtimeDir,
    host: address.host,
    port: address.port,
    clock: { now: io.now },
    pid: io.pid,
    paneFeed,
    // Only the task types' commands: the server holds no other environment value.
    typeValues: Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith('POLI_TYPE_'))),
  });
  io.stdout.write(`poli: dashboard at ${server.url}\n`);

  if (!LOOPBACK_HOSTS.includes(address.host)) {
    io.stderr.write(
      `poli: warning: listening on ${address.host}, not only this machine: anyone who can reach that address and has the URL ` +
        'can read every task and run commands in the project (add tasks, type into the CLIs). Use it only on a network you trust.\n',
    );
  }
  // The feed's control clients go with the server.
  return {
    ...server,
    async close() {
      await server.close();
      await paneFeed.close();
    },
  };
}

/** `poli serve`: serves until Ctrl+C or SIGTERM; exit 130 then, as `poli work` does. */
export async function runServe(io: AppIO, settings: Settings, address: ServeAddress): Promise<number> {
  const server = await startDashboard(io, settings, address);
  await new Promise<void>((resolve) => {
    const off = INTERRUPT_SIGNALS.filter((s) => s !== 'SIGPIPE').map((signal) => io.onSignal(signal, () => {
      off.forEach((f) => f());
      resolve();
    }));
  });
  await server.close();
  io.stderr.write('poli: stopped; the dashboard is closed (the tasks and pairs go on).\n');
  return 130;
}
