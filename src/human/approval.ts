/**
 * The approval gate (`--approve plans|all`): before poli forwards a message it shows it to the human and asks
 * approve / edit / reject. Terminal input, the editor, output and the audit log are injected, so every path is
 * tested with scripted answers; `openInEditor` is the one place that starts a real process.
 */
import { spawn as spawnProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ApproveMode } from '../settings.ts';
import { PoliError, StateFileError } from '../errors.ts';
import type { Addressee, MessageType, Sender } from '../protocol/types.ts';

export type ApprovalDecision = { action: 'approve' } | { action: 'edit'; body: string } | { action: 'reject'; reason: string };

/** A message poli is about to forward or send, as shown to the human. */
export interface ApprovalRequest {
  /** Task id, `T3`. */
  task: string;
  round: number;
  from: Sender;
  to: Addressee;
  type: MessageType;
  id: string;
  body: string;
}

/** One line of `logs/approvals.jsonl`, also kept in the task's `approvals`; keys in this order. */
export interface ApprovalRecord {
  /** ISO 8601. */
  at: string;
  task: string;
  round: number;
  id: string;
  type: MessageType;
  decision: ApprovalDecision['action'];
  /** With `reject`. */
  reason?: string;
  /** With `edit`: the body as sent. */
  edited?: string;
}

export interface ApprovalGateOptions {
  /** Shows `question` and resolves with the line the human typed (without the newline). */
  prompt: (question: string) => Promise<string>;
  /** Lets the human edit `text` (in $EDITOR) and resolves with the result. */
  edit: (text: string) => Promise<string>;
  /** Terminal output. */
  write: (text: string) => void;
  /** Records a decision (audit log and task state). */
  audit: (entry: ApprovalRecord) => Promise<void>;
  clock: { now(): number };
}

/** File name of the audit log inside the state directory. */
export const APPROVAL_LOG_FILE = 'approvals.jsonl';
export const APPROVAL_QUESTION = 'Approve, edit or reject? [a/e/r] ';
export const REJECT_REASON_QUESTION = 'Reason for rejecting: ';

/** Message types that hand the EXECUTER work; `plans` mode asks about these. */
const WORK_TYPES: readonly MessageType[] = ['plan', 'continue', 'revision'];
const ANSWERS = new Map<string, ApprovalDecision['action']>([
  ['a', 'approve'],
  ['approve', 'approve'],
  ['e', 'edit'],
  ['edit', 'edit'],
  ['r', 'reject'],
  ['reject', 'reject'],
]);

/**
 * Whether a message of this type needs the human's approval before poli forwards or sends it.
 * `plans`: the plan, continue and revision messages the PLANNER hands the EXECUTER; `all`: every message.
 */
export function needsApproval(mode: ApproveMode, type: MessageType): boolean {
  switch (mode) {
    case 'off':
      return false;
    case 'all':
      return true;
    case 'plans':
      return WORK_TYPES.includes(type);
  }
}

/** Asks the human about each message; one gate per poli process. */
export class ApprovalGate {
  private readonly options: ApprovalGateOptions;

  constructor(options: ApprovalGateOptions) {
    this.options = options;
  }

  /**
   * Shows the message, asks until the answer is a/e/r, records the decision and returns it. An edit that leaves the
   * text unchanged counts as an approval; an editor that fails or leaves nothing asks again.
   * Rejects when `prompt` does (e.g. the terminal closed).
   */
  async ask(request: ApprovalRequest): Promise<ApprovalDecision> {
    this.show(request);
    const decision = await this.decide(request);
    await this.record(request, decision);
    return decision;
  }

  /** Shows the message as it would be forwarded, between rules. */
  show(request: ApprovalRequest): void {
    this.options.write(`${formatApprovalHeader(request)}\n${request.body}\n${RULE}\n`);
  }

  /** Records a decision, wherever it was made (the terminal, the dashboard): the audit is the same. */
  async record(request: ApprovalRequest, decision: ApprovalDecision): Promise<void> {
    await this.options.audit(toApprovalRecord(request, decision, this.options.clock.now()));
  }

  /**
   * Asks at the terminal until the answer is a/e/r and returns the decision, recording nothing (`ask` shows, decides
   * and records). Rejects when `prompt` does.
   */
  async decide(request: ApprovalRequest): Promise<ApprovalDecision> {
    const { prompt, write } = this.options;
    for (;;) {
      const answer = (await prompt(APPROVAL_QUESTION)).trim().toLowerCase();
      const action = ANSWERS.get(answer);
      if (action === 'approve') return { action: 'approve' };
      if (action === 'reject') return { action: 'reject', reason: await this.askReason(request) };
      if (action === 'edit') {
        const edited = await this.editBody(request.body);
        if (edited === undefined) continue;
        if (edited === request.body) {
          write('poli: the message is unchanged; sending it as it is.\n');
          return { action: 'approve' };
        }
        write('poli: sending the edited message.\n');
        return { action: 'edit', body: edited };
      }
      write('Please answer a (approve), e (edit) or r (reject).\n');
    }
  }

