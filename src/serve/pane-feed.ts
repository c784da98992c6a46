/**
 * Live views of poli's tmux panes for the dashboard (dash-context.md, "Panes"), fed from tmux control mode.
 *
 * - One control-mode client per (socket, session), shared by every stream of that session's panes and closed when
 *   the last of them closes (pane-session.ts). It never sends `refresh-client -C`: a client without a size leaves the
 *   window's size alone, so watching from a phone does not shrink the CLIs' panes.
 * - A stream's first screen comes from `capture-pane`, then every byte the pane prints from `%output` (decoded as
 *   UTF-8 per pane by the control client, a character split across notifications kept whole). The capture's reply
 *   arrives in order with the output notifications, which splits the output exactly: what came before the reply is on
 *   the captured screen and is dropped, what came after is held until the caller has the snapshot.
 * - When output may have been lost (tmux paused the pane for a slow reader: `%pause`, answered with `continue` by the
 *   control client) or screens rewrapped (a layout change), the stream asks for a fresh snapshot: `onResync`,
 *   which {@link pipePaneFrames} answers with a new `reset` frame.
 */
import { PaneNotFoundError } from '../errors.ts';
import { ControlClientClosedError, type ControlClient } from '../tmux/control-client.ts';
import { ROLES, type Role } from '../protocol/types.ts';
import { checkResult, createTmuxRunner, isServerGone, isTargetMissing, spawnTmuxControl, type ControlProcess } from '../tmux/runner.ts';
import type { TmuxRunner } from '../tmux/types.ts';
import type { PaneSnapshot } from './pane-frames.ts';
import { keyCommands } from './pane-keys.ts';
import { PaneSession } from './pane-session.ts';
import type { PaneFeed, PaneStream } from './pane-types.ts';

/** A {@link PaneStream} that also says when its screen must be sent again. */
export interface ResyncingPaneStream extends PaneStream {
  /** Told when output may have been lost or the screen rewrapped: call `snapshot()` and send it as a reset. */
  onResync(listener: () => void): () => void;
}

export interface PaneFeedOptions {
  /** poli's tmux configuration (runner.ts DEFAULT_TMUX_CONFIG); only matters if a command starts a server. */
  configFile?: string;
  /** Runs one tmux command as its own process on `socket` (tests swap it); default runner.ts createTmuxRunner. */
  processRunner?: (socket: string) => TmuxRunner;
  /** Starts a control-mode client attached to `target` (tests swap it); default runner.ts spawnTmuxControl. */
  spawnControl?: (socket: string, target: string) => ControlProcess;
}

/** What `snapshot()` asks tmux first: the size, the cursor, whether it is shown, whether the alternate screen is on. */
const SCREEN_FORMAT = '#{pane_width} #{pane_height} #{cursor_x} #{cursor_y} #{cursor_flag} #{alternate_on}';

/** The production {@link PaneFeed}: tmux control mode on poli's private servers. */
export function createPaneFeed(options: PaneFeedOptions = {}): TmuxPaneFeed {
  return new TmuxPaneFeed(options);
}

export class TmuxPaneFeed implements PaneFeed {
  private readonly sessions = new Map<string, PaneSession>();
  private readonly runners = new Map<string, TmuxRunner>();
  private readonly streams = new Set<TmuxPaneStream>();

  constructor(private readonly options: PaneFeedOptions = {}) {}

  async findPanes(socket: string, session: string): Promise<Partial<Record<Role, string>>> {
    // `=` asks for exactly that session: a bare `T1` would also match `T10` when T1 is gone.
    const args = ['list-panes', '-s', '-t', `=${session}`, '-F', '#{pane_id} #{@poli_role}'];
    const result = await this.runner(socket)(args);
    if (isServerGone(result) || isTargetMissing(result)) return {};
    checkResult(args, result);
    const panes: Partial<Record<Role, string>> = {};
    for (const line of result.stdout.split('\n')) {
      const [paneId, role] = line.trim().split(' ');
      if (paneId !== undefined && ROLES.includes(role as Role)) panes[role as Role] ??= paneId;
    }
    return panes;
  }

  async open(socket: string, paneId: string): Promise<ResyncingPaneStream> {
    const args = ['display-message', '-p', '-t', paneId, '#{pane_id} #{session_id} #{pane_dead}'];
    const [foundId, sessionId = '', dead] = checkResult(args, await this.runner(socket)(args), paneId).stdout.trim().split(' ');
    // tmux 3.3a answers a missing pane with an empty line and exit 0, not an error (measured).
    if (foundId !== paneId) throw new PaneNotFoundError(paneId);
    const key = `${socket}\0${sessionId}`;
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = new PaneSession({
        socket,
        sessionId,
        processRun: this.runner(socket),
        spawn: () => (this.options.spawnControl ?? defaultSpawn(this.options.configFile))(socket, sessionId),
        onEmpty: (emptied) => {
          if (this.sessions.get(key) === emptied) this.sessions.delete(key);
        },
      });
      this.sessions.set(key, session);
    }
    const stream = new TmuxPaneStream(session, paneId, (closed) => this.streams.delete(closed));
    if (dead === '1') stream.markGone();
    await session.add(stream);
    this.streams.add(stream);
    return stream;
  }

  /** Closes every stream still open (the server stops); their control clients end with them. */
  async close(): Promise<void> {
    await Promise.all([...this.streams].map((stream) => stream.close()));
  }

  private runner(socket: string): TmuxRunner {
    let run = this.runners.get(socket);
    if (run === undefined) {
      run = this.options.processRunner?.(socket) ?? createTmuxRunner({ socket, ...(this.options.configFile ? { configFile: this.options.configFile } : {}) });
      this.runners.set(socket, run);
    }
    return run;
  }
}

