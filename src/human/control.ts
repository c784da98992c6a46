/**
 * Stepping in from another terminal: `poli say|pause|resume|stop` each drop one JSON file into
 * `<stateDir>/control/<socket>/`; the running poli's `ControlInbox` takes them in name (= time) order at turn
 * boundaries. Files rather than a socket so that nothing listens, nothing needs cleaning up after a crash, and the
 * commands work exactly when the state directory is shared.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PoliError, StateFileError } from '../errors.ts';
import { ROLES, type Role } from '../protocol/types.ts';
import { claimKey, DEFAULT_SESSION, describeClaim } from '../state/claim-key.ts';
import { UnsafeDirError, currentUid, ensurePrivateDir } from '../state/private-dir.ts';

export type ControlCommand =
  | { kind: 'say'; to: Role; text: string }
  | { kind: 'pause' }
  /** `budget`: `poli resume T7 --budget 8` raises the task's budget (USD) to it, and a task held by its budget goes on. */
  | { kind: 'resume'; budget?: number }
  | { kind: 'stop' }
  /**
   * From `poli work` to each pair it runs: the run's --queue-budget is spent (`reached`: hold before the next message,
   * as for the task's own budget) or raised again (`poli resume --queue-budget N`: go on). USD; `spent` null: unknown.
   */
  | { kind: 'queue-budget'; reached: boolean; spent: number | null; limit: number };

export type ControlKind = ControlCommand['kind'];
/** The commands a person sends (`queue-budget` comes from `poli work` only, and is not offered to people). */
export const CONTROL_KINDS: readonly ControlKind[] = ['say', 'pause', 'resume', 'stop'];

/** `<time>-<random>.json`; the time is zero-padded so name order is time order. */
const COMMAND_FILE = /^\d{13,}-[0-9a-f]+\.json$/;
const TIME_DIGITS = 13;

/** Where commands for the poli holding `key` go: the socket's name, or `socket@session` (state/claim-key.ts). */
export function controlDir(stateDir: string, key: string): string {
  return path.join(stateDir, 'control', key);
}

/** The lock file the poli holding `key` holds (see state/lock.ts). */
export function lockFile(stateDir: string, key: string): string {
  return path.join(stateDir, 'locks', `${key}.lock`);
}

/** No poli process holds the socket's lock, so nobody would read the command. */
export class NotRunningError extends PoliError {
  constructor(socket: string, lock: string, options?: { cause?: unknown; session?: string }) {
    super(
      'NOT_RUNNING',
      `no poli task is running on ${describeClaim(socket, options?.session ?? DEFAULT_SESSION)} (no live lock in ${lock}); start one with poli --task "…"`,
      options,
    );
  }
}

export interface SendControlOptions {
  isPidAlive: (pid: number) => boolean;
  clock: { now(): number };
  /** The uid that must own the directories (by default this process's; null: do not check). */
  uid?: number | null;
  /** Random hex for the file name; tests pass a fixed one. */
  randomHex?: () => string;
  /** The tmux session of the poli the command is for (default: the default session, which is the socket's own). */
  session?: string;
}

/**
 * Hands a command to the poli running on `socket`: checks that a live process holds its lock, then writes
 * `<time>-<random>.json` atomically (temp file, then rename). Returns the file written.
 * @throws NotRunningError when no live poli holds the lock; StateFileError when the file cannot be written.
 */
