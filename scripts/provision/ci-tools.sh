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


ACTIONLINT="$TOOLS_BIN/actionlint"
actionlint_ok() { [[ -x "$1" ]] && [[ "$("$1" -version 2>/dev/null | head -1)" == "v$ACTIONLINT_VERSION" ]]; }
go_tool_provide actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint actionlint "$ACTIONLINT" actionlint_ok "~10 s"
step "actionlint: $("$ACTIONLINT" -version | head -1)"
