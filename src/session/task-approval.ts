/**
 * The --approve gate of a running task: before a reply is forwarded, asks the person at the terminal and, at the same
 * time, anyone with the dashboard (the message waits in `<stateDir>/approvals/pending/`, human/approval-files.ts). The
 * first answer wins and the other question is withdrawn; either way the decision is audited alike, to approvals.jsonl,
 * the task's state and the `approval` event. A queue pair has no terminal: it waits for the dashboard only.
 */
import path from 'node:path';
import type { ReplyReviewer } from '../dialogue/run-task.ts';
import { DEFAULT_DECISION_POLL_MS, clearApproval, clearStaleApprovals, decide, describeWebDecision, waitForDecision, writePending, type DecisionRecord } from '../human/approval-files.ts';
import { APPROVAL_LOG_FILE, ApprovalGate, appendAuditLog, formatRejection, needsApproval, openInEditor, resolveEditor, type ApprovalDecision, type ApprovalRequest } from '../human/approval.ts';
import type { ControlCommand } from '../human/control.ts';
import { summarizeBody } from '../terminal/progress.ts';
import type { Workspace } from './workspace-api.ts';

/** Where the answer to an approval may come from. */
export interface ApprovalChannels {
  /**
   * False for a poli nobody sits at (a queue pair, `POLI_WORKER_TASK` set): it asks the dashboard only and waits, where
   * a terminal's end of input would stop the task.
   */
  terminal: boolean;
  /** How often the decision file is looked for (ms); human/approval-files.ts's default when absent. */
  pollMs?: number;
}

/**
 * The person's commands while poli waits for an approval (the dialogue, which reads them between turns, is held):
 * `poll` takes them, `keep` hands them to the dialogue for its next look. A `stop` among them ends the wait at once.
 */
export interface ApprovalControl {
  poll(): Promise<ControlCommand[]>;
  keep(commands: readonly ControlCommand[]): void;
}

/** Whether this poli has a person at its terminal to ask: a queue pair's process has none. */
export function approvalChannels(env: Record<string, string | undefined>): ApprovalChannels {
  return { terminal: (env.POLI_WORKER_TASK ?? '') === '' };
}

/** The --approve gate: asks at the terminal and the dashboard, audits to approvals.jsonl and the task's state. */
export function approvalReviewer(
  ws: Workspace,
  taskId: string,
  stopper: AbortController,
  asking: (on: boolean) => void,
  channels: ApprovalChannels = approvalChannels(ws.io.env),
  control?: ApprovalControl,
): ReplyReviewer {
  const { stateDir } = ws.settings;
  let swept = false;
  return async (role, block, round) => {
    if (!needsApproval(ws.settings.approve, block.header.type)) return null;
    const request: ApprovalRequest = { task: taskId, round, from: role, to: block.header.to, type: block.header.type, id: block.header.id, body: block.body };
    if (!swept) {
      // Files an earlier run left for replies it recorded (forwarded or rejected; killed before it removed them): never
      // applied. A reply carries the id of the message it answers, so it is known by its sender and type too.
      swept = true;
      const recorded = (await ws.store.get(taskId))?.messages ?? [];
      await clearStaleApprovals(stateDir, taskId, (id, pending) => !pending || recorded.some((m) => m.id === id && m.from === pending.from && m.type === pending.type));
    }
    // One question at a time per task: a file for another message was left by a run that stopped while asking.
    await clearStaleApprovals(stateDir, taskId, (id) => id !== request.id);
    // Written again on a resume: a decision the dashboard made meanwhile is taken below, not asked for twice.
    await writePending(stateDir, request, { at: new Date(ws.clock.now()).toISOString(), socket: ws.settings.socket, session: ws.settings.session });
    const event = ws.events.emit({ event: 'ask', task: taskId, round, id: request.id, type: request.type, summary: summarizeBody(request.body) });
    asking(true);
    let decision: ApprovalDecision;
    try {
      decision = await ws.ask(event, () => askEverywhere(ws, request, stopper, channels, control));
    } catch (error) {
      // Stopped while asking: the dialogue sees the stopped signal and ends the task as interrupted; nothing is
      // forwarded. The pending file stays: `--resume` asks again, and a decision made meanwhile is taken then.
      if (error instanceof NoAnswer) return null;
      throw error;
    } finally {
      asking(false);
    }
    await clearApproval(stateDir, taskId, request.id);
    return decision.action === 'reject' ? { action: 'reject', reason: formatRejection(request, decision.reason) } : decision;
  };
}

