/**
 * When a CLI in its pane is ready: its prompt shown after it started, or its primer answered. First-run dialogs are
 * answered on the way; a CLI that exits meanwhile is reported with its exit, one that takes too long as not ready.
 */
import { PoliError } from '../errors.ts';
import type { Role } from '../protocol/types.ts';
import type { PaneReader } from '../tmux/reader.ts';
import type { TmuxServer } from '../tmux/server.ts';
import { answeredSince } from '../tmux/submit-evidence.ts';
import type { Clock, PaneLiveness } from '../tmux/types.ts';
import type { DialogWatch } from './cli-dialogs.ts';
import type { CliSpec } from './cli-spec.ts';

/** A CLI did not get ready (no prompt, or no answer to its primer) in time. */
export class CliNotReadyError extends PoliError {
  constructor(role: Role, paneId: string, what: string, seconds: number, lastLines: string, socket = 'poli') {
    super(
      'CLI_NOT_READY',
      `the ${role} CLI in pane ${paneId} ${what} within ${Number(seconds.toFixed(2))} s ` +
        `(the start-up limit is --plan-timeout, at most 120 s). Last lines of its screen:\n` +
        lastLines
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n') +
        `\nCheck that the command works when run by hand in the project directory, or attach to look: tmux -L ${socket} attach`,
    );
  }
}

/** The primer's turn: the screen before it was pasted, and its text (to find its echo and what follows). */
export interface PrimerTurn {
  before: readonly string[];
  payload: string;
}
/** A screen that stayed the same this long counts as settled for CLIs whose profile cannot tell idle. */
const SETTLE_MS = 1_200;
/** How long a CLI never seen busy must stay idle after its primer before the primer counts as answered. */
const PRIMER_QUIET_MS = 2_000;
/** Status is judged from this many bottom lines (stale text higher up misleads). */
export const STATUS_LINES = 15;
/** Dialogs can be taller than the status area: Claude's trust prompt is 15 rows at 250 columns, more in a narrower pane. */
export const DIALOG_LINES = 30;

/** One CLI's pane as the wait for its readiness sees it. */
export interface ReadyWatch {
  role: Role;
  paneId: string;
  profile: CliSpec['profile'];
  reader: PaneReader;
  /** Answers first-run dialogs on the way (trust this folder, …). */
  dialogs: DialogWatch;
  server: TmuxServer;
  clock: Clock;
  /** How long the CLI may take to show its prompt, or to answer its primer. */
  readyTimeoutMs: number;
  pollMs: number;
  /** The socket's name, for the attach hint. */
  socket: string;
}

/**
 * Ready = the profile says idle and the screen is unchanged since the previous look; for
 * profiles that cannot tell idle, a non-empty screen unchanged for SETTLE_MS. First-run dialogs
 * (trust this folder, …) are answered on the way, or refused with an error.
 */
export async function waitUntilReady(pane: ReadyWatch, what: string, answering?: PrimerTurn): Promise<PaneLiveness | undefined> {
  const { role, paneId, profile, reader, server, clock, readyTimeoutMs, pollMs } = pane;
  const start = clock.now();
  let previous = '';
  let stableSince = clock.now();
  let busySeen = false;
  for (;;) {
    if (clock.now() - start > readyTimeoutMs) {
      throw new CliNotReadyError(role, paneId, what, readyTimeoutMs / 1000, await reader.lastLines(15), pane.socket);
    }
    const [life] = await server.liveness([paneId]);
    if (life?.dead) return await exitOf(server, clock, life);
    const tall = await reader.bottomLines(DIALOG_LINES);
    const lines = tall.slice(-STATUS_LINES);
    const text = lines.join('\n');
    if (text !== previous) {
      previous = text;
      stableSince = clock.now();
    }
    const dialog = await pane.dialogs.handle(tall);
    const state = profile.classify(lines);
    const stableFor = clock.now() - stableSince;
    if (state === 'busy') busySeen = true;
    // A profile may ask for a longer settle: some CLIs look idle for a moment after taking a prompt, before its echo
    // or spinner is drawn (Gemini CLI and Qwen Code under load: the primer "answered" before it was read). While the
    // primer is being answered, idle counts once the CLI was seen working, or after PRIMER_QUIET_MS of idle: Codex
    // under load stayed idle ~300 ms after taking its primer, poli typed the task into the turn that then started,
    // and the task was never submitted (seen in CI-like runs: the reply came only after the 50 s reminder).
    // A CLI never seen busy whose screen shows an answer after the primer's echo has answered: an idle screen that
    // keeps moving (a clock, an animation) never stays still for PRIMER_QUIET_MS, and a TUI that redraws half its
    // screen at a submission can hide a short turn's spinner (issue 18 item 5).
    const answered = answering !== undefined && !busySeen && answeredSince(answering.before, tall, answering.payload);
    const quiet = answering !== undefined && !busySeen && !answered ? PRIMER_QUIET_MS : 0;
    const settle = Math.max(profile.readySettleMs ?? 0, quiet);
    if (dialog === undefined && state === 'idle' && stableFor > 0 && stableFor >= settle) return undefined;
    if (dialog === undefined && state === 'unknown' && text.trim() !== '' && stableFor >= SETTLE_MS) return undefined;
    // A plain sleep, not waitForChange: that would switch the client to control mode during
    // priming, where reading a pane that just died returned a blank screen (seen in CI).
    await clock.sleep(Math.min(pollMs, 50));
  }
}

/**
 * tmux fills in the exit status ~10 ms after the dead flag (tmux-facts.md), and for some
 * programs (node, measured) never: ask again for a short while, then go with what is known.
 */
async function exitOf(server: TmuxServer, clock: Clock, life: PaneLiveness): Promise<PaneLiveness> {
  for (let i = 0; i < 10 && life.exitStatus === undefined && life.signal === undefined; i++) {
    await clock.sleep(30);
    life = (await server.liveness([life.paneId]))[0] ?? life;
  }
  return life;
}
