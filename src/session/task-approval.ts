/**
 * The --approve gate of a running task: asks the person at the terminal before a reply is forwarded, and audits each
 * decision to approvals.jsonl and the task's state.
 */
import path from 'node:path';
import type { ReplyReviewer } from '../dialogue/run-task.ts';
import { APPROVAL_LOG_FILE, ApprovalGate, appendAuditLog, formatRejection, needsApproval, openInEditor, resolveEditor } from '../human/approval.ts';
import { summarizeBody } from '../terminal/progress.ts';
import type { Workspace } from './workspace-api.ts';

/** The --approve gate: asks at the terminal, audits to approvals.jsonl and the task's state. */
export function approvalReviewer(ws: Workspace, taskId: string, stopper: AbortController, asking: (on: boolean) => void): ReplyReviewer {
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