  private async editBody(body: string): Promise<string | undefined> {
    let edited: string;
    try {
      edited = await this.options.edit(body);
    } catch (error) {
      if (!(error instanceof PoliError)) throw error;
      this.options.write(`poli: ${error.message}\n`);
      return undefined;
    }
    if (edited.trim() === '') {
      this.options.write('poli: the edited message is empty; nothing was changed.\n');
      return undefined;
    }
    return edited;
  }

  private async askReason(request: ApprovalRequest): Promise<string> {
    for (;;) {
      const reason = (await this.options.prompt(REJECT_REASON_QUESTION)).trim();
      if (reason !== '') return reason;
      this.options.write(`A reason is needed: the ${request.from} gets it as a revision request.\n`);
    }
  }
}

const RULE = '──';

/** `── approve? T3 r1 PLANNER → EXECUTER plan T3-R1-ab12cd ──` */
export function formatApprovalHeader(request: ApprovalRequest): string {
  const { task, round, from, to, type, id } = request;
  return `${RULE} approve? ${task} r${round} ${from} → ${to} ${type} ${id} ${RULE}`;
}

/** The audit entry for a decision, keys in the documented order. */
export function toApprovalRecord(request: ApprovalRequest, decision: ApprovalDecision, now: number): ApprovalRecord {
  const record: ApprovalRecord = {
    at: new Date(now).toISOString(),
    task: request.task,
    round: request.round,
    id: request.id,
    type: request.type,
    decision: decision.action,
  };
  if (decision.action === 'reject') record.reason = decision.reason;
  if (decision.action === 'edit') record.edited = decision.body;
  return record;
}

/** The body of the `revision` request poli sends the PLANNER when the human rejects its message. */
export function formatRejection(request: ApprovalRequest, reason: string): string {
  return (
    `The human supervising this task rejected your ${request.type} message ${request.id}; it was not forwarded. ` +
    `Their reason:\n${reason}\nRevise it and reply again.`
  );
}

/**
 * Appends one JSON line to the audit log, creating its directory.
 * @throws StateFileError naming the file.
 */
export async function appendAuditLog(file: string, entry: ApprovalRecord): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `${JSON.stringify(entry)}\n`, 'utf8');
  } catch (error) {
    throw new StateFileError(`could not append to the approval log ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Runs a command with the terminal attached and resolves with its exit code (null when killed by a signal). */
export type SpawnEditor = (command: string, args: readonly string[]) => Promise<number | null>;

export interface OpenInEditorOptions {
  /** The editor command line, e.g. `vi` or `code --wait`; see `resolveEditor`. */
  editor: string;
  spawn?: SpawnEditor;
  /** Where the temporary file goes; the system temp directory by default. */
  tmpDir?: string;
}

/** The editor the human asked for: `$EDITOR`, else `vi`. */
export function resolveEditor(env: Record<string, string | undefined>): string {
  const editor = env.EDITOR?.trim();
  return editor ? editor : 'vi';
}

/** The editor could not be started or did not exit cleanly. */
export class EditorFailedError extends PoliError {
  constructor(editor: string, detail: string, options?: { cause?: unknown }) {
    super(
      'EDITOR_FAILED',
      `the editor "${editor}" ${detail}; the message was not changed. Set $EDITOR to an editor that waits until ` +
        'you close the file (e.g. EDITOR=vi, or EDITOR="code --wait").',
      options,
    );
  }
}

/**
 * Writes `text` to a temporary file, opens it in the editor with the terminal attached, reads it back and removes
 * the file. Editors add a final newline; one is removed so an unchanged file gives back `text` exactly.
 * The editor runs through `sh -c` (as git does), so `EDITOR="code --wait"` works.
 * @throws EditorFailedError when the editor cannot start or exits with a failure.
 */
export async function openInEditor(text: string, options: OpenInEditorOptions): Promise<string> {
  const { editor, spawn = spawnWithTerminal } = options;
  const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'poli-edit-'));
  try {
    const file = path.join(dir, 'message.md');
    await writeFile(file, `${text}\n`, 'utf8');
    let code: number | null;
    try {
      code = await spawn('sh', ['-c', `${editor} "$@"`, editor, file]);
    } catch (error) {
      throw new EditorFailedError(editor, `could not be started (${(error as Error).message})`, { cause: error });
    }
    if (code !== 0) {
      throw new EditorFailedError(editor, code === null ? 'was killed by a signal' : `exited with status ${code}`);
    }
    const edited = await readFile(file, 'utf8');
    return edited.endsWith('\n') ? edited.slice(0, -1) : edited;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const spawnWithTerminal: SpawnEditor = (command, args) =>
  new Promise((resolve, reject) => {
    const child = spawnProcess(command, [...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
