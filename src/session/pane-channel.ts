/**
 * One CLI's pane as the dialogue sees it (a PaneChannel): marks where a turn starts, reads the output since then from
 * the pane's terminal model or by capture, tells the screen's state (answering a dialog the CLI shows), and sends long
 * messages and reply files through the file channel (handoff.ts).
 */
import { realpathSync } from 'node:fs';
import type { PaneChannel, PanePosition } from '../reading/channel.ts';
import { withHandoff } from '../reading/handoff.ts';
import type { PaneWatch } from '../reading/pane-watch.ts';
import { TranscriptRecovery } from '../reading/transcript-recovery.ts';
import { UsageLedger } from '../reading/usage-ledger.ts';
import { limitReaderFor } from '../profiles/limit-screens.ts';
import type { Role } from '../protocol/types.ts';
import type { PaneMark, PaneReader } from '../tmux/reader.ts';
import type { Clock, ScreenState } from '../tmux/types.ts';
import type { DialogWatch } from './cli-dialogs.ts';
import { DIALOG_LINES, STATUS_LINES } from './cli-ready.ts';
import type { CliSpec } from './cli-spec.ts';

export const DEFAULT_FILE_THRESHOLD = 2048;
/** Each CLI's pane is this tall (session.ts starts it so). */
export const PANE_ROWS = 50;
/** Replies are read from the pane's output since the message was sent, found by their id wherever the CLI draws
 * them; when poli reads by capture (no control mode), it reads from the top of the screen at the send. */
const MARK_LINES_ABOVE = PANE_ROWS;
/** A reply as long as this is still read whole by capture (no control mode); the terminal model has no such bound. */
const CAPTURE_MAX_LINES = 100_000;
/**
 * While no tag line changes, a turn's text is read again at most this often (a CLI printing hundreds of lines a second
 * must not cost a parse per output burst); a changed tag line, or a CLI that looks done, reads at once.
 */
const REREAD_MS = 250;

/**
 * What the channel reads one role's pane with, from the session that holds it. Getters, not values: the session
 * replaces the reader and the dialog watch when the pane's CLI is started again, and starts the watch on first use.
 */
export interface PaneAccess {
  role: Role;
  paneId: string;
  spec: CliSpec;
  projectDir: string;
  clock: Clock;
  reader(): PaneReader;
  dialogs(): DialogWatch;
  /** The pane's terminal model, started (or attached again) on first use; undefined while polling. */
  watch(): Promise<PaneWatch | undefined>;
  /** The model as it is now, not started. */
  currentWatch(): Promise<PaneWatch | undefined> | undefined;
  /** Pastes `text` into the CLI and confirms the submission (no file channel). */
  submit(text: string, onPasted?: () => void | Promise<void>, mayBeInBox?: boolean): Promise<void>;
  debug?(message: string): void;
  /** Reads the usage the CLIs recorded so far (session.ts UsageFeed.poll); never fails. */
  readUsage?(): Promise<void>;
  /** Wraps the channel once more, outside the file channel (the structured intake). */
  wrapChannel?(channel: PaneChannel): PaneChannel;
}

/** Where a turn started, in both readers, and the last read (reused while no tag line changed). */
interface TurnPosition {
  watch: PaneWatch | undefined;
  model: number;
  /** The watch's resize count when the turn started (or its damage was last acknowledged), and the size then. */
  resizes: number;
  size: string;
  pane: PaneMark;
  signature?: string;
  text?: string;
  readAt?: number;
  /** After a cross-check found the model wrong: also read tmux's own history since the mark. */
  deep?: boolean;
}

/**
 * The pane as the dialogue sees it: long messages and reply files go through the file channel
 * (handoff.ts), and every look at the screen's state also answers a dialog the CLI shows.
 */
