/**
 * A workspace's tmux session: started (or reused) with both CLIs primed, cleaned up after when that fails or is
 * interrupted, and started again before an interactive task when its server or a pane was killed.
 */
import { rm } from 'node:fs/promises';
import { realClock, type AppIO } from '../host.ts';
import { Intake } from '../mcp/intake.ts';
import { fileJournal } from '../mcp/reply-journal.ts';
import { prepareSessionFiles, removeSessionFiles } from '../mcp/session-files.ts';
import type { Role } from '../protocol/types.ts';
import type { EventLog } from '../records/events.ts';
import type { Settings } from '../settings.ts';
import { claimKey, DEFAULT_SESSION } from '../state/claim-key.ts';
import { stateDirPointer } from '../state/running.ts';
import type { StateStore } from '../state/store.ts';
import { pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';
import { StartInterruptedError, unlessInterrupted } from '../terminal/interrupts.ts';
import type { TmuxClient } from '../tmux/client.ts';
import { durationClock } from '../tmux/clock.ts';
import { TmuxServer } from '../tmux/server.ts';
import type { ResolvedClis } from './cli-specs.ts';
import { checkSession } from './pane-repair.ts';
import { removeEmptyPoliDirs } from './project-files.ts';
import { PoliSession } from './session.ts';
import type { SessionOptions } from './session-options.ts';
import { keepRunningNote, sessionRunning, showStatusLine, warnIfProjectChanged } from './session-checks.ts';
import type { SocketClaim } from './workspace-claim.ts';
import type { WorkspaceOutput } from './workspace-output.ts';

/** What starting the session needs: the workspace's parts so far. */
export interface SessionStart {
  io: AppIO;
  settings: Settings;
  client: TmuxClient;
  output: WorkspaceOutput;
  claim: SocketClaim;
  resolved: ResolvedClis;
  intakeSocket: string;
  tokens: Record<Role, string>;
  deferPriming?: boolean;
  interrupted?: AbortSignal;
}

/** The session started, and what it is kept with. */
export interface StartedSession {
  session: PoliSession;
  /** Kept for starting the session again (interactive mode, after its server or a pane was killed). */
  sessionOptions: SessionOptions;
  intake: Intake;
  /** Session-local settings files a CLI is pointed at (removed when the session is killed). */
  sessionFiles: string[];
}

/** Starts (or reuses) the session; on failure or interrupt, releases what the workspace held and throws. */
export async function startSession(start: SessionStart): Promise<StartedSession> {
  const { io, settings, client, output, claim, resolved, interrupted } = start;
  const { live, logger } = output;
  const run = client.run;
  // Session-local settings a CLI is pointed at (Gemini CLI's session home), in the per-user runtime dir: written once
  // this poli holds the socket's lock, before the CLIs start.
  const sessionFiles: string[] = [];
  const intake = new Intake({ projectDir: settings.projectDir, tokens: start.tokens, journal: fileJournal(settings.stateDir), debug: (message) => logger.debug(message, { event: 'reply' }) });
  const sessionOptions = optionsFor(start, intake);
  try {
    for (const registration of resolved.registrations) sessionFiles.push(...(await prepareSessionFiles(registration)));
    await intake.listen(start.intakeSocket);
    if (interrupted?.aborted) throw new StartInterruptedError(String(interrupted.reason));
    const reusing = await sessionRunning(run, settings.socket, settings.session);
    logger.info(
      reusing
        ? `reusing the tmux session on socket "${settings.socket}" (in ${settings.projectDir})`
        : `starting the tmux session on socket "${settings.socket}" in ${settings.projectDir}`,
      { event: 'start' },
    );
    await warnIfProjectChanged(run, settings, logger);
    // Priming takes seconds (the CLIs start, read their role files and answer): a spinner and the time meanwhile.
    live.update({ round: 0, waitingFor: null, startedAt: realClock.now(), last: 'starting and priming the PLANNER and EXECUTER', starting: true });
    const session = await unlessInterrupted(PoliSession.open(sessionOptions), interrupted);
    live.stop();
    return { session, sessionOptions, intake, sessionFiles };
  } catch (error) {
    live.stop();
    await intake.close();
    await rm(stateDirPointer(io.runtimeDir, claimKey(settings.socket, settings.session)), { force: true });
    await claim.lock.release();
    if (settings.killOnExit) {
      // TmuxServer.kill: also the socket file of a server that died while starting. A named session: only it, and the
      // server once no other poli's session is left on it.
      await new TmuxServer({ socket: settings.socket, run }).killSessionOrServer(namedSession(settings)).catch(() => undefined);
      await removeSessionFiles(sessionFiles);
    } else if ((await run(['has-session']).catch(() => undefined))?.exitCode === 0) io.stderr.write(`${keepRunningNote(settings.socket, settings.session)}\n`);
    await client.close();
    await removeEmptyPoliDirs(settings.projectDir);
    await logger.close();
    throw error;
  }
}

/** The session poli drives, when it is not the default one (which owns the whole server, as before names). */
function namedSession(settings: Settings): string | undefined {
  return settings.session === DEFAULT_SESSION ? undefined : settings.session;
}

/** The session's options from the settings, the CLIs and the intake. */
function optionsFor(start: SessionStart, intake: Intake): SessionOptions {
  const { settings, client, output } = start;
  const { logger } = output;
  return {
    run: client.run,
    client,
    // A reply delivered through poli's tool or command wakes the dialogue as pane output does.
    waitForChange: (paneIds, ms) => Promise.race([client.waitForChange(paneIds, ms), intake.nextDelivery()]),
    socket: settings.socket,
    // Only a named session is passed: the default one keeps today's tmux layout and --kill-on-exit (the server).
    ...(namedSession(settings) === undefined ? {} : { session: settings.session }),
    // The session measures only durations (readiness, re-reads, the send pipeline, reply files' settle time).
    clock: durationClock(realClock),
    projectDir: settings.projectDir,
    clis: start.resolved.clis,
    readyTimeoutMs: Math.min(settings.planTimeout, 120) * 1000,
    restarts: settings.restarts,
    pollMs: settings.pollMs,
    log: (message) => logger.info(message, { event: 'prime' }),
    debug: (message) => logger.debug(message, { event: 'send' }),
    wrapChannel: (channel) => intake.wrap(channel),
    // One task to run: the CLIs are primed once it exists (tasks.ts), so a usage limit then shows as its wait.
    ...(start.deferPriming ? { deferPriming: true } : {}),
  };
}

/**
 * Before a task in a session poli keeps open: when the tmux session is gone (its server was killed) or one of its
 * panes is, starts it again, or the missing pane (saying so at the terminal). Returns the session to use.
 */
export async function ensureSession(
  parts: { settings: Settings; client: TmuxClient; output: WorkspaceOutput; store: StateStore; events: EventLog; sessionOptions: SessionOptions },
  session: PoliSession,
): Promise<PoliSession> {
  const { settings, output, events } = parts;
  const run = parts.client.run;
  const health = await checkSession(run, settings.session, session.paneIds);
  if (health.kind === 'ok') return session;
  const socketName = `socket "${settings.socket}"`;
  output.live.line(
    health.kind === 'gone'
      ? `poli: the tmux session on ${socketName} is gone (its server was killed or crashed); starting it again: both CLIs start afresh, without the earlier tasks' context.`
      : `poli: the ${health.role} pane on ${socketName} is gone; starting the ${health.role} CLI again in a new pane (the other CLI keeps its context).`,
  );
  output.logger.info(`starting the tmux session on socket "${settings.socket}" again (${health.kind === 'gone' ? 'the session was gone' : `the ${health.role} pane was gone`})`, { event: 'start', fileOnly: true });
  await session.close();
  const started = await PoliSession.open(parts.sessionOptions);
  for (const role of ['PLANNER', 'EXECUTER'] as const) events.emit({ event: 'prime', role, pane: started.paneIds[role] });
  // A new server: its status bar is off until poli turns it on again.
  if (health.kind === 'gone') await showStatusLine(run, output.logger, renderStatusLine(pickStatusTask(await parts.store.list(), settings.socket, settings.session), realClock.now()), settings.session);
  return started;
}
