#!/usr/bin/env bash
# Installs the CI linting tools that `npm test` runs, when missing: actionlint (lints
# .github/workflows), built with `go install` into .tools/bin. Idempotent: a binary of the
# pinned version already in .tools/bin, or in the machine cache, is used as it is.
# Called by scripts/provision.sh --for-tests; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
ACTIONLINT_VERSION="1.7.12"
TOOLS_BIN="$ROOT/.tools/bin"
MACHINE_CACHE="${VALERIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/valerix}"

step() { printf '\033[1m[provision]\033[0m %s\n' "$*"; }
fail() {
  printf '\033[31m[provision] %s\033[0m\n' "$1" >&2
  printf '  how to fix: %s\n' "$2" >&2
  exit 1
}

ACTIONLINT="$TOOLS_BIN/actionlint"
actionlint_ok() { [[ -x "$1" ]] && [[ "$("$1" -version 2>/dev/null | head -1)" == "v$ACTIONLINT_VERSION" ]]; }
if ! actionlint_ok "$ACTIONLINT"; then
  mkdir -p "$TOOLS_BIN"
  CACHED="$MACHINE_CACHE/actionlint-$ACTIONLINT_VERSION"
  if actionlint_ok "$CACHED"; then
    step "actionlint $ACTIONLINT_VERSION from the machine cache"
  else
    step "building actionlint $ACTIONLINT_VERSION with go install (cold: ~10 s)"
    go_tool_install "actionlint" "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION" actionlint "$CACHED"
  fi
  cp "$CACHED" "$ACTIONLINT"
fi
step "actionlint: $("$ACTIONLINT" -version | head -1)"
