/**
 * Running tasks in a workspace: creates (or reopens) the task in the state store, wires the
 * dialogue's reports to the store, the terminal, the log and the event stream, and runs it.
 */
import { asInvoked, invokedAs } from '../terminal/invocation.ts';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { formatMessage, formatProgress, summarizeBody } from '../terminal/progress.ts';
import { STATUS_INTERVAL_SECONDS, renderStatusLine } from '../terminal/status-line.ts';
import { taskHead } from '../terminal/task-text.ts';
import { runTask, type ReplyReviewer, type TaskRecorder } from '../dialogue/run-task.ts';
import { describeExit } from '../tmux/server.ts';
import { planResume, resumeContext } from '../dialogue/resume.ts';
import { ConfigError, PoliError, StateFileError } from '../errors.ts';
import { cleanBody } from '../protocol/format-block.ts';
import { APPROVAL_LOG_FILE, ApprovalGate, appendAuditLog, formatRejection, needsApproval, openInEditor, resolveEditor } from '../human/approval.ts';
import type { Role } from '../protocol/types.ts';
import type { ControlCommand } from '../human/control.ts';
import { holdBeforeStart } from '../human/start-hold.ts';
import { removeMessageFiles } from './message-files.ts';
import { monotonicNow } from '../tmux/clock.ts';
import type { TaskRecord } from '../state/types.ts';
import type { Workspace } from './workspace.ts';
import { PrimingLimitError, primingLimitHandler } from './priming-wait.ts';

/**
 * Runs one new task, or resumes a stopped one; returns the exit code (0 when it completed). `interrupted` aborts on
 * the process's signals and a closed stdout (app.ts, src/terminal/interrupts.ts).
 */
export async function runOneTask(ws: Workspace, what: { task: string } | { resume: string }, interrupted: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const forward = () => controller.abort(interrupted.reason);
  if (interrupted.aborted) forward();
  else interrupted.addEventListener('abort', forward, { once: true });
  // Once the approval gate has read the terminal, Ctrl+C arrives through readline, not as a signal.
  const offKey = ws.input.onInterrupt(() => controller.abort('interrupted by Ctrl+C (SIGINT)'));
  try {
    const record = await executeTask(ws, what, controller.signal);
    return record.status === 'completed' ? 0 : 1;
  } finally {
    interrupted.removeEventListener('abort', forward);
    offKey();
  }
}

/** What the person sent (poli say/pause) while no task ran, handed to the next task. */
export type CarriedCommands = ControlCommand[];

