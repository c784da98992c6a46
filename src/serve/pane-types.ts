/**
 * What the pane WebSocket route needs of tmux (issue 21, "Panes"): the interface of /work/dash-context.md, which
 * src/serve/pane-feed.ts (H3) implements over one control-mode client per session. Injected into the server, so its
 * tests use a fake.
 */
import type { Role } from '../protocol/types.ts';

export interface PaneFeed {
  /** The panes of a session: role → pane id, from `list-panes -s -t <session> -F '#{pane_id} #{@poli_role}'`. */
  findPanes(socket: string, session: string): Promise<Partial<Record<Role, string>>>;
  /** A live view of one pane: first the screen as it is, then every byte it prints. */
  open(socket: string, paneId: string): Promise<PaneStream>;
}

/** The screen of a pane as it is now. */
export interface PaneSnapshot {
  cols: number;
  rows: number;
  cursorX: number;
  cursorY: number;
  data: string;
}

export interface PaneStream {
  /** `capture-pane -p -e -N` of the visible screen (escape sequences kept) with the size and cursor. */
  snapshot(): Promise<PaneSnapshot>;
  /** Control-mode %output of that pane, UTF-8 decoded. */
  onOutput(listener: (data: string) => void): () => void;
  /** Pane died / session or server gone. */
  onGone(listener: () => void): () => void;
  /** Types into the pane: `send-keys -l` for text, named keys for Enter/Backspace/arrows/Ctrl+C. */
  type(data: string): Promise<void>;
  close(): Promise<void>;
}
