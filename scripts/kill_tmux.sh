#!/usr/bin/env bash
# Stops poli's tmux server (and with it both CLIs). Touches only poli's own socket.
set -euo pipefail
socket="${POLI_TMUX_SOCKET:-poli}"
if tmux -L "$socket" has-session 2>/dev/null; then
  tmux -L "$socket" kill-server
  echo "stopped the poli tmux server (socket $socket)"
else
  echo "no poli tmux server is running on socket $socket"
fi