function defaultSpawn(configFile: string | undefined): (socket: string, target: string) => ControlProcess {
  return (socket, target) => spawnTmuxControl({ socket, target, ...(configFile ? { configFile } : {}) });
}

/** One pane's live view over its session's shared control client. */
export class TmuxPaneStream implements ResyncingPaneStream {
  private readonly outputListeners = new Set<(data: string) => void>();
  private readonly goneListeners = new Set<() => void>();
  private readonly resyncListeners = new Set<() => void>();
  private gone = false;
  private closed = false;
  /** Snapshots sent whose capture has not been answered yet: output until then is on the captured screen. */
  private capturing = 0;
  /** Output after the last capture's reply, until its caller has the snapshot. */
  private held: string[] | undefined;

  constructor(
    private readonly session: PaneSession,
    readonly paneId: string,
    private readonly onClosed: (stream: TmuxPaneStream) => void,
  ) {}

  async snapshot(): Promise<PaneSnapshot> {
    const client = await this.connected();
    const args = ['display-message', '-p', '-t', this.paneId, SCREEN_FORMAT, ';', 'capture-pane', '-p', '-e', '-N', '-t', this.paneId];
    this.capturing += 1;
    let answered = false;
    const answer = (): void => {
      if (answered) return;
      answered = true;
      this.capturing -= 1;
      if (this.capturing === 0) this.held ??= [];
    };
    try {
      const result = await client.run(args, { onReply: answer });
      return parseScreen(checkResult(args, result, this.paneId).stdout);
    } finally {
      answer();
      // The caller continues from its `await` in the microtasks before this: it sends the snapshot first.
      setImmediate(() => this.release());
    }
  }

  onOutput(listener: (data: string) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Called at once (on the next microtask) when the pane is already gone. */
  onGone(listener: () => void): () => void {
    this.goneListeners.add(listener);
    if (this.gone) queueMicrotask(() => (this.goneListeners.has(listener) ? listener() : undefined));
    return () => this.goneListeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  async type(data: string): Promise<void> {
    const client = await this.connected();
    for (const args of keyCommands(this.paneId, data)) checkResult(args, await client.run(args), this.paneId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.outputListeners.clear();
    this.goneListeners.clear();
    this.resyncListeners.clear();
    this.held = undefined;
    this.onClosed(this);
    await this.session.remove(this);
  }

  /** The session's control client read output of this pane. */
  emitOutput(text: string): void {
    if (this.closed || this.capturing > 0) return;
    if (this.held !== undefined) this.held.push(text);
    else for (const listener of this.outputListeners) listener(text);
  }

  /** Output may have been lost or the screen rewrapped. */
  emitResync(): void {
    if (!this.closed && !this.gone) for (const listener of this.resyncListeners) listener();
  }

  /** The pane died, or its session or server ended: told once. */
  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    for (const listener of this.goneListeners) listener();
  }

  get isGone(): boolean {
    return this.gone;
  }

  /** The session's client; a closed stream has none (asking would attach a client nobody closes). */
  private connected(): Promise<ControlClient> {
    if (this.closed) return Promise.reject(new ControlClientClosedError(this.session.socket, `was closed for pane ${this.paneId}`));
    return this.session.connect();
  }

  private release(): void {
    if (this.capturing > 0 || this.held === undefined) return;
    const held = this.held;
    this.held = undefined;
    for (const text of held) for (const listener of this.outputListeners) listener(text);
  }
}

/**
 * The snapshot of `display-message -p SCREEN_FORMAT ; capture-pane -p -e -N`: the screen's lines joined with CRLF
 * (xterm moves to the next line's start only on CR LF; each line is the full width, -N, so none wraps), then the
 * attributes reset and the cursor put where tmux has it, shown or hidden as in the pane. A pane on its alternate
 * screen (a full-screen TUI) is drawn on xterm's alternate screen too, so the program's leaving it later restores
 * xterm's normal one as in the pane.
 */
export function parseScreen(stdout: string): PaneSnapshot {
  const [head = '', ...lines] = stdout.replace(/\n$/, '').split('\n');
  const [cols = 0, rows = 0, cursorX = 0, cursorY = 0, cursorShown = 1, alternate = 0] = head.split(' ').map(Number);
  const screen = lines.slice(0, rows);
  const before = alternate === 1 ? '\x1b[?1049h\x1b[H' : '';
  const cursor = `\x1b[0m\x1b[${cursorY + 1};${cursorX + 1}H${cursorShown === 0 ? '\x1b[?25l' : '\x1b[?25h'}`;
  return { cols, rows, cursorX, cursorY, data: `${before}${screen.join('\r\n')}${cursor}` };
}
