#!/usr/bin/env bash
# One command to start poli on a project: ./start_project.sh [DIR]
# Starts (or reuses) the tmux session with both CLIs working in DIR (default: the current
# directory) and enters poli's interactive mode. Extra arguments go to poli, e.g. --mock.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
# No DIR, or options straight away (./start_project.sh --mock): the current directory.
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  dir="$1"
  shift
else
  dir="$PWD"
fi
if [ ! -d "$dir" ]; then
  echo "start_project.sh: project directory not found: $dir" >&2
  echo "usage: ./start_project.sh [DIR] [poli options]" >&2
  exit 2
fi
dir="$(cd "$dir" && pwd)"
if ! command -v tmux >/dev/null 2>&1; then
  echo "start_project.sh: tmux not found on PATH; install tmux >= 3.2 (e.g. apt-get install tmux)" >&2
  exit 2
fi
[ -d "$root/node_modules" ] || (cd "$root" && npm ci --no-audit --no-fund)
export INIT_CWD="$PWD"
exec node "$root/bin/poli.js" --project-dir "$dir" "$@"
