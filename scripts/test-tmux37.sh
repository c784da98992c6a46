#!/usr/bin/env bash
# `npm run test:tmux37`: the tmux integration, fault, end-to-end and mock tests against tmux 3.7c (what Homebrew
# installs on macOS), while `npm test` uses the tmux on PATH (Debian's 3.3a on CI).
# Builds 3.7c once from ../shared/vendor (the release source beside the repository) into a cache folder outside the
# repository, $XDG_CACHE_HOME or ~/.cache/tmux-3.7c (POLI_TMUX37_PREFIX overrides it), and reuses it afterwards.
# Build dependencies are installed with apt-get when missing (as root, as on CI). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${POLI_TMUX37_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/tmux-3.7c}
# The builder: POLI_TMUX_BUILDER, else shared/vendor beside this checkout, else beside the checkout this one was cloned
# from (a clone in a temporary folder has no shared/ beside it).
builder=${POLI_TMUX_BUILDER:-}
if [ -z "$builder" ]; then
  for base in .. "$(git config --get remote.origin.url 2>/dev/null || true)/.."; do
    if [ -f "$base/shared/vendor/build-tmux.sh" ]; then builder="$base/shared/vendor/build-tmux.sh"; break; fi
  done
fi
if [ -z "$builder" ] || [ ! -f "$builder" ]; then
  if [ -x "$prefix/bin/tmux" ] && [ "$("$prefix/bin/tmux" -V)" = "tmux 3.7c" ]; then
    builder=""
  else
    echo "test-tmux37: shared/vendor/build-tmux.sh not found beside the repository (or the one it was cloned from)," >&2
    echo "  and no tmux 3.7c built in $prefix; set POLI_TMUX_BUILDER to the builder's path" >&2
    exit 1
  fi
fi

# build-tmux.sh installs most of what it needs, but not `make` when a C compiler is already there.
if [ ! -x "$prefix/bin/tmux" ] && ! command -v make >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-tmux37: installing make with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq make >&2
  else
    echo "test-tmux37: make is missing; install it (and a C compiler) to build tmux 3.7c" >&2
    exit 1
  fi
fi

started=$(date +%s)
# Through bash: a read-only copy of shared/ may have lost the executable bit.
if [ -n "$builder" ]; then tmux_bin=$(bash "$builder" "$prefix"); else tmux_bin="$prefix/bin/tmux"; fi
echo "test-tmux37: $tmux_bin ready in $(( $(date +%s) - started )) s" >&2
PATH="$(dirname "$tmux_bin"):$PATH"
export PATH
tmux -V
# test/tmux/version.test.ts fails unless the tests really drive this version.
POLI_EXPECT_TMUX=3.7c npx vitest run test/tmux test/reading test/faults test/e2e test/mocks "$@"
