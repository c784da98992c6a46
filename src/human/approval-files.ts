/**
 * STUB (H1, issue 21): the signatures of the design (/work/dash-context.md, "Approvals from the web") so the server's
 * approval routes compile and can be tested; H2 writes the real module on branch h21-approvals, which replaces this
 * file when merged. Pending approvals are read from `<state dir>/approvals/pending/<task>-<id>.json`; a decision is
 * written to `<state dir>/approvals/decisions/<task>-<id>.json` with the exclusive flag (the first decision wins).
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Addressee, MessageType, Sender } from '../protocol/types.ts';

/** A message that waits for the person's approval. */
export interface PendingApproval {
  task: string;
  round: number;
  from: Sender;
  to: Addressee;
  type: MessageType;
  id: string;
  body: string;
  /** ISO 8601. */
  at: string;
  socket: string;
  session?: string;
}

/** The person's answer. */
export interface ApprovalDecision {
  action: 'approve' | 'edit' | 'reject';
  body?: string;
  reason?: string;
  by: 'web';
  /** ISO 8601. */
  at: string;
}

function pendingDir(stateDir: string): string {
  return path.join(stateDir, 'approvals', 'pending');
}

function decisionsDir(stateDir: string): string {
  return path.join(stateDir, 'approvals', 'decisions');
}

/** Every pending approval of the state directory. */
export async function listPending(stateDir: string): Promise<PendingApproval[]> {
  const names = await readdir(pendingDir(stateDir)).catch(() => [] as string[]);
  const out: PendingApproval[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const text = await readFile(path.join(pendingDir(stateDir), name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      out.push(JSON.parse(text) as PendingApproval);
    } catch {
      // half-written or damaged: not pending
    }
  }
  return out;
}

/** Records the person's decision; the first one wins. */
export async function decide(stateDir: string, task: string, id: string, decision: ApprovalDecision): Promise<'decided' | 'already-decided' | 'not-pending'> {
  const name = `${task}-${id}.json`;
  if (!(await stat(path.join(pendingDir(stateDir), name)).then(() => true, () => false))) return 'not-pending';
  await mkdir(decisionsDir(stateDir), { recursive: true });
  try {
    await writeFile(path.join(decisionsDir(stateDir), name), `${JSON.stringify(decision)}\n`, { flag: 'wx' });
    return 'decided';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'already-decided';
    throw error;
  }
}
