/**
 * What the task runner needs from one CLI pane. The tmux-backed implementation lives in
 * session.ts; tests use an in-memory fake. Keeping this narrow keeps the dialogue loop
 * independent of how tmux is reached (new process per call, or a control-mode client). It lives in the reading
 * layer, below the dialogue, because reading implements it too (handoff.ts wraps a channel) and the mcp intake names
 * its reply channels: each of them imports it downwards.
 */
import type { PaneLiveness, ScreenState } from '../tmux/types.ts';
import type { Block, Role } from '../protocol/types.ts';
import type { LimitScreen } from '../profiles/limit-screens.ts';

/**
 * How a reply reached poli, recorded with it (docs/protocol.md, "Channels"): the poli_reply tool or the `poli reply`
 * command (src/mcp/), a reply file, the CLI's session transcript, or the screen.
 */
export type ReplyChannel = 'tool' | 'command' | 'file' | 'transcript' | 'screen';

/** An opaque position in a pane's output; replies are looked for after it. */
export type PanePosition = unknown;

export interface PaneChannel {
  readonly role: Role;
  readonly paneId: string;
  /**
   * Position of the current bottom of the pane's output. `lookBack`: reads from it also cover the pane's history from
   * before (a resumed turn whose reply may already be there). `id`: the id of the message the turn waits on.
   */
  mark(options?: { lookBack?: boolean; id?: string }): Promise<PanePosition>;
  /**
   * Type `text` into the CLI and submit it; resolves once the submission is confirmed. `onPasted`: the text is in;
   * awaited before Enter is pressed (the receipt it records must be durable before the CLI can take the message).
   */
  submit(text: string, options?: { onPasted?: () => void | Promise<void>; mayBeInBox?: boolean }): Promise<void>;
  /**
   * The pane's output since `position` (where the turn's message was typed) to the bottom of the screen. `fresh`: the
   * CLI looks done, read it now (otherwise a reader may return its previous read while no tag line changed).
   */
  readSince(position: PanePosition, options?: { fresh?: boolean }): Promise<string>;
  /** What the CLI's screen shows right now, judged from its bottom lines. */
  screenState(): Promise<ScreenState>;
  /**
   * What the CLI's screen says about its model API right now — a usage limit, a retry, a failed request, an expired
   * login, a full context — or undefined (profiles/limit-screens.ts). `now`: the time reset times are read against.
   */
  limit?(now: number): Promise<LimitScreen | undefined>;
  /** The CLI's name for people ("claude"), used in "log in to claude in pane %3". */
  readonly program?: string;
  /** The last `n` lines of the screen, for error messages. */
  lastLines(n: number): Promise<string>;
  /**
   * Checks the reader against tmux's own screen (a model that drifted is refreshed, and the turn's reads include
   * tmux's history from then on). Called when a CLI looks done but no reply was found.
   */
  crossCheck?(position: PanePosition): Promise<void>;
  /**
   * Why the replies read since `position` may be damaged (the pane was resized while they were drawn), once per
   * such event; undefined when they can be trusted.
   */
  damage?(position: PanePosition): Promise<string | undefined>;
  /** The CLI breaks long lines itself: a body read from its screen may carry its line breaks (profile `wrapsLines`). */
  readonly wrapsLines?: boolean;
  /** Which channel a block taken from this turn's text came through; undefined: the screen. */
  origin?(block: Block): ReplyChannel | undefined;
  /**
   * The body exactly as its sender gave it, for a block that came through a channel exact by construction (poli's
   * tool and command); undefined otherwise (the parsed body, as the screen can carry it, is the body then).
   */
  exactBody?(block: Block): string | undefined;
  /**
   * Whether a reply to message `id` was already recorded through a structured channel (by this poli or one killed
   * after saying "delivered"): a resumed turn then takes it instead of typing the message again.
   */
  recorded?(id: string): Promise<boolean>;
}

export interface DialogueChannels {
  PLANNER: PaneChannel;
  EXECUTER: PaneChannel;
  /** Liveness of both panes in one call. */
  liveness(): Promise<PaneLiveness[]>;
  /** The role's CLI was started by this poli process (it has none of the task's history). */
  fresh?(role: Role): boolean;
  /**
   * Resolves when any pane may have changed, or after at most `maxWaitMs`.
   * Polling implementations simply sleep; event-driven ones wake on output.
   */
  waitForChange(maxWaitMs: number): Promise<void>;
}