/** Shows the message, then takes the first answer from the terminal or the dashboard and records it. */
async function askEverywhere(ws: Workspace, request: ApprovalRequest, stopper: AbortController, channels: ApprovalChannels, control: ApprovalControl | undefined): Promise<ApprovalDecision> {
  // Withdraws the losing question (and everything when the task is stopped).
  const settled = new AbortController();
  const signal = AbortSignal.any([stopper.signal, settled.signal]);
  if (control) void watchForStop(ws, control, stopper, signal, channels.pollMs);
  const gate = terminalGate(ws, stopper, signal);
  gate.show(request);
  if (!channels.terminal) ws.io.stdout.write(`poli: waiting for a decision on ${request.id} from the dashboard (poli serve)\n`);
  const web = waitForDecision(ws.settings.stateDir, request.task, request.id, {
    signal,
    clock: ws.clock,
    ...(channels.pollMs !== undefined ? { pollMs: channels.pollMs } : {}),
    warn: (message) => ws.error(message),
  }).catch((error: unknown) => {
    if (signal.aborted) throw stopper.signal.aborted ? new NoAnswer() : new Withdrawn();
    throw error;
  });
  const answers: Promise<{ decision: ApprovalDecision; fromWeb: boolean }>[] = [web.then((d) => ({ decision: plain(d, request), fromWeb: true }))];
  if (channels.terminal) answers.push(answerAtTerminal(ws, gate, request, web));
  let winner: { decision: ApprovalDecision; fromWeb: boolean };
  try {
    winner = await Promise.race(answers);
  } finally {
    settled.abort();
    // The loser's rejection (withdrawn) is expected; nothing waits for it.
    for (const answer of answers) answer.catch(() => undefined);
  }
  if (winner.fromWeb) {
    // The terminal may show the question, half answered: the answer goes on a line of its own.
    ws.io.stdout.write(`${channels.terminal ? '\n' : ''}poli: ${describeWebDecision(winner.decision)}\n`);
  }
  await gate.record(request, winner.decision);
  return winner.decision;
}

/**
 * The terminal's answer, claimed with a decision file like the dashboard's: when the dashboard's decision came first
 * (a tap just before Enter), that one wins and the terminal's is dropped.
 */
async function answerAtTerminal(ws: Workspace, gate: ApprovalGate, request: ApprovalRequest, web: Promise<DecisionRecord>): Promise<{ decision: ApprovalDecision; fromWeb: boolean }> {
  const decision = await gate.decide(request);
  const claimed = await decide(ws.settings.stateDir, request.task, request.id, decision, { by: 'terminal', clock: ws.clock });
  if (claimed === 'already-decided') return { decision: plain(await web, request), fromWeb: true };
  return { decision, fromWeb: false };
}

/** The gate at poli's terminal; its questions are withdrawn once `signal` aborts. */
function terminalGate(ws: Workspace, stopper: AbortController, signal: AbortSignal): ApprovalGate {
  return new ApprovalGate({
    prompt: async (question) => {
      const answer = await ws.input.question(question, signal);
      if (answer !== null) return answer;
      if (signal.aborted && !stopper.signal.aborted) throw new Withdrawn();
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
      const task = await ws.store.get(entry.task);
      await ws.store.update(entry.task, { approvals: [...(task?.approvals ?? []), entry] });
      ws.events.emit({ event: 'approval', task: entry.task, round: entry.round, id: entry.id, type: entry.type, decision: entry.decision, ...(entry.reason ? { reason: entry.reason } : {}) });
    },
    clock: ws.clock,
  });
}

/**
 * The decision without who made it and when: what the dialogue and the audit take. An edit that leaves the body as it
 * was is an approval, as at the terminal.
 */
function plain(record: DecisionRecord, request: ApprovalRequest): ApprovalDecision {
  if (record.action === 'edit') return record.body === request.body ? { action: 'approve' } : { action: 'edit', body: record.body };
  if (record.action === 'reject') return { action: 'reject', reason: record.reason };
  return { action: 'approve' };
}

/**
 * `poli stop T7` (or the dashboard's Stop) while poli waits for an approval: a queue pair has no terminal to Ctrl+C,
 * so without this it would wait until someone decided. Other commands are kept for the dialogue, never dropped.
 */
async function watchForStop(ws: Workspace, control: ApprovalControl, stopper: AbortController, signal: AbortSignal, pollMs = DEFAULT_DECISION_POLL_MS): Promise<void> {
  while (!signal.aborted) {
    let commands: ControlCommand[];
    try {
      commands = await control.poll();
    } catch (error) {
      ws.error(`could not read poli stop/say/pause commands while waiting for an approval: ${(error as Error).message}`);
      return;
    }
    control.keep(commands);
    if (commands.some((c) => c.kind === 'stop')) {
      stopper.abort('stopped by the human (poli stop) while the message waited for approval; nothing was forwarded');
      return;
    }
    await ws.clock.sleep(pollMs);
  }
}

/** The person gave no answer at the approval prompt (end of input, or the task was stopped meanwhile). */
class NoAnswer extends Error {}

/** The question lost the race: the other side answered first. */
class Withdrawn extends Error {}
