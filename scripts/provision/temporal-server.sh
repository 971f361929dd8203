#!/usr/bin/env bash
# Installs what the stack's real Temporal server mode (`npm start -- --temporal server`, the
# deployment suite) needs, when missing:
#   temporal-server     go.temporal.io/server/cmd/server, the frontend, history, matching and
#                       worker services (cold build ~5 min on 2 cores)
#   temporal-sql-tool   go.temporal.io/server/cmd/tools/sql, creates and upgrades the schema
#   temporal-ui-server  github.com/temporalio/ui-server/v2/cmd/server, the Web UI (UI assets embedded)
#   schema              the versioned Postgres schema shipped in the server module, into
#                       .tools/temporal-schema/<version>
# The server version matches the one the pinned Temporal CLI embeds for the dev server.
# Idempotent; binaries of the pinned version in .tools/bin or the machine cache are used as they
# are. Called by `npm start -- --temporal server` and `npm run test:deploy`; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
TEMPORAL_SERVER_VERSION="1.29.1"
TEMPORAL_UI_VERSION="2.42.1"
TOOLS_BIN="$ROOT/.tools/bin"
SCHEMA_DIR="$ROOT/.tools/temporal-schema/$TEMPORAL_SERVER_VERSION"

SERVER="$TOOLS_BIN/temporal-server"
server_ok() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q " $TEMPORAL_SERVER_VERSION"; }
go_tool_provide "Temporal server" "$TEMPORAL_SERVER_VERSION" go.temporal.io/server/cmd/server server "$SERVER" server_ok \
  "~5 min on 2 cores"
step "Temporal server: $("$SERVER" --version)"

SQL_TOOL="$TOOLS_BIN/temporal-sql-tool"
sql_tool_ok() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q " $TEMPORAL_SERVER_VERSION"; }
go_tool_provide "Temporal sql tool" "$TEMPORAL_SERVER_VERSION" go.temporal.io/server/cmd/tools/sql sql "$SQL_TOOL" sql_tool_ok \
  "~10 s after the server"
step "Temporal sql tool: $("$SQL_TOOL" --version)"

UI_SERVER="$TOOLS_BIN/temporal-ui-server"
ui_ok() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q " $TEMPORAL_UI_VERSION"; }
go_tool_provide "Temporal Web UI server" "$TEMPORAL_UI_VERSION" github.com/temporalio/ui-server/v2/cmd/server server "$UI_SERVER" ui_ok \
  "~1 min"
step "Temporal Web UI server: $("$UI_SERVER" --version)"

# --- schema ------------------------------------------------------------------------
schema_ok() { [[ -f "$1/VERSION" && "$(cat "$1/VERSION")" == "$TEMPORAL_SERVER_VERSION" ]]; }
if ! schema_ok "$SCHEMA_DIR"; then
  CACHED="$MACHINE_CACHE/temporal-schema-$TEMPORAL_SERVER_VERSION"
  if schema_ok "$CACHED"; then
    step "Temporal schema $TEMPORAL_SERVER_VERSION from the machine cache"
  else
    step "Temporal schema $TEMPORAL_SERVER_VERSION from the server module (go mod download)"
    module_dir="$(cd "$(mktemp -d)" && go mod download -json "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" \
      || fail "could not download go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" \
        "check that the Go module proxy is reachable (go env GOPROXY), then run this again"
    rm -rf "$CACHED.tmp"
    mkdir -p "$CACHED.tmp"
    cp -r "$module_dir/schema/postgresql" "$CACHED.tmp/"
    chmod -R u+w "$CACHED.tmp"
    echo "$TEMPORAL_SERVER_VERSION" >"$CACHED.tmp/VERSION"
    rm -rf "$CACHED"
    mv "$CACHED.tmp" "$CACHED"
  fi
  rm -rf "$SCHEMA_DIR"
  mkdir -p "$(dirname "$SCHEMA_DIR")"
  cp -r "$MACHINE_CACHE/temporal-schema-$TEMPORAL_SERVER_VERSION" "$SCHEMA_DIR"
fi
step "Temporal schema: .tools/temporal-schema/$(cat "$SCHEMA_DIR/VERSION")"
