/**
 * The control-mode client one tmux session's pane streams share (pane-feed.ts): attached when the first stream
 * opens, closed when the last one closes, and the one place that tells a stream its pane is gone.
 *
 * A pane's end has several faces in control mode: under `remain-on-exit on` (poli's tmux.conf) its program's exit
 * shows only in the client's `#{pane_dead}` subscription; a killed pane closes its window (`%window-close`,
 * `%unlinked-window-close`) or changes the layout; the session's or server's end stops the client (`%exit`, EOF).
 * For the ambiguous ones each stream's pane is asked about (`display-message`) as its own process.
 *
 * When the client stops while streams still watch (a person's `tmux attach -d` detaches every other client, this one
 * too), the panes that still live get a new client and a resync: they miss no more than a reset shows again.
 */
import { ControlClient, ControlClientClosedError, DEAD_SUBSCRIPTION } from '../tmux/control-client.ts';
import type { ControlEvent } from '../tmux/control-protocol.ts';
import type { ControlProcess } from '../tmux/runner.ts';
import type { TmuxRunner } from '../tmux/types.ts';

/** What the session needs of a stream. */
export interface SessionStream {
  readonly paneId: string;
  readonly isGone: boolean;
  emitOutput(text: string): void;
  emitResync(): void;
  markGone(): void;
}

export interface PaneSessionOptions {
  socket: string;
  /** tmux's `$N` id of the session (names can be reused; ids cannot). */
  sessionId: string;
  /** Runs one tmux command as its own process: the liveness checks, and what control mode cannot carry. */
  processRun: TmuxRunner;
  /** Starts `tmux -C attach -t <sessionId>`. */
  spawn: () => ControlProcess;
  /** Told when the last stream left: the session is closing and must not take new streams. */
  onEmpty: (session: PaneSession) => void;
}

/** Notifications after which a watched pane may be gone without a `%output` or subscription saying so. */
const MAYBE_GONE = ['%window-close', '%unlinked-window-close', '%session-changed', '%sessions-changed'];

export class PaneSession {
  readonly socket: string;
  private readonly streams = new Set<SessionStream>();
  private attaching: Promise<ControlClient> | undefined;
  private client: ControlClient | undefined;
  /** The liveness check running, and whether another was asked for since it began its round. */
  private checking: Promise<void> | undefined;
  private checkAgain = false;

  constructor(private readonly options: PaneSessionOptions) {
    this.socket = options.socket;
  }

  /** Adds a stream and makes sure the client is attached; throws (and forgets the stream) when it cannot attach. */
  async add(stream: SessionStream): Promise<void> {
    this.streams.add(stream);
    try {
      await this.connect();
    } catch (error) {
      await this.remove(stream);
      throw error;
    }
  }

  /** Removes a stream; the last one out closes the client. */
  async remove(stream: SessionStream): Promise<void> {
    if (!this.streams.delete(stream) || this.streams.size > 0) return;
    this.options.onEmpty(this);
    const attaching = this.attaching;
    this.attaching = undefined;
    this.client = undefined;
    const client = await attaching?.catch(() => undefined);
    await client?.close();
  }

  /** The attached client, attaching one when there is none. */
  connect(): Promise<ControlClient> {
    if (this.streams.size === 0) return Promise.reject(new ControlClientClosedError(this.options.socket, 'has no stream left to serve'));
    if (this.attaching === undefined) {
      const attaching = ControlClient.attach({
        socket: this.options.socket,
        spawn: this.options.spawn,
        fallbackRun: this.options.processRun,
        onClose: () => void this.lost(attaching),
      });
      this.attaching = attaching;
      attaching.then(
        (client) => this.wire(attaching, client),
        () => {
          if (this.attaching === attaching) this.attaching = undefined;
        },
      );
    }
    return this.attaching;
  }

  private wire(attaching: Promise<ControlClient>, client: ControlClient): void {
    if (this.attaching !== attaching) return;
    this.client = client;
    client.onOutput((paneId, text) => {
      for (const stream of this.streams) if (stream.paneId === paneId) stream.emitOutput(text);
    });
    client.onResync((paneId) => {
      for (const stream of this.streams) if (paneId === undefined || stream.paneId === paneId) stream.emitResync();
    });
    client.onEvent((event) => this.onEvent(event));
  }

  private onEvent(event: ControlEvent): void {
    if (event.kind === 'subscription' && event.name === DEAD_SUBSCRIPTION) {
      if (event.value === '1') for (const stream of this.streams) if (stream.paneId === event.paneId) stream.markGone();
      return;
    }
    if (event.kind === 'layout' || (event.kind === 'other' && MAYBE_GONE.some((word) => event.line.startsWith(`${word} `) || event.line === word))) {
      void this.checkPanes();
    }
  }

  /** The client stopped. Ours closing (no streams left) is no news; else re-attach for the panes that live. */
  private async lost(attaching: Promise<ControlClient>): Promise<void> {
    if (this.attaching !== attaching || this.streams.size === 0) return;
    this.attaching = undefined;
    this.client = undefined;
    await this.checkPanes();
    const live = [...this.streams].filter((stream) => !stream.isGone);
    if (live.length === 0) return;
    try {
      await this.connect();
    } catch {
      for (const stream of live) stream.markGone();
      return;
    }
    for (const stream of live) stream.emitResync();
  }

  /**
   * Asks tmux about each watched pane; a pane that is missing or dead (or a server that is gone) is gone. One check
   * at a time: asked again meanwhile, it runs once more when done. Settles when no check is left.
   */
  private checkPanes(): Promise<void> {
    this.checkAgain = true;
    if (this.checking !== undefined) return this.checking;
    const run = async (): Promise<void> => {
      while (this.checkAgain) {
        this.checkAgain = false;
        for (const stream of [...this.streams]) {
          if (stream.isGone) continue;
          // tmux 3.3a answers a missing pane with an empty line and exit 0, not an error (measured): hence the id.
          const result = await this.options.processRun(['display-message', '-p', '-t', stream.paneId, '#{pane_id} #{pane_dead}']);
          if (result.exitCode !== 0 || result.stdout.trim() !== `${stream.paneId} 0`) stream.markGone();
        }
      }
    };
    this.checking = run().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }
}
