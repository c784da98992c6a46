/**
 * The confirmed send pipeline (ai-cli-field-notes.md, "Sending"): leave copy mode → bracketed
 * paste from a named buffer → wait until the paste shows → Enter as a separate command → verify
 * the CLI took it → re-press Enter or re-paste a bounded number of times → or throw.
 *
 * Payload text never goes through `send-keys`: its arguments are capped at ~16 KB, a trailing `;`
 * is eaten, a leading `-` is a flag and words like `Enter`/`C-c` become keys (tmux-facts.md).
 * `load-buffer -` reads the text from stdin, byte-exact at any size; `paste-buffer -p` wraps it
 * in ESC[200~ … ESC[201~ when the program enabled bracketed paste, and `-r` keeps LF as LF
 * (without it tmux turns LF into CR and a TUI submits line by line).
 *
 * Callers should only send to an idle CLI (typing into a busy one queues or interrupts) and
 * hold one send per pane at a time.
 */
import { randomUUID } from 'node:crypto';
import { SubmitFailedError } from '../errors.ts';
import { ControlClientClosedError } from './control-client.ts';
import { bottomOf, PaneReader, type PaneSnapshot } from './reader.ts';
import { checkResult } from './runner.ts';
import { enterTaken, newEnd, PASTE_PLACEHOLDER, submittedOnPaste } from './submit-evidence.ts';
import type { Clock, SendProfile, TmuxRunner } from './types.ts';

export interface SendOptions {
  run: TmuxRunner;
  paneId: string;
  text: string;
  profile: SendProfile;
  clock: Clock;
  /** The pane's reader, so its position tracking sees every snapshot; one is made if absent. */
  reader?: PaneReader;
  /** Attempts: each pastes (first time, or when the paste never showed) and/or presses Enter. */
  maxAttempts?: number;
  pollMs?: number;
  /** How long the paste may take to show on the screen. */
  pasteTimeoutMs?: number;
  /** How long one Enter may take to be confirmed before the next attempt. */
  confirmTimeoutMs?: number;
  /** Receives what a confirmed send took (for logs and benchmarks). */
  onReport?: (report: SendReport) => void;
  /**
   * Told once, when the text first shows in the CLI (its input box, or its echo): the delivery receipt's `pasted`.
   * Awaited before Enter: the receipt is durable before the CLI can take the message, so a poli killed at any instant
   * after Enter never resumes a receipt that still says `written` (and types the message again).
   */
  onPasted?: () => void | Promise<void>;
  /**
   * Resolves when the pane may have changed, or after `maxWaitMs` (TmuxClient.waitForChange).
   * Given, each look at the screen waits for the pane's output instead of sleeping `pollMs`:
   * the same checks run, as soon as there is something new to check. Absent: sleeps.
   */
  waitForChange?: (paneIds: readonly string[], maxWaitMs: number) => Promise<unknown>;
  /**
   * The text may already sit in the input box, pasted by a poli that stopped before submitting it (its receipt says
   * `pasted`). When the box holds the text's first line (or a CLI's paste placeholder), it is submitted with Enter
   * instead of pasted a second time behind itself.
   */
  mayBeInBox?: boolean;
}

export interface SendReport {
  /** Attempts used (1 when the first paste and Enter went through). */
  attempts: number;
  /** Enter presses made. */
  enterPresses: number;
  pastes: number;
  elapsedMs: number;
}

const DEFAULT_POLL_MS = 10;
const DEFAULT_PASTE_TIMEOUT_MS = 5_000;
const DEFAULT_CONFIRM_TIMEOUT_MS = 1_500;
/** Status and input are judged from this many bottom lines only (stale text higher up misleads). */
export const BOTTOM_LINES = 15;
/** A paste counts as shown once the screen stops changing for a poll, or after this long changing. */
const PASTE_SETTLE_MS = 200;
let bufferCounter = 0;

/** Removes ESC and other control characters (C0, DEL, C1) except LF and TAB; CRLF and lone CR become LF. */
export function sanitizePayload(text: string): string {
  // An embedded ESC[201~ would end the bracketed paste early; a CR would submit mid-message.
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}

/**
 * Pastes `text` into the pane and presses Enter until the CLI confirms the submission.
 * Confirmed means, after Enter (submit-evidence.ts): the CLI turned busy; or the bottom of the
 * screen changed and the input box (profile.readInput) is now empty, or cannot be read (then a
 * change in more than blank space is the evidence, and for a CLI busy before, the text leaving). Not confirmed within `confirmTimeoutMs`: press Enter again. A paste that
 * never showed in a readable input box is pasted again instead of pressing Enter on nothing.
 * Throws SubmitFailedError (with the pane's last lines) after `maxAttempts`; never reports a
 * success it did not see.
 */
