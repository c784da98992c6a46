/**
 * A poli workspace: the checked settings, the lock on the tmux socket, the tmux session with both CLIs primed, the
 * state store and the logger — and running tasks in it, one-shot or interactively. Built by the composition root
 * (app.ts) from real effects. Its parts: the CLIs (cli-specs.ts), the terminal output (workspace-output.ts), the
 * socket's lock and inbox (workspace-claim.ts), the session's start and restart (workspace-session.ts), --notify
 * (notifier.ts), and what the workspace does once open (workspace-open.ts); what tasks see of it: workspace-api.ts.
 */
import path from 'node:path';
import type { Settings } from '../settings.ts';
import { PACKAGE_ROOT, realClock, type AppIO } from '../host.ts';
import type { Logger } from '../records/logger.ts';
import { loadIntakeSecret, paneTokens } from '../mcp/pane-token.ts';
import { intakeSocketPath } from '../mcp/wire.ts';
import { claimKey } from '../state/claim-key.ts';
import { createTmuxClient } from '../tmux/client.ts';
import { assertTmuxAvailable } from '../tmux/runner.ts';
import type { Workspace } from './workspace-api.ts';
import { resolveCheckedClis } from './cli-specs.ts';
import { ensureWritableDir } from './session-checks.ts';
import { ensureWritableProjectDir } from './project-files.ts';
import { openOutput } from './workspace-output.ts';
import { claimSocket } from './workspace-claim.ts';
import { startSession } from './workspace-session.ts';
import { openedWorkspace } from './workspace-open.ts';

export { ensureWritableDir, keepRunningNote } from './session-checks.ts';
export type { Workspace } from './workspace-api.ts';

/**
 * Checks everything that can be checked before starting, then starts (or reuses) the session. When `interrupted`
 * aborts meanwhile (Ctrl+C, SIGTERM, SIGHUP, a closed stdout), it stops starting, cleans up as for a failed start,
 * and throws StartInterruptedError. `deferPriming`: one task to run, whose priming waits until the task exists.
 */
export async function openWorkspace(
  io: AppIO,
  settings: Settings,
  options: { deferPriming?: boolean; interrupted?: AbortSignal } = {},
): Promise<Workspace> {
  // The client warns through the logger, made once the checks below have passed.
  const late: { logger?: Logger } = {};
  const client = createTmuxClient({
    socket: settings.socket,
    configFile: path.join(PACKAGE_ROOT, 'config', 'tmux.conf'),
    clock: realClock,
    // Called only once the session is being opened, after `logger` below exists.
    warn: (message) => late.logger?.warn(message, { event: 'state' }),
  });
  await assertTmuxAvailable(client.run);
  // The structured channel beside the screen (src/mcp/): each CLI gets poli's MCP server and `poli reply`.
  const key = claimKey(settings.socket, settings.session);
  const intakeSocket = intakeSocketPath(io.runtimeDir, key);
  // Each pane's token, derived from the state dir's secret: the same after a restart with --resume (pane-token.ts).
  await ensureWritableDir(settings.stateDir);
  const tokens = paneTokens(await loadIntakeSecret(settings.stateDir), key);
  const resolved = await resolveCheckedClis(io, settings, intakeSocket, tokens);
  // Before tmux starts: a state dir poli cannot write would otherwise fail half-way, with the CLIs running.
  await ensureWritableDir(settings.stateDir);
  // The same for the project: the first long message (a file in .poli/) would fail mid-task.
  await ensureWritableProjectDir(settings.projectDir);
  const output = openOutput(io, settings);
  late.logger = output.logger;
  const claim = await claimSocket(io, settings, output.logger);
  const started = await startSession({ io, settings, client, output, claim, resolved, intakeSocket, tokens, ...options });
  return openedWorkspace({ io, settings, client, output, claim, fallbacks: resolved.fallbacks, ...started });
}