/** Creates or reopens the task and runs the dialogue; the record is final when it returns. */
export async function executeTask(
  ws: Workspace,
  what: { task: string } | { resume: string },
  outerSignal: AbortSignal,
  carried: CarriedCommands = [],
): Promise<TaskRecord> {
  const { store, settings, clock } = ws;
  // The task also stops from inside: no answer at the approval prompt (end of input).
  const stopper = new AbortController();
  const forward = () => stopper.abort(outerSignal.reason);
  if (outerSignal.aborted) forward();
  else outerSignal.addEventListener('abort', forward, { once: true });
  const signal = stopper.signal;
  const { record: created, start } = await openTask(ws, what);
  const taskId = created.id;
  const taskNumber = Number(taskId.slice(1));
  const started = clock.now();
  // The elapsed time shown on progress lines: monotonic, so a step of the wall clock does not show in it.
  const startedMono = monotonicNow(clock);
  const elapsedMs = (): number => monotonicNow(clock) - startedMono;
  let round = created.rounds;
  const emit = ws.events.emit;
  const paneOf = (role: Role) => ws.session.paneIds[role];

  ws.say(`poli: task ${taskId} ${'resume' in what ? 'resumed' : 'started'}: ${taskHead(created.task)}`);
  ws.logger.info(`task ${taskId} ${'resume' in what ? 'resumed' : 'started'}`, { event: 'start', task: taskId, fileOnly: true });
  emit({ event: 'start', task: taskId, round, summary: created.task });

  // Notes from the person (poli say), until a message to their CLI carries them.
  const notes: { to: Role; text: string }[] = [];
  const pendingCommands: ControlCommand[] = [...carried];
  const control = async (): Promise<ControlCommand[]> => {
    const commands = [...pendingCommands.splice(0), ...(await ws.control.poll())];
    for (const c of commands) if (c.kind === 'say') notes.push({ to: c.to, text: c.text });
    return commands;
  };

  /** poli's own messages (`ROLE id`), whose `send` event was emitted when they were recorded. */
  const sentByPoli = new Set<string>();
  const recorder: TaskRecorder = {
    async record(message, how) {
      if (message.from === 'HUMAN') {
        const at = notes.findIndex((n) => n.to === message.to && n.text === message.body);
        if (at >= 0) notes.splice(at, 1);
      }
      latest = await store.appendMessage(taskId, { ...message, at: new Date(clock.now()).toISOString() });
      // A result goes on to the PLANNER as a review with the same body: the result's own line says it already.
      // A rejected reply is shown as not forwarded; the review carrying the person's reason back to the PLANNER is
      // told by the progress line that follows ("… your reason was sent back to the PLANNER").
      const rejectedReply = how?.rejected === true && message.from !== 'HUMAN';
      const told = (message.from === 'ORCHESTRATOR' && message.type === 'review') || (how?.rejected === true && message.from === 'HUMAN' && message.to === 'PLANNER');
      if (!told) ws.progress(formatMessage(elapsedMs(), round, message, rejectedReply ? 'rejected by you, not forwarded' : undefined));
      lastSummary = `${message.from} → ${message.to} ${message.type}: ${summarizeBody(message.body)}`;
      const { from, to, type, id, body } = message;
      const cli: Role | null = from === 'PLANNER' || from === 'EXECUTER' ? from : null;
      const event = !cli ? 'send' : type === 'status' ? 'status' : 'reply';
      ws.logger.info(`${from} → ${to} ${type} ${id}`, { event, task: taskId, round, fileOnly: true });
      if (cli && type === 'status') emit({ event: 'status', task: taskId, round, role: cli, pane: paneOf(cli), id, summary: body });
      else if (cli) emit({ event: 'reply', task: taskId, round, role: cli, pane: paneOf(cli), to, type, id, summary: body });
      else if (to !== 'ORCHESTRATOR') {
        if (from === 'ORCHESTRATOR') sentByPoli.add(`${to} ${id}`);
        emit({ event: 'send', task: taskId, round, role: to, pane: paneOf(to), from, type, id, summary: body });
      }
    },
    async delivery(report) {
      const { id, to, type, body, extra, stage } = report;
      const at = new Date(clock.now()).toISOString();
      latest = await store.recordDelivery(taskId, { id, to, type, body, ...(extra ? { extra } : {}), stage, at });
      // The PLANNER's work typed into the EXECUTER (under an id of its own) was recorded as the PLANNER's reply: its
      // `send` is when poli types it. poli's own messages had theirs when recorded.
      if (stage === 'written' && to === 'EXECUTER' && !sentByPoli.has(`${to} ${id}`) && ['plan', 'continue', 'revision'].includes(type)) {
        emit({ event: 'send', task: taskId, round, role: to, pane: paneOf(to), from: 'PLANNER', type, id, summary: body });
      }
      ws.logger.debug(`message ${id} to ${to}: ${stage}`, { event: 'delivery', task: taskId, round, role: to, id, stage, fileOnly: true });
    },
    async setRounds(rounds) {
      round = rounds;
      latest = await store.update(taskId, { rounds });
    },
    async finish(status, given) {
      const reason = withTaskId(given, taskId);
      // Nothing more is recorded for this task: a late reply through the tool or the command is told so.
      ws.closeReplies();
      // Commands that arrived after the last look, and notes no message carried: said, not lost.
      for (const late of await control().catch(() => [] as ControlCommand[])) {
        if (late.kind !== 'say') ws.logger.warn(`"poli ${late.kind}" arrived as task ${taskId} ended; it was not applied`, { event: late.kind, task: taskId, round });
      }
      const undelivered = notes.splice(0);
      const patch = {
        status,
        // A task stopped or failed during a wait is no longer waiting (the wait stays in `waits`), nor held.
        waiting: undefined,
        held: undefined,
        endedAt: new Date(clock.now()).toISOString(),
        ...(status === 'completed' ? {} : { error: reason }),
        ...(undelivered.length > 0 ? { undeliveredNotes: undelivered } : {}),
      };
      const record = await store.update(taskId, patch);
      for (const note of undelivered) {
        const why = `the task ended before poli sent the ${note.to} another message`;
        ws.logger.warn(`the note for the ${note.to} was not delivered (${why}): ${note.text}`, { event: 'say', task: taskId, round, role: note.to });
        emit({ event: 'say', task: taskId, round, role: note.to, summary: note.text, delivered: false, reason: why });
      }
      await ws.writeTranscript(record);
      await removeMessageFiles(settings.projectDir, record);
      ws.logger.info(`task ${taskId} ${status}: ${reason}`, { event: status === 'completed' ? 'complete' : 'error', task: taskId, round, fileOnly: true });
      ws.notify(emit({ event: 'complete', task: taskId, round, status, reason }));
    },
    async waiting(wait) {
      latest = await store.update(
        taskId,
        wait ? { status: 'waiting', waiting: wait, waits: [...(latest.waits ?? []), wait] } : { status: 'running', waiting: undefined },
      );
      showStatus();
    },
  };

  // The status bar of poli's tmux server: refreshed on every step and every few seconds.
  let latest: TaskRecord = created;
  let waitingFor: Role | null = null;
  // Until the dialogue reports its first step, the live line says `starting` (waitingFor null reads `done`).
  let begun = false;
  let lastSummary = taskHead(created.task);
  let askingYou = false;
  let pausedNow = false;
  // `poli status` (a status bar) reads the hold from the state: paused, or waiting for the person's answer.
  const hold = async (kind: 'paused' | 'you' | undefined): Promise<void> => {
    latest = await store
      .update(taskId, { held: kind ? { kind, since: new Date(clock.now()).toISOString() } : undefined })
      .catch((error: unknown) => {
        ws.logger.warn(`could not record in the state that task ${taskId} is ${kind ?? 'no longer held'}: ${String(error)}`);
        return latest;
      });
    showStatus();
  };
  const showStatus = () => {
    void ws.setStatus(askingYou ? `poli ${taskId} r${round} waiting for you` : renderStatusLine(latest, clock.now(), waitingFor));
    const wait = latest.status === 'waiting' ? latest.waiting : undefined;
    const held = wait ? { role: wait.role, reason: wait.reason, until: wait.until === null ? null : Date.parse(wait.until) } : undefined;
    ws.live.update({ round, waitingFor, startedAt: started, last: lastSummary, waitingForYou: askingYou, paused: pausedNow, ...(held ? { held } : {}), ...(begun ? {} : { starting: true }) });
  };
  const statusTimer = setInterval(showStatus, STATUS_INTERVAL_SECONDS * 1000);
  statusTimer.unref();
  showStatus();

  /** Stopped while held before the start: nothing was sent; the notes taken are kept as undelivered. */
  const endBeforeStart = async (reason: string) => {
    // The pause (and stop) were applied; only the notes are left to report as undelivered.
    const notesOnly = pendingCommands.filter((c) => c.kind === 'say');
    pendingCommands.splice(0, pendingCommands.length, ...notesOnly);
    await recorder.finish('interrupted', reason);
    return { status: 'interrupted' as const, reason, rounds: round };
  };

  const restarts: Record<Role, number> = { PLANNER: 0, EXECUTER: 0 };
  /** --on-limit switch: roles whose pane runs its fallback CLI already (each switches once). */
  const switched = new Set<Role>();
  let stoppedPriming: string | undefined;
  try {
    // The CLIs are primed once the task exists: a CLI at its usage limit then makes the task wait, as in a turn. A
    // CLI that cannot start is reported as before (the task is recorded failed); an interrupt while priming ends the
    // task interrupted like one mid-task.
    stoppedPriming = await primeForTask(ws, taskId, signal, switched, control, (commands) => pendingCommands.push(...commands), recorder, () => round, started);
  } catch (error) {
    clearInterval(statusTimer);
    ws.live.stop();
    outerSignal.removeEventListener('abort', forward);
    throw error;
  }
  try {
    // A pause sent while no task ran holds the task before its text is typed (src/human/start-hold.ts).
    const before = stoppedPriming !== undefined ? { outcome: 'stopped' as const, reason: stoppedPriming, commands: [] } : await holdBeforeStart(pendingCommands.splice(0), {
      poll: () => ws.control.poll(),
      sleep: (ms) => clock.sleep(ms),
      everyMs: ws.waitCapMs(),
      signal,
      onHold: (on) => {
        pausedNow = on;
        void hold(on ? 'paused' : undefined);
        const text = on ? 'paused by the human (poli resume to continue); the task is not sent until then' : 'resumed by the human';
        ws.progress(formatProgress(clock.now() - started, round, null, text, false));
        emit({ event: on ? 'pause' : 'resume', task: taskId, round });
      },
    });
    pendingCommands.push(...before.commands);
    const outcome = before.outcome === 'stopped' ? await endBeforeStart(before.reason) : await runTask({
      channels: ws.session.channels,
      recorder,
      clock,
      limits: { maxRounds: settings.maxRounds, planTimeoutSec: settings.planTimeout, execTimeoutSec: settings.execTimeout },
      taskNumber,
      start,
      newId: (r) => `T${taskNumber}-R${r}-${randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6)}`,
      pollMs: ws.waitCapMs(),
      limitPolicy: { limitWaitMs: settings.limitWait * 3600_000 },
      socket: settings.socket,
      signal,
      control,
      ...(settings.approve !== 'off'
        ? {
            review: approvalReviewer(ws, taskId, stopper, (asking) => {
              askingYou = asking;
              void hold(asking ? 'you' : pausedNow ? 'paused' : undefined);
              showStatus();
            }),
          }
        : {}),
      onProgress: (p) => {
        begun = true;
        waitingFor = p.waitingFor;
        showStatus();
        const text = p.text.replace('tmux -L <socket>', `tmux -L ${settings.socket}`);
        // "result sent to PLANNER for review" follows the result's line at once and says nothing more.
        if (!text.endsWith(' sent to PLANNER for review')) {
          ws.progress(formatProgress(elapsedMs(), p.round, p.waitingFor, text, p.kind === 'limit' && p.wait !== undefined));
        }
        const role = p.waitingFor ?? 'PLANNER';
        if (p.kind === 'reminder') emit({ event: 'reminder', task: taskId, round: p.round, role, pane: paneOf(role), id: p.id ?? '' });
        else if (p.kind === 'limit') {
          const wait = p.wait;
          const role = wait?.role ?? p.waitingFor ?? 'EXECUTER';
          const until = wait?.until === null || wait?.until === undefined ? null : new Date(wait.until).toISOString();
          // The progress line above already shows it on the terminal: the log gets it, the terminal once.
          ws.logger.warn(text, { event: 'waiting', task: taskId, round: p.round, role, fileOnly: true });
          const event = emit({ event: 'waiting', task: taskId, round: p.round, role, pane: paneOf(role), reason: text, for: wait?.kind ?? 'over', ...(wait ? { until } : {}) });
          // A wait that begins needs a person to know (a login) or to be told (a limit); its end is only shown.
          if (wait) ws.notify(event);
        } else if (p.kind === 'retrying') ws.logger.warn(text, { event: 'retrying', task: taskId, round: p.round, role, fileOnly: true });
        else if (p.kind === 'waiting') {
          ws.logger.warn(text, { event: 'waiting', task: taskId, round: p.round, role, fileOnly: true });
          ws.notify(emit({ event: 'waiting', task: taskId, round: p.round, role, pane: paneOf(role), reason: text }));
        } else if (p.kind === 'pause' || p.kind === 'resume') {
          pausedNow = p.kind === 'pause';
          void hold(pausedNow ? 'paused' : undefined);
          emit({ event: p.kind, task: taskId, round: p.round });
        }
        else if (p.kind === 'stop') emit({ event: 'stop', task: taskId, round: p.round, reason: p.text });
      },
      onIgnored: (role, reason, expected) =>
        ws.logger.warn(`${role}: ${reason}`, { event: 'ignored', task: taskId, round, role, ...(expected ? { fileOnly: true } : {}) }),
      switchCli: async (role, screen) => {
        const fallback = ws.fallbacks[role];
        if (!fallback || switched.has(role)) return null;
        switched.add(role);
        const reason = `the ${role} CLI hit its usage limit (${screen.line}); switching its pane to the fallback ${fallback.profile.name} (${fallback.command})`;
        ws.logger.warn(reason, { event: 'restart', task: taskId, round, role });
        emit({ event: 'restart', task: taskId, round, role, pane: paneOf(role), reason });
        await ws.session.switchCli(role, fallback);
        const task = (await store.get(taskId)) ?? latest;
        const intro = `[poli: the ${role} CLI hit its usage limit, so this pane now runs ${fallback.profile.name}, which has none of the dialogue's history. The message above is the pending one; the task and the dialogue so far:]`;
        return { program: fallback.profile.name, context: resumeContext(task, 40, intro) };
      },
      onPaneDied: async (role, info) => {
        const how = describeExit(info);
        if (restarts[role] >= settings.restarts) return false;
        restarts[role] += 1;
        const reason = `the ${role} CLI ${how}; restarting it (${restarts[role]} of ${settings.restarts})`;
        ws.logger.warn(reason, { event: 'restart', task: taskId, round, role });
        emit({ event: 'restart', task: taskId, round, role, pane: paneOf(role), reason });
        await ws.session.restart(role);
        return true;
      },
    });
    clearInterval(statusTimer);
    ws.live.stop();
    if (outcome.status === 'completed') ws.say(`poli: task ${taskId} completed in ${outcome.rounds} round(s).`);
    else {
      ws.error(`poli: task ${taskId} ended ${outcome.status}: ${outcome.reason}`);
      if (outcome.status === 'interrupted' || outcome.status === 'timeout') ws.error(asInvoked(`poli: its state is kept; continue it with: poli --resume ${taskId}`, invokedAs(ws.io.env)));
    }
  } catch (error) {
    clearInterval(statusTimer);
    ws.live.stop();
    const message = withTaskId((error instanceof Error ? error.message : String(error)).replaceAll('tmux -L <socket>', `tmux -L ${settings.socket}`), taskId);
    ws.notify(emit({ event: 'error', task: taskId, round, reason: message }));
    ws.error(`poli: task ${taskId} failed: ${message}`);
    if (!(error instanceof PoliError)) throw error;
  } finally {
    clearInterval(statusTimer);
    ws.live.stop();
    outerSignal.removeEventListener('abort', forward);
  }
  const final = await store.get(taskId);
  if (!final) throw new StateFileError(`the state of task ${taskId} disappeared from ${settings.stateDir}`);
  await ws.setStatus(renderStatusLine(final, clock.now(), null));
  return final;
}

