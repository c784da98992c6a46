/**
 * The WebSocket frames of a live pane (dash-context.md, "Panes"), pure: what the server sends for each feed event,
 * and what it makes of what the page sends. The route only moves these strings.
 *
 * server → page: `{"type":"reset",cols,rows,cursorX,cursorY,data}` (the whole screen: on open, after a tmux `%pause`
 * or a layout change), `{"type":"output",data}`, `{"type":"gone"}`, `{"type":"error",message}`.
 * page → server: `{"type":"input",data}`, taken only when the socket was opened with `?input=1`.
 */
import type { PaneStream } from './pane-types.ts';

/** A screen as {@link PaneStream.snapshot} returns it. */
export type PaneSnapshot = Awaited<ReturnType<PaneStream['snapshot']>>;

/** A frame the server sends. */
export type PaneFrame =
  | ({ type: 'reset' } & PaneSnapshot)
  | { type: 'output'; data: string }
  | { type: 'gone' }
  | { type: 'error'; message: string };

/** The JSON text of a frame. */
export function encodePaneFrame(frame: PaneFrame): string {
  if (frame.type === 'reset') {
    // Fixed key order, whatever order the snapshot object was built in.
    const { cols, rows, cursorX, cursorY, data } = frame;
    return JSON.stringify({ type: 'reset', cols, rows, cursorX, cursorY, data });
  }
  return JSON.stringify(frame);
}

/** What to do with a frame the page sent: type `data` into the pane, or answer with `reply` and go on. */
export type ClientFrameAction = { kind: 'input'; data: string } | { kind: 'reply'; frame: PaneFrame };

/**
 * Reads one text frame from the page. Input is taken only when the socket was opened for input (`?input=1`):
 * the panes are read-only unless the person turned typing on.
 */
export function readClientFrame(text: string, inputAllowed: boolean): ClientFrameAction {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return error(`not JSON: expected {"type":"input","data":"…"}, got ${quote(text)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { type?: unknown }).type !== 'input') {
    return error(`unknown frame: expected {"type":"input","data":"…"}, got ${quote(text)}`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (typeof data !== 'string') return error(`an input frame needs "data" as a string, got ${quote(text)}`);
  if (!inputAllowed) return error('read-only: this pane was opened without ?input=1; turn on "type into pane" to type');
  return { kind: 'input', data };
}

function error(message: string): ClientFrameAction {
  return { kind: 'reply', frame: { type: 'error', message } };
}

/** At most 80 characters of what the page sent, for an error message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