export async function sendControl(
  stateDir: string,
  socket: string,
  command: ControlCommand,
  options: SendControlOptions,
): Promise<string> {
  const session = options.session ?? DEFAULT_SESSION;
  const key = claimKey(socket, session);
  const lock = lockFile(stateDir, key);
  const holder = parsePid(await readFile(lock, 'utf8').catch(() => ''));
  if (holder === undefined || !options.isPidAlive(holder)) throw new NotRunningError(socket, lock, { session });
  const dir = controlDir(stateDir, key);
  const random = (options.randomHex ?? (() => randomBytes(4).toString('hex')))();
  const name = `${String(options.clock.now()).padStart(TIME_DIGITS, '0')}-${random}.json`;
  const file = path.join(dir, name);
  // The inbox only reads names matching COMMAND_FILE, so it never sees the temp file half-written.
  const tmp = path.join(dir, `.${name}.tmp`);
  try {
    // Never leave a note where another user could read, change or plant one (state/private-dir.ts).
    await ensurePrivateDir(dir, { uid: options.uid === undefined ? currentUid() : (options.uid ?? undefined), root: stateDir });
    await writeFile(tmp, `${JSON.stringify(command)}\n`, 'utf8');
    await rename(tmp, file);
  } catch (error) {
    if (error instanceof UnsafeDirError) throw error;
    await unlink(tmp).catch(() => undefined);
    throw new StateFileError(`could not write the control command ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return file;
}

/** The file operations the inbox needs; node:fs/promises by default. */
export interface ControlFs {
  readdir(dir: string): Promise<string[]>;
  readFile(file: string, encoding: 'utf8'): Promise<string>;
  unlink(file: string): Promise<void>;
}

export interface ControlInboxOptions {
  /** `controlDir(stateDir, socket)`. */
  dir: string;
  fs?: ControlFs;
  /** Receives a message for each file that is not a valid command (it is deleted). */
  warn?: (message: string) => void;
}

/** The running poli's end: takes the commands other terminals left, oldest first. */
export class ControlInbox {
  readonly dir: string;
  private readonly fs: ControlFs;
  private readonly warn: (message: string) => void;

  constructor(options: ControlInboxOptions) {
    this.dir = options.dir;
    this.fs = options.fs ?? { readdir, readFile, unlink };
    this.warn = options.warn ?? (() => undefined);
  }

  /**
   * Reads and deletes every command file, in name order. A missing directory means no commands; a file another
   * reader took first is skipped; an invalid one is deleted and reported through `warn`.
   * @throws StateFileError when the directory or a file cannot be read or deleted.
   */
  async poll(): Promise<ControlCommand[]> {
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StateFileError(`could not list ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    const commands: ControlCommand[] = [];
    for (const name of names.filter((n) => COMMAND_FILE.test(n)).sort()) {
      const file = path.join(this.dir, name);
      const text = await this.take(file);
      if (text === undefined) continue;
      const parsed = parseControlCommand(text);
      if (typeof parsed === 'string') this.warn(`ignored the control file ${file}: ${parsed}`);
      else commands.push(parsed);
    }
    return commands;
  }

  /** The file's text, deleted; undefined when it is already gone. */
  private async take(file: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await this.fs.readFile(file, 'utf8');
      await this.fs.unlink(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateFileError(`could not take the control command ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return text;
  }
}

/** A command from a file's text, or what is wrong with it. */
export function parseControlCommand(text: string): ControlCommand | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `invalid JSON (${(error as Error).message}): ${truncate(text)}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `not a JSON object: ${truncate(text)}`;
  const v = value as Record<string, unknown>;
  switch (v.kind) {
    case 'say':
      if (!ROLES.includes(v.to as Role)) return `"to" is ${JSON.stringify(v.to) ?? 'missing'}; expected PLANNER or EXECUTER`;
      if (typeof v.text !== 'string' || v.text.trim() === '') return '"text" must be a non-empty string';
      return { kind: 'say', to: v.to as Role, text: v.text };
    case 'resume':
      if (v.budget === undefined) return { kind: 'resume' };
      if (!isAmount(v.budget)) return `"budget" is ${JSON.stringify(v.budget)}; expected an amount of USD above 0`;
      return { kind: 'resume', budget: v.budget };
    case 'pause':
    case 'stop':
      return { kind: v.kind };
    case 'queue-budget':
      if (typeof v.reached !== 'boolean') return '"reached" must be true or false';
      if (!isAmount(v.limit)) return `"limit" is ${JSON.stringify(v.limit) ?? 'missing'}; expected an amount of USD above 0`;
      if (v.spent !== null && (typeof v.spent !== 'number' || !Number.isFinite(v.spent))) return '"spent" must be a number or null';
      return { kind: 'queue-budget', reached: v.reached, spent: v.spent, limit: v.limit };
    default:
      return `"kind" is ${JSON.stringify(v.kind) ?? 'missing'}; expected one of ${CONTROL_KINDS.join(', ')}`;
  }
}

/** What a batch of commands asks of the runner, given whether it was paused. */
export interface ControlOutcome {
  paused: boolean;
  stop: boolean;
  /** Messages to deliver, in order. */
  say: { to: Role; text: string }[];
}

/**
 * Folds a batch of commands (pure): the last pause/resume wins, any stop stops, says are kept in order.
 * A stop also ends a pause, so a paused task can be stopped.
 */
export function applyControlCommands(paused: boolean, commands: readonly ControlCommand[]): ControlOutcome {
  const outcome: ControlOutcome = { paused, stop: false, say: [] };
  for (const command of commands) {
    switch (command.kind) {
      case 'say':
        outcome.say.push({ to: command.to, text: command.text });
        break;
      case 'pause':
        outcome.paused = true;
        break;
      case 'resume':
        outcome.paused = false;
        break;
      case 'stop':
        outcome.stop = true;
        outcome.paused = false;
        break;
      case 'queue-budget':
        // The dialogue's budget gate acts on it (dialogue/budget-gate.ts); it neither pauses nor resumes.
        break;
    }
  }
  return outcome;
}

/** `poli stop` while the poli on the socket runs no task (it waits at its prompt, or still starts its CLIs). */
export class NothingToStopError extends PoliError {
  constructor(socket: string, session: string = DEFAULT_SESSION) {
    super(
      'NOTHING_TO_STOP',
      `no task is running on ${describeClaim(socket, session)} (the poli there waits for a task at its prompt, or is still starting its CLIs); ` +
        'nothing was stopped. Send poli stop again once a task runs; to end that poli, type :quit at its prompt.',
    );
  }
}

/**
 * The line `poli say|pause|resume` prints when the poli on the socket runs no task now: what will really happen
 * (the command waits for the next task), instead of promising an effect on a task that does not exist.
 */
export function describeQueuedControl(command: Exclude<ControlCommand, { kind: 'stop' | 'queue-budget' }>, socket: string, session: string = DEFAULT_SESSION): string {
  const idle = `poli: no task is running on ${describeClaim(socket, session)} now;`;
  switch (command.kind) {
    case 'say':
      return `${idle} your message goes to the ${command.to} with the next task.`;
    case 'pause':
      return `${idle} the next task will wait before it is sent, until poli resume.`;
    case 'resume':
      return `${idle} a pause sent for the next task is lifted${command.budget !== undefined ? `, and it gets the budget $${command.budget.toFixed(2)}` : ''}.`;
  }
}

/** The line `poli say|pause|resume|stop` prints once the command is handed over. */
export function describeSentControl(command: ControlCommand, socket: string, session: string = DEFAULT_SESSION): string {
  const where = describeClaim(socket, session);
  switch (command.kind) {
    case 'say':
      return `poli: your message goes to the ${command.to} at the next turn (${where}).`;
    case 'pause':
      return `poli: asked the task on ${where} to pause; nothing is forwarded until poli resume.`;
    case 'resume':
      return command.budget !== undefined
        ? `poli: asked the task on ${where} to raise its budget to $${command.budget.toFixed(2)} and go on.`
        : `poli: asked the task on ${where} to resume.`;
    case 'stop':
      return `poli: asked the task on ${where} to stop; it ends as interrupted.`;
    case 'queue-budget':
      return `poli: told the task on ${where} that the queue budget $${command.limit.toFixed(2)} is ${command.reached ? 'spent' : 'raised'}.`;
  }
}

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) && Number(trimmed) > 0 ? Number(trimmed) : undefined;
}

function truncate(text: string, max = 80): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
