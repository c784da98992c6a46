/**
 * An open workspace: the event stream, --notify, the terminal's input, and the Workspace that tasks run in, with its
 * close (what poli held, released in order).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { realClock, type AppIO } from '../host.ts';
import { controlDir } from '../human/control.ts';
import { removeSessionFiles } from '../mcp/session-files.ts';
import type { Role } from '../protocol/types.ts';
import { createEventLog, EVENTS_FILE, type EventLog, type PoliEvent } from '../records/events.ts';
import { writeTranscript } from '../records/transcript.ts';
import type { Settings } from '../settings.ts';
import { claimKey } from '../state/claim-key.ts';
import { stateDirPointer } from '../state/running.ts';
import { createLineInput, type LineInput } from '../terminal/line-input.ts';
import { pickStatusTask, renderStatusLine } from '../terminal/status-line.ts';
import type { TmuxClient } from '../tmux/client.ts';
import type { CliSpec } from './cli-spec.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { removeEmptyPoliDirs } from './project-files.ts';
import { showStatusLine, statusRightArgs } from './session-checks.ts';
import type { SocketClaim } from './workspace-claim.ts';
import type { WorkspaceOutput } from './workspace-output.ts';
import { ensureSession, type StartedSession } from './workspace-session.ts';
import type { Workspace } from './workspace-api.ts';

/** Everything an open workspace holds. */
export interface WorkspaceParts extends StartedSession {
  io: AppIO;
  settings: Settings;
  client: TmuxClient;
  output: WorkspaceOutput;
  claim: SocketClaim;
  fallbacks: Partial<Record<Role, CliSpec>>;
}

const BELL = '\x07';

/** See Workspace.waitCapMs; pane deaths wake the wait too (a tmux subscription), so crashes stay well under 2 s. */
const EVENT_WAIT_CAP_MS = 1_000;

/** The workspace once its session runs: announces the primed CLIs and shows the status bar. */
export async function openedWorkspace(parts: WorkspaceParts): Promise<Workspace> {
  const { io, settings, client, output, claim, intake } = parts;
  const { live, logger } = output;
  const run = client.run;
  let session = parts.session;
  const events = createEventLog(path.join(settings.stateDir, EVENTS_FILE), {
    onError: (error) => logger.warn(`could not write the event stream: ${String(error)}`),
    fields: { socket: settings.socket },
  });
  const notifier = createNotifier(settings.notify, settings.projectDir, io.env, (m) => logger.warn(m, { event: 'notify' }));
  for (const role of ['PLANNER', 'EXECUTER'] as const) events.emit({ event: 'prime', role, pane: session.paneIds[role] });
  // Until a task starts, the status bar tells how the last one on this socket ended (`poli T3 timeout`).
  await showStatusLine(run, logger, renderStatusLine(pickStatusTask(claim.known, settings.socket, settings.session), realClock.now()), settings.session);
  const notify = (event: PoliEvent): void => {
    if (output.tty) io.stdout.write(BELL);
    notifier.run(event);
  };
  const input = createLineInput(io.stdin, io.stdout);
  return {
    io,
    settings,
    get session() {
      return session;
    },
    async ensureSession() {
      session = await ensureSession({ ...parts, store: claim.store, events }, session);
    },
    fallbacks: parts.fallbacks,
    store: claim.store,
    logger,
    clock: realClock,
    events,
    control: claim.control,
    input,
    say: (line) => live.line(line),
    progress: (line) => live.line(line),
    error: (line) => live.above(() => io.stderr.write(`${line}\n`)),
    async ask(event, ask) {
      live.suspend();
      notify(event);
      try {
        return await ask();
      } finally {
        live.resume();
      }
    },
    notify: (event) => notify(event),
    live,
    waitCapMs: () => (client.mode === 'control' ? Math.max(settings.pollMs, EVENT_WAIT_CAP_MS) : settings.pollMs),
    async setStatus(line) {
      await run(statusRightArgs(settings.session, line)).catch(() => undefined);
    },
    closeReplies: () => intake.idle(),
    async writeTranscript(task) {
      await writeTranscript(settings.stateDir, task).catch((error: unknown) =>
        logger.warn(`could not write the transcript of ${task.id}: ${String(error)}`),
      );
    },
    close: () => closeWorkspace({ ...parts, session }, { events, notifier, input }),
  };
}

/** Releases what the workspace holds, in order; commands that came after the last task are said, not dropped. */
async function closeWorkspace(parts: WorkspaceParts, opened: { events: EventLog; notifier: Notifier; input: LineInput }): Promise<void> {
  const { io, settings, client, claim, session, output } = parts;
  const { events, notifier, input } = opened;
  const { logger } = output;
  input.close();
  // Commands that arrived after the last task: said, not silently dropped with the inbox.
  for (const command of await claim.control.poll().catch(() => [])) {
    const what = command.kind === 'say' ? `the note for the ${command.to} (${command.text})` : `"poli ${command.kind}"`;
    logger.warn(`${what} was not delivered: no task was running any more`, { event: command.kind });
    if (command.kind === 'say') events.emit({ event: 'say', role: command.to, summary: command.text, delivered: false, reason: 'no task was running any more' });
  }
  await notifier.settle();
  await events.close();
  const key = claimKey(settings.socket, settings.session);
  await rm(stateDirPointer(io.runtimeDir, key), { force: true });
  await rm(controlDir(io.runtimeDir, key), { recursive: true, force: true });
  await parts.intake.close();
  await claim.lock.release();
  await session.close();
  await removeEmptyPoliDirs(settings.projectDir);
  // The control client goes first: killing the server under it would read as "control mode stopped".
  await client.close();
  if (settings.killOnExit) {
    await session.kill().catch(() => undefined);
    // Only once the CLIs are gone: a session left running keeps using them (the next poli writes them afresh).
    await removeSessionFiles(parts.sessionFiles);
  }
  await logger.close();
}
