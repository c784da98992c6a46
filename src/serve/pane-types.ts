import type { Role } from '../protocol/types.ts';

export interface PaneFeed {
  /** The panes of a session: role → pane id, from `list-panes -s -t <session> -F '#{pane_id} #{@poli_role}'`. */
  findPanes(socket: string, session: string): Promise<Partial<Record<Role, string>>>;
  /** A live view of one pane: first the screen as it is, then every byte it prints. */
  open(socket: string, paneId: string): Promise<PaneStream>;
}
export interface PaneStream {
  /** `capture-pane -p -e -N` of the visible screen (escape sequences kept) with the size and cursor. */
  snapshot(): Promise<{ cols: number; rows: number; cursorX: number; cursorY: number; data: string }>;
  onOutput(listener: (data: string) => void): () => void;   // control-mode %output of that pane, UTF-8 decoded
  onGone(listener: () => void): () => void;                  // pane died / session or server gone
  /** Types into the pane: `send-keys -l` for text, named keys for Enter/Backspace/arrows/Ctrl+C. */
  type(data: string): Promise<void>;
  close(): Promise<void>;
}
