/**
 * Both directions of a pane's WebSocket over a {@link PaneStream}, so the route only moves text: frames out through
 * {@link pipePaneFrames}, the page's frames in through {@link readClientFrame} (typing only with `?input=1`).
 */
import { PaneNotFoundError, TmuxServerGoneError } from '../errors.ts';
import { ControlClientClosedError } from '../tmux/control-client.ts';
import type { ResyncingPaneStream } from './pane-feed.ts';
import { encodePaneFrame, readClientFrame } from './pane-frames.ts';
import type { PaneStream } from './pane-types.ts';

export interface PaneSocket {
  /** Handles one text frame the page sent: types it into the pane, or answers with an error frame. */
  receive(text: string): Promise<void>;
  /** The WebSocket closed: stops the frames and closes the stream (its control client goes with the last one). */
  close(): Promise<void>;
}

/**
 * Starts sending `stream`'s frames through `send` (a reset first) and returns what handles the page's side.
 *
 * @example
 * const pane = connectPaneSocket(await feed.open(socket, paneId), (text) => ws.send(text), { input: query.input === '1' });
 * ws.on('message', (data) => void pane.receive(String(data)));
 * ws.on('close', () => void pane.close());
 */
export function connectPaneSocket(stream: PaneStream, send: (text: string) => void, options: { input: boolean }): PaneSocket {
  const stop = pipePaneFrames(stream, send);
  let closed = false;
  return {
    async receive(text) {
      if (closed) return;
      const action = readClientFrame(text, options.input);
      if (action.kind === 'reply') return send(encodePaneFrame(action.frame));
      try {
        await stream.type(action.data);
      } catch (error) {
        if (!closed) send(encodePaneFrame({ type: 'error', message: `could not type into the pane: ${error instanceof Error ? error.message : String(error)}` }));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      stop();
      await stream.close();
    },
  };
}

/**
 * Wires a stream to a WebSocket's sending side: a `reset` frame with the screen first (and again whenever the stream
 * asks for a resync), then an `output` frame per chunk, and a `gone` frame once the pane is gone. Returns the stop
 * function (it does not close the stream). A snapshot that fails because the pane went away sends `gone`; any other
 * failure an `error` frame.
 */
export function pipePaneFrames(stream: PaneStream | ResyncingPaneStream, send: (text: string) => void): () => void {
  let stopped = false;
  let goneSent = false;
  const gone = (): void => {
    if (stopped || goneSent) return;
    goneSent = true;
    send(encodePaneFrame({ type: 'gone' }));
  };
  const reset = async (): Promise<void> => {
    try {
      const screen = await stream.snapshot();
      if (!stopped && !goneSent) send(encodePaneFrame({ type: 'reset', ...screen }));
    } catch (error) {
      if (stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ControlClientClosedError || error instanceof PaneNotFoundError || error instanceof TmuxServerGoneError) gone();
      else send(encodePaneFrame({ type: 'error', message }));
    }
  };
  const stops = [
    stream.onOutput((data) => {
      if (!stopped && !goneSent) send(encodePaneFrame({ type: 'output', data }));
    }),
    ...('onResync' in stream ? [stream.onResync(() => void reset())] : []),
  ];
  // The first screen goes before `gone`: a pane that is already dead still shows how it ended.
  void reset().then(() => {
    if (!stopped) stops.push(stream.onGone(gone));
  });
  return () => {
    stopped = true;
    for (const stop of stops.splice(0)) stop();
  };
}
