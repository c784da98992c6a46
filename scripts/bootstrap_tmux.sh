#!/usr/bin/env bash
# Starts poli's tmux server with the PLANNER and EXECUTER CLIs in PROJECT_DIR and primes both,
# without starting a task. Settings come from flags, the environment, .env and
# config/shared_workspace.env, as for poli itself. Extra arguments are passed to poli.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export INIT_CWD="${INIT_CWD:-$PWD}"
[ -d "$root/node_modules" ] || (cd "$root" && npm ci --no-audit --no-fund)
exec node "$root/bin/poli.js" start "$@"
