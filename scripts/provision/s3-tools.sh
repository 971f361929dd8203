#!/usr/bin/env bash
# Installs the S3-compatible server the backup tests upload to, when missing: versitygw
# (Apache-2.0; its posix backend honours If-None-Match: *, unlike s3rver), built with
# `go install` into .tools/bin. Idempotent: the pinned version already in .tools/bin, or in the
# machine cache, is used as it is. Called by scripts/provision.sh --for-tests; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
VERSITYGW_VERSION="1.8.0"
TOOLS_BIN="$ROOT/.tools/bin"

VERSITYGW="$TOOLS_BIN/versitygw"
versitygw_ok() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q "$VERSITYGW_VERSION"; }
go_tool_provide versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw/cmd/versitygw versitygw "$VERSITYGW" versitygw_ok \
  "~2 min on 2 cores" "-X main.Version=$VERSITYGW_VERSION"
step "versitygw: $("$VERSITYGW" --version | head -1)"