/**
 * Primes the CLIs the session left unprimed, a usage limit met meanwhile handled by priming-wait.ts. Returns the reason
 * when an interrupt ended the priming (the task ends interrupted), nothing when both CLIs are primed.
 */
async function primeForTask(
  ws: Workspace,
  taskId: string,
  signal: AbortSignal,
  switched: Set<Role>,
  control: () => Promise<ControlCommand[]>,
  keep: (commands: ControlCommand[]) => void,
  recorder: TaskRecorder,
  round: () => number,
  started: number,
): Promise<string | undefined> {
  const { settings, clock } = ws;
  const handler = primingLimitHandler({
    clock,
    limitWaitMs: settings.limitWait * 3600_000,
    socket: settings.socket,
    fallbacks: ws.fallbacks,
    switched,
    paneOf: (role) => ws.session.paneIds[role],
    program: (role) => ws.session.channels[role].program ?? 'the CLI',
    waiting: async (wait) => recorder.waiting?.(wait),
    notice: (role, text, wait) => {
      ws.progress(formatProgress(clock.now() - started, round(), role, text, wait !== undefined));
      ws.logger.warn(text, { event: wait ? 'waiting' : 'restart', task: taskId, round: round(), role, fileOnly: true });
      if (wait) {
        const until = wait.until === null ? null : new Date(wait.until).toISOString();
        ws.notify(ws.events.emit({ event: 'waiting', task: taskId, round: round(), role, pane: ws.session.paneIds[role], reason: text, for: wait.kind, until }));
      }
    },
    control,
    keep,
    signal,
  });
  const priming = ws.session.primeRemaining(handler);
  // Interrupted meanwhile (Ctrl+C, SIGTERM, SIGHUP, a closed stdout): the task ends as interrupted, at once; what is
  // left of the priming goes on until poli cleans up, and its late failure is nobody's to report.
  const stopped = new Promise<string>((resolve) => {
    if (signal.aborted) resolve(String(signal.reason));
    else signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true });
  });
  try {
    const result = await Promise.race([priming.then(() => undefined), stopped]);
    if (result !== undefined) priming.catch(() => undefined);
    return result;
  } catch (error) {
    if (error instanceof PrimingLimitError && error.interrupted) return error.message;
    // Ended before the dialogue began: recorded here, as the dialogue records its own end.
    await recorder.finish('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** Errors raised below the task (the tmux server is gone) say `poli --resume ID`: the task's id is known here. */
function withTaskId(text: string, taskId: string): string {
  return text.replaceAll('poli --resume ID`', `poli --resume ${taskId}\``);
}

/** A new task, or the stored one to resume (set running again under this process). */
async function openTask(ws: Workspace, what: { task: string } | { resume: string }) {
  const { store, settings, io } = ws;
  if ('task' in what) {
    // Control bytes never reach a pane; the state holds the task as the CLI receives it.
    const task = cleanBody(what.task);
    if (task === '') throw new ConfigError('the task is empty once control characters and blank lines are removed');
    const record = await store.createTask(task, { socket: settings.socket, projectDir: settings.projectDir });
    return { record, start: { task } };
  }
  const existing = await store.get(what.resume);
  if (!existing) {
    const known = (await store.list()).map((t) => t.id).join(', ') || 'none yet';
    throw new StateFileError(`no task with id "${what.resume}" in ${settings.stateDir} (tasks: ${known}). List them with: poli --state`);
  }
  const plan = planResume(existing, settings.maxRounds);
  if (typeof plan === 'string') throw new StateFileError(`cannot resume: ${plan}`);
  // The time it stood stopped is not part of its duration.
  const stoppedMs = (existing.stoppedMs ?? 0) + (existing.endedAt ? Math.max(0, ws.clock.now() - Date.parse(existing.endedAt)) : 0);
  const record = await store.update(existing.id, { status: 'running', endedAt: null, error: undefined, pid: io.pid, socket: settings.socket, stoppedMs });
  return { record, start: plan.kind === 'start' ? { task: existing.task } : { resume: plan, context: resumeContext(existing) } };
}

/** The --approve gate: asks at the terminal, audits to approvals.jsonl and the task's state. */
function approvalReviewer(ws: Workspace, taskId: string, stopper: AbortController, asking: (on: boolean) => void): ReplyReviewer {
  const gate = new ApprovalGate({
    prompt: async (question) => {
      const answer = await ws.input.question(question, stopper.signal);
      if (answer !== null) return answer;
      // End of input (Ctrl+D, a closed pipe, no terminal) is no answer: stop the task, never reject for the person.
      if (!stopper.signal.aborted) {
        ws.io.stdout.write('\n');
        stopper.abort('no answer at the approval prompt (end of input: Ctrl+D, or no terminal on stdin); nothing was forwarded');
      }
      throw new NoAnswer();
    },
    // The editor owns the terminal until it exits: poli stops reading it and leaves raw mode meanwhile.
    edit: (text) => ws.input.releaseTerminal(() => openInEditor(text, { editor: resolveEditor(ws.io.env) })),
    write: (text) => ws.io.stdout.write(text),
    audit: async (entry) => {
      await appendAuditLog(path.join(ws.settings.stateDir, APPROVAL_LOG_FILE), entry);
      const task = await ws.store.get(taskId);
      await ws.store.update(taskId, { approvals: [...(task?.approvals ?? []), entry] });
      ws.events.emit({ event: 'approval', task: taskId, round: entry.round, id: entry.id, type: entry.type, decision: entry.decision, ...(entry.reason ? { reason: entry.reason } : {}) });
    },
    clock: ws.clock,
  });
  return async (role, block, round) => {
    if (!needsApproval(ws.settings.approve, block.header.type)) return null;
    const request = { task: taskId, round, from: role, to: block.header.to, type: block.header.type, id: block.header.id, body: block.body };
    const event = ws.events.emit({ event: 'ask', task: taskId, round, id: request.id, type: request.type, summary: summarizeBody(request.body) });
    asking(true);
    let decision;
    try {
      decision = await ws.ask(event, () => gate.ask(request));
    } catch (error) {
      // The dialogue sees the stopped signal and ends the task as interrupted; nothing is forwarded.
      if (error instanceof NoAnswer) return null;
      throw error;
    } finally {
      asking(false);
    }
    return decision.action === 'reject' ? { action: 'reject', reason: formatRejection(request, decision.reason) } : decision;
  };
}

/** The person gave no answer at the approval prompt (end of input, or the task was stopped meanwhile). */
class NoAnswer extends Error {}
