#!/usr/bin/env bash
# Installs k6 (the load generator of `npm run bench`) into .tools/bin when missing. k6 is a Go
# module: it is built with go install through the Go module proxy, no binary download.
# Usage: scripts/provision-k6.sh [--help]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
# The newest k6 the module proxy serves; its go.mod has no replace directive, so `go install pkg@version` works.
K6_VERSION="1.8.1"
TOOLS_BIN="$ROOT/.tools/bin"
# Built binaries outlive a fresh clone on a kept machine; nothing depends on this cache existing.
MACHINE_CACHE="${VALERIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/valerix}"

for arg in "$@"; do
  case "$arg" in
    -h|--help)
      cat <<USAGE
Usage: scripts/provision-k6.sh

Puts k6 $K6_VERSION at .tools/bin/k6: from the machine cache ($MACHINE_CACHE) when it holds it,
else built with go install (Go >= 1.25; cold build ~2-4 min on 2 cores, warm: seconds).
USAGE
      exit 0 ;;
    *) echo "provision-k6: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\033[1m[provision-k6]\033[0m %s\n' "$*"; }
fail() {
  printf '\033[31m[provision-k6] %s\033[0m\n' "$1" >&2
  printf '  how to fix: %s\n' "$2" >&2
  exit 1
}

K6="$TOOLS_BIN/k6"
k6_ok() { [[ -x "$1" ]] && "$1" version 2>/dev/null | grep -q "^k6 v$K6_VERSION "; }
if ! k6_ok "$K6"; then
  mkdir -p "$TOOLS_BIN" "$MACHINE_CACHE"
  CACHED="$MACHINE_CACHE/k6-$K6_VERSION"
  if k6_ok "$CACHED"; then
    step "k6 $K6_VERSION from the machine cache"
  else
    step "building k6 $K6_VERSION with go install (cold: ~2-4 min on 2 cores, warm: seconds)"
    go_tool_install "k6" "go.k6.io/k6@v$K6_VERSION" k6 "$CACHED"
  fi
  cp "$CACHED" "$K6"
fi
step "$("$K6" version | head -1)"
