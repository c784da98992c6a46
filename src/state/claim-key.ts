/**
 * What one poli holds on a tmux socket — its lock, control inbox, reply (intake) socket, state-dir pointer and pane
 * tokens — is keyed by the pair (socket, session), so that several polis share one tmux server, one session each.
 */

/** The session a poli drives when none is named (settings.ts `session`); tmux's session name for it. */
export const DEFAULT_SESSION = 'poli';

/**
 * Between socket and session in a key. Neither a socket name (letters, digits, `_ . -`) nor a session name (letters,
 * digits, `_ -`) may hold it, so no key of a named session equals a socket's own key or another pair's.
 */
const KEY_SEPARATOR = '@';

/**
 * The key of what a poli holds for `session` on `socket`, used in file and socket names: the socket itself for the
 * default session (so every path stays what it was before sessions had names), else `<socket>@<session>`.
 */
export function claimKey(socket: string, session: string): string {
  return session === DEFAULT_SESSION ? socket : `${socket}${KEY_SEPARATOR}${session}`;
}

/** How messages name what a key stands for: `socket "poli"`, or `session "T7" on socket "poli"`. */
export function describeClaim(socket: string, session: string): string {
  return session === DEFAULT_SESSION ? `socket "${socket}"` : `session "${session}" on socket "${socket}"`;
}