export function paneChannel(access: PaneAccess): PaneChannel {
  const { role, paneId, spec } = access;
  const reader = access.reader();
  const limitReader = limitReaderFor(spec.profile.name);
  const pane: PaneChannel = {
    role,
    paneId,
    mark: async (markOptions?: { lookBack?: boolean }): Promise<PanePosition> => {
      // A new turn: usage records of the last one may have come after its end (not awaited: the turn need not wait).
      void access.readUsage?.();
      const watch = await access.watch();
      const lookBack = markOptions?.lookBack === true;
      const position: TurnPosition = {
        watch,
        model: watch?.model.mark() ?? 0,
        resizes: watch?.resizes ?? 0,
        size: watch ? `${watch.model.cols}×${watch.model.rows}` : '',
        pane: await reader.mark({ linesAbove: lookBack ? CAPTURE_MAX_LINES : MARK_LINES_ABOVE }),
        // Looking back: the reply may be in tmux's history from before the model started.
        ...(lookBack ? { deep: true } : {}),
      };
      return position;
    },
    submit: (text, submitOptions) => access.submit(text, submitOptions?.onPasted, submitOptions?.mayBeInBox === true),
    readSince: (position: PanePosition, options) =>
      readTurn(access, position as TurnPosition, options?.fresh === true).then((text) => cleanLines(text, spec.profile.cleanLine)),
    screenState: async (): Promise<ScreenState> => {
      const tall = await bottomLines(access, DIALOG_LINES);
      // A dialog answered now changes the screen: report 'unknown' rather than a stale state.
      if ((await access.dialogs().handle(tall)) !== undefined) return 'unknown';
      return spec.profile.classify(tall.slice(-STATUS_LINES));
    },
    ...(limitReader
      ? { limit: async (now: number) => limitReader(await bottomLines(access, DIALOG_LINES), { now }) }
      : {}),
    program: spec.profile.name,
    ...(spec.profile.wrapsLines === true ? { wrapsLines: true } : {}),
    lastLines: (n) => reader.lastLines(n),
    damage: async (position: PanePosition): Promise<string | undefined> => {
      const turn = position as TurnPosition;
      const watch = await access.currentWatch();
      if (!watch || turn.watch !== watch || watch.resizes === turn.resizes) return undefined;
      // The CLI's transcript gives the exact body whatever the screen did (transcript-recovery.ts).
      if (spec.profile.transcript && !spec.profile.transcript.usageOnly && spec.environment) return undefined;
      const now = `${watch.model.cols}×${watch.model.rows}`;
      turn.resizes = watch.resizes;
      const was = turn.size;
      turn.size = now;
      return `the pane was resized (${was} → ${now}) while the reply was on its way, which can leave parts of the old screen inside it`;
    },
    crossCheck: async (position: PanePosition): Promise<void> => {
      const turn = position as TurnPosition;
      const watch = await access.currentWatch();
      if (!watch || !watch.live || turn.watch !== watch || turn.deep) return;
      if (!(await watch.crossCheck())) turn.deep = true;
    },
  };
  const source = spec.profile.transcript;
  const recovery =
    source && !source.usageOnly && spec.environment
      ? new TranscriptRecovery({ source, projectDir: realProjectDir(access.projectDir), env: spec.environment, role, command: spec.command })
      : undefined;
  const handoff = withHandoff(pane, {
    projectDir: access.projectDir,
    now: () => access.clock.now(),
    fileThreshold: spec.fileThreshold ?? DEFAULT_FILE_THRESHOLD,
    ...(recovery ? { recovery } : {}),
    ...(access.debug ? { debug: access.debug } : {}),
  });
  return access.wrapChannel ? access.wrapChannel(handoff) : handoff;
}

/**
 * The usage ledger of a pane's CLI (usage-ledger.ts), beside its reply recovery: it reads the same transcript, for
 * the whole session. Undefined when the CLI's profile reads no usage.
 */
export function usageLedgerFor(spec: CliSpec, projectDir: string, role: Role): UsageLedger | undefined {
  const source = spec.profile.transcript;
  if (!source?.usage || !spec.environment) return undefined;
  return new UsageLedger({ source, projectDir: realProjectDir(projectDir), env: spec.environment, role, cli: spec.profile.name, command: spec.command });
}

/**
 * The pane's output since the turn's mark: from the terminal model when there is one (reused while no tag line
 * changed, so a long reply streaming costs nothing to re-read), else by capture. After a cross-check found the model
 * wrong, tmux's own history since the mark is read too (replies are matched by id, so overlap is harmless).
 */
async function readTurn(pane: PaneAccess, turn: TurnPosition, fresh: boolean): Promise<string> {
  const watch = turn.watch;
  // A model that no output reaches any more (control mode stopped) is stale: tmux's own screen and history are exact.
  if (!watch || !watch.live || watch !== (await pane.currentWatch())) {
    return pane.reader().readSince(turn.pane, { maxLines: CAPTURE_MAX_LINES });
  }
  await watch.model.whenParsed();
  const signature = watch.model.tagSignature(turn.model);
  const now = pane.clock.now();
  const stale = turn.text === undefined || fresh || signature !== turn.signature || now - (turn.readAt ?? 0) >= REREAD_MS;
  if (stale) {
    turn.signature = signature;
    turn.readAt = now;
    const lines = watch.model.readSince(turn.model).lines;
    // Replies start at a tag line: what the CLI printed before the first one (its work) is not worth parsing.
    const first = lines.findIndex((line) => line.includes('POLI:MSG'));
    turn.text = first === -1 ? '' : lines.slice(first).join('\n');
  }
  if (!turn.deep) return turn.text ?? '';
  return `${turn.text ?? ''}\n${await pane.reader().readSince(turn.pane, { maxLines: CAPTURE_MAX_LINES })}`;
}

/** The bottom of the pane's screen: from the model when the dialogue reads one, else by capture. */
async function bottomLines(pane: PaneAccess, n: number): Promise<string[]> {
  const watch = await pane.currentWatch();
  if (!watch || !watch.live) return pane.reader().bottomLines(n);
  await watch.model.whenParsed();
  return watch.model.bottomLines(n);
}

/** Applies a profile's per-line clean-up (copilot's scrollbar column) to text read from its pane. */
export function cleanLines(text: string, clean: ((line: string) => string) | undefined): string {
  return clean ? text.split('\n').map(clean).join('\n') : text;
}

/** The CLIs name their transcript folders after their real working directory. */
function realProjectDir(projectDir: string): string {
  try {
    return realpathSync(projectDir);
  } catch {
    return projectDir;
  }
}
