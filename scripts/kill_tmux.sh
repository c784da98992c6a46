#!/usr/bin/env bash
# Stops poli's tmux server (and with it both CLIs). Touches only poli's own socket.
# Usage: scripts/kill_tmux.sh [--socket NAME] [--force]
set -euo pipefail
usage() {
  cat <<'USAGE'
usage: scripts/kill_tmux.sh [--socket NAME] [--force]
Stops poli's tmux server on socket NAME (default: $POLI_TMUX_SOCKET, else "poli"), and with it both CLIs.
Refuses while a poli process is driving that server (a task or the interactive prompt), unless --force.
USAGE
}
socket="${POLI_TMUX_SOCKET:-poli}"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --force) force=1; shift ;;
    --socket)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "kill_tmux.sh: --socket needs a name" >&2; usage >&2; exit 2; }
      socket="$2"; shift 2 ;;
    --socket=*) socket="${1#--socket=}"; shift ;;
    *) echo "kill_tmux.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$socket" =~ ^[A-Za-z0-9_.-]+$ ]]; then
  echo "kill_tmux.sh: invalid socket name: $socket" >&2
  exit 2
fi
# The lock of the poli driving the socket lives in its per-user runtime dir (src/host.ts runtimeDir).
tmp="${TMUX_TMPDIR:-${TMPDIR:-/tmp}}"
lock="${tmp%/}/poli-$(id -u)/locks/$socket.lock"
pid=""
# No lock file: no poli runs there (a redirection from a missing file would print the shell's own error).
if [ -r "$lock" ]; then pid="$(tr -dc '0-9' < "$lock" 2>/dev/null || true)"; fi
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$force" -eq 0 ]; then
  echo "kill_tmux.sh: poli (pid $pid) is running on socket $socket; stop it first (poli stop, Ctrl+C, or :quit)," >&2
  echo "or run again with --force to kill the server anyway (its task ends interrupted)." >&2
  exit 1
fi
if tmux -L "$socket" has-session 2>/dev/null; then
  tmux -L "$socket" kill-server
  echo "stopped the poli tmux server (socket $socket)"
else
  echo "no poli tmux server is running on socket $socket"
fi