export async function sendMessage(options: SendOptions): Promise<void> {
  const { run, paneId, profile, clock } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const pasteTimeoutMs = options.pasteTimeoutMs ?? DEFAULT_PASTE_TIMEOUT_MS;
  const reader = options.reader ?? new PaneReader(run, paneId);
  const waitForChange = options.waitForChange;
  // Between two looks: until the pane prints something (at most pollMs), or simply pollMs.
  const pause = (): Promise<unknown> => (waitForChange ? waitForChange([paneId], pollMs) : clock.sleep(pollMs));
  const payload = sanitizePayload(options.text);
  if (payload.trim() === '') throw new RangeError(`sendMessage: nothing to send to ${paneId} (empty after removing control characters)`);
  const started = clock.now();
  const fail = async (detail: string): Promise<never> => {
    throw new SubmitFailedError(paneId, detail, await reader.lastLines());
  };

  let screen = await reader.snapshot();
  if (screen.dead) return fail('the program in the pane has exited');
  if (screen.inMode) {
    // Copy mode swallows send-keys (our Enter) though paste-buffer still arrives (measured).
    checkResult(['send-keys'], await run(['send-keys', '-t', paneId, '-X', 'cancel']), paneId);
    screen = await reader.snapshot();
    if (screen.inMode) return fail('the pane stays in copy mode');
  }

  let pastes = 0;
  let enterPresses = 0;
  let needPaste = !(options.mayBeInBox === true && holdsPayload(profile.readInput(bottomOf(screen.lines, BOTTOM_LINES)), payload));
  if (!needPaste) await options.onPasted?.();
  let lastProblem = '';
  // The screen before the first paste: a slow CLI may show the paste's effect (its echo, busy) only after the paste
  // wait gave up, and must not get the text a second time.
  const beforePaste = screen;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (needPaste && pastes > 0) {
      // Before pasting again, one more wait for a slow CLI (a loaded machine, a paused process) to show the first
      // paste: submitted (busy, its echo) ends here; the text in the box after all gets Enter, not a second paste.
      const late = await waitForPaste(reader, profile, beforePaste, payload, clock, pause, pasteTimeoutMs);
      screen = late.screen;
      if (late.submitted) {
        options.onReport?.({ attempts: attempt, enterPresses, pastes, elapsedMs: clock.now() - started });
        return;
      }
      const input = profile.readInput(bottomOf(screen.lines, BOTTOM_LINES));
      if (input !== undefined && input !== '') needPaste = false;
    }
    if (needPaste) {
      await unlessDetached(pasteText(run, paneId, payload));
      const pastedAt = clock.now();
      pastes += 1;
      const pasted = await waitForPaste(reader, profile, screen, payload, clock, pause, pasteTimeoutMs);
      screen = pasted.screen;
      if (pastes === 1) await options.onPasted?.();
      if (pasted.submitted) {
        // The CLI took the paste as a submission (it submits on paste): an Enter now would hit an empty box, or
        // steer the turn that just started.
        options.onReport?.({ attempts: attempt, enterPresses, pastes, elapsedMs: clock.now() - started });
        return;
      }
      const wait = pastedAt + profile.minEnterDelayMs - clock.now();
      if (wait > 0) {
        // Claude Code absorbs an Enter that arrives within ~100 ms of a paste (field notes).
        await clock.sleep(wait);
        screen = await reader.snapshot();
      }
    }
    const beforeEnter = bottomOf(screen.lines, BOTTOM_LINES);
    const inputBefore = profile.readInput(beforeEnter);
    if (inputBefore === '') {
      // The paste never reached the input box: pressing Enter would submit nothing.
      lastProblem = 'the pasted text did not show in the input box';
      needPaste = true;
      continue;
    }
    // Enter is its own tmux command, never part of the paste call.
    await unlessDetached(run(['send-keys', '-t', paneId, 'Enter']).then((result) => checkResult(['send-keys'], result, paneId)));
    enterPresses += 1;

    const deadline = clock.now() + (options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS);
    for (;;) {
      await pause();
      screen = await reader.snapshot();
      if (enterTaken(profile, beforeEnter, bottomOf(screen.lines, BOTTOM_LINES), inputBefore, payload)) {
        options.onReport?.({ attempts: attempt, enterPresses, pastes, elapsedMs: clock.now() - started });
        return;
      }
      if (screen.dead) return fail('the program in the pane exited after Enter');
      if (clock.now() >= deadline) break;
    }
    // Still in the box (or unreadable): press Enter again; never re-paste what may be there.
    needPaste = false;
    lastProblem = inputBefore === undefined ? 'the screen did not change after Enter' : 'the text stayed in the input box after Enter';
  }
  return fail(`${lastProblem} (${maxAttempts} attempts: ${pastes} pastes, ${enterPresses} Enter presses)`);
}

/**
 * Runs a paste or an Enter; when poli's control client was detached with it in flight (a person's `tmux attach -d`;
 * the server still runs, or the error would be TmuxServerGoneError), whether tmux ran it is unknown: go on, and let
 * the screen checks that follow decide, as for a paste or Enter that a slow CLI shows late.
 */
async function unlessDetached(command: Promise<unknown>): Promise<void> {
  try {
    await command;
  } catch (error) {
    if (!(error instanceof ControlClientClosedError)) throw error;
  }
}

/** Sends one key (a tmux key name like `Enter`, `Escape`, `Down`, `y`, `1`) to answer a dialog. */
export async function pressKey(run: TmuxRunner, paneId: string, key: string): Promise<void> {
  if (!/^(?:[A-Za-z0-9]|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)$/.test(key)) {
    throw new RangeError(`pressKey: "${key}" is not a tmux key name (e.g. Enter, Escape, Down, y, 1)`);
  }
  checkResult(['send-keys'], await run(['send-keys', '-t', paneId, key]), paneId);
}

/**
 * Loads the text into a uniquely named buffer (stdin, so no size limit or quoting) and pastes it
 * in one tmux call; `-d` deletes the buffer. Returns when tmux has queued the bytes to the pane.
 */
async function pasteText(run: TmuxRunner, paneId: string, payload: string): Promise<void> {
  bufferCounter += 1;
  const buffer = `poli-${process.pid}-${bufferCounter}-${randomUUID().slice(0, 8)}`;
  const args = ['load-buffer', '-b', buffer, '-', ';', 'paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', paneId];
  const result = await run(args, { input: payload });
  if (result.exitCode !== 0) {
    await run(['delete-buffer', '-b', buffer]);
    checkResult(args, result, paneId);
  }
}

/**
 * Looks (after each `pause`) until the paste shows: the screen differs from before the paste (the CLI shows the text
 * or a `[Pasted text #1 +3 lines]` placeholder) and — when the profile can read its input box — the box holds
 * something, then until it settles (two equal looks). A CLI that submits on paste shows no text in its box: it is
 * seen as submitted by the rules of submit-evidence.ts (it turned busy; or the payload's echo shows with the box empty,
 * or with output after it when the box cannot be read). Gives up silently after the timeout: the Enter verification then decides (a missing paste
 * means the box stays empty → re-paste).
 */
async function waitForPaste(
  reader: PaneReader,
  profile: SendProfile,
  before: PaneSnapshot,
  payload: string,
  clock: Clock,
  pause: () => Promise<unknown>,
  timeoutMs: number,
): Promise<{ screen: PaneSnapshot; submitted: boolean }> {
  const start = clock.now();
  const beforeText = before.lines.join('\n');
  const beforeLook = { lines: before.lines, bottom: bottomOf(before.lines, BOTTOM_LINES) };
  // A CLI that was busy changes its screen by itself (its spinner): then only the text (or a placeholder) showing
  // tells that the paste arrived, when the box cannot be read.
  const busyBefore = profile.classify(beforeLook.bottom) === 'busy';
  let previous = beforeText;
  let changedAt: number | undefined;
  for (;;) {
    const screen = await reader.snapshot();
    const text = screen.lines.join('\n');
    const bottom = bottomOf(screen.lines, BOTTOM_LINES);
    const input = profile.readInput(bottom);
    if (submittedOnPaste(profile, beforeLook, { lines: screen.lines, bottom }, payload)) return { screen, submitted: true };
    const shown = input !== undefined || !busyBefore || newEnd(before.lines, screen.lines, payload) !== undefined || newPlaceholder(before.lines, screen.lines);
    const arrived = text !== beforeText && input !== '' && shown;
    if (arrived) {
      changedAt ??= clock.now();
      if (text === previous || clock.now() - changedAt >= PASTE_SETTLE_MS) return { screen, submitted: false };
    }
    previous = text;
    if (clock.now() - start >= timeoutMs || screen.dead) return { screen, submitted: false };
    await pause();
  }
}

/** A paste placeholder shows that did not before (counted placeholders differ from the last one's). */
function newPlaceholder(beforeLines: readonly string[], lines: readonly string[]): boolean {
  const old = new Set(beforeLines.filter((line) => PASTE_PLACEHOLDER.test(line)));
  return lines.some((line) => PASTE_PLACEHOLDER.test(line) && !old.has(line));
}

/** The payload's first line that is not blank: what its echo, or the text in an input box, starts with. */
function firstLineOf(payload: string): string {
  return payload.split('\n').find((line) => line.trim() !== '') ?? '';
}

/** Whether the input box already holds `payload`: its first line (wrapping and spacing ignored), or a placeholder. */
function holdsPayload(input: string | undefined, payload: string): boolean {
  if (input === undefined || input.trim() === '') return false;
  if (PASTE_PLACEHOLDER.test(input)) return true;
  const squeeze = (text: string): string => text.replace(/\s+/g, '');
  const firstLine = squeeze(firstLineOf(payload));
  return firstLine !== '' && squeeze(input).includes(firstLine);
}
