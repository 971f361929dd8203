#!/usr/bin/env bash
# Installs what the deployment suite's kubernetes project (tests/deploy/k8s: `kubectl apply
# --dry-run=server` of every overlay against a real kube-apiserver) needs, when missing:
#   kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver (cold build ~7 min on 2 cores)
#   kubectl         k8s.io/kubernetes/cmd/kubectl (~1 min after the apiserver)
#   etcd            go.etcd.io/etcd/server/v3/etcdmain (~1.5 min), the apiserver's storage
# into .tools/bin, built with `go build` from the modules in scripts/provision/kube-tools/, whose
# go.mod and go.sum pin every dependency. `go install k8s.io/kubernetes/...@version` does not
# work: Kubernetes' go.mod has replace directives, which the tools module restates.
# Idempotent: a binary of the pinned version already in .tools/bin, or in the machine cache, is
# used as it is. Called by `npm run test:deploy`; runs on its own too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"
# Must match the require lines of kube-tools/go.mod and kube-tools/etcd/go.mod.
KUBERNETES_VERSION="1.37.2"
ETCD_VERSION="3.6.16"
MODULE_DIR="$ROOT/scripts/provision/kube-tools"
ETCD_MODULE_DIR="$MODULE_DIR/etcd"
TOOLS_BIN="$ROOT/.tools/bin"

grep -Eq "^(require )?[[:space:]]*k8s.io/kubernetes v$KUBERNETES_VERSION( |\$)" "$MODULE_DIR/go.mod" \
  || fail "scripts/provision/kube-tools/go.mod does not require k8s.io/kubernetes v$KUBERNETES_VERSION" \
    "set KUBERNETES_VERSION in this script and the module's require and replace lines to the same release, then go mod tidy there"
grep -Eq "^(require )?[[:space:]]*go.etcd.io/etcd/server/v3 v$ETCD_VERSION( |\$)" "$ETCD_MODULE_DIR/go.mod" \
  || fail "scripts/provision/kube-tools/etcd/go.mod does not require go.etcd.io/etcd/server/v3 v$ETCD_VERSION" \
    "set ETCD_VERSION in this script and the module's require line to the same release, then go mod tidy there"

# Without the version stamped in, both report v0.0.0-master and kubectl cannot parse it.
KUBE_LDFLAGS=""
for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  KUBE_LDFLAGS+=" -X $package.gitVersion=v$KUBERNETES_VERSION -X $package.gitMajor=${KUBERNETES_VERSION%%.*}"
  KUBE_LDFLAGS+=" -X $package.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $package.gitTreeState=clean"
done

# go_module_build LABEL MODULE_DIR PACKAGE CACHED_PATH [LDFLAGS]: `go build` PACKAGE with the
# dependency versions of the module in MODULE_DIR (its go.sum must be complete: -mod=readonly),
# with progress lines, into CACHED_PATH.
go_module_build() {
  local label="$1" module_dir="$2" package="$3" cached="$4" ldflags="${5:-}"
  local build_dir build_start=$SECONDS
  build_dir="$(mktemp -d)"
  go_with_progress "$label" "go build" "$build_dir" \
    env -C "$module_dir" go build -v -mod=readonly -buildvcs=false -trimpath -ldflags "-s -w $ldflags" -o "$build_dir/binary" "$package"
  [[ -x "$build_dir/binary" ]] || fail "go build of $label made no binary" "run this again; if it persists, report it"
  step "$label built in $((SECONDS - build_start)) s"
  mkdir -p "$(dirname "$cached")"
  # Never a half-copied binary in the cache: copy beside it, then rename.
  cp "$build_dir/binary" "$cached.partial.$$"
  mv "$cached.partial.$$" "$cached"
  rm -rf "$build_dir"
}

# kube_tool_provide LABEL VERSION MODULE_DIR PACKAGE TARGET OK_FN COLD_HINT [LDFLAGS]: TARGET of
# VERSION unless OK_FN (called with a path) finds it there already; from the machine cache when it
# holds that version, else built with go_module_build.
kube_tool_provide() {
  local label="$1" version="$2" module_dir="$3" package="$4" target="$5" ok_fn="$6" cold_hint="$7" ldflags="${8:-}"
  "$ok_fn" "$target" && return 0
  local cached
  cached="$MACHINE_CACHE/$(basename "$target")-$version"
  mkdir -p "$(dirname "$target")" "$MACHINE_CACHE"
  if "$ok_fn" "$cached"; then
    step "$label $version from the machine cache"
  else
    step "building $label $version with go build (cold: $cold_hint)"
    go_module_build "$label" "$module_dir" "$package" "$cached" "$ldflags"
    "$ok_fn" "$cached" || fail "the $label just built does not report version $version" \
      "check the version stamping in scripts/provision/kube-tools.sh, then run this again"
  fi
  cp "$cached" "$target"
}

# --- kube-apiserver ----------------------------------------------------------------
APISERVER="$TOOLS_BIN/kube-apiserver"
apiserver_ok() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "Kubernetes v$KUBERNETES_VERSION" ]]; }
kube_tool_provide kube-apiserver "$KUBERNETES_VERSION" "$MODULE_DIR" k8s.io/kubernetes/cmd/kube-apiserver "$APISERVER" apiserver_ok \
  "~7 min on 2 cores" "$KUBE_LDFLAGS"
step "kube-apiserver: $("$APISERVER" --version)"

# --- kubectl ----------------------------------------------------------------------
KUBECTL="$TOOLS_BIN/kubectl"
kubectl_ok() { [[ -x "$1" ]] && grep -qx "Client Version: v$KUBERNETES_VERSION" <<<"$("$1" version --client 2>/dev/null)"; }
kube_tool_provide kubectl "$KUBERNETES_VERSION" "$MODULE_DIR" k8s.io/kubernetes/cmd/kubectl "$KUBECTL" kubectl_ok \
  "~1 min after kube-apiserver" "$KUBE_LDFLAGS"
step "kubectl: $("$KUBECTL" version --client | head -1)"

# --- etcd -------------------------------------------------------------------------
ETCD="$TOOLS_BIN/etcd"
etcd_ok() { [[ -x "$1" ]] && grep -qx "etcd Version: $ETCD_VERSION" <<<"$("$1" --version 2>/dev/null)"; }
kube_tool_provide etcd "$ETCD_VERSION" "$ETCD_MODULE_DIR" valerix.local/kube-tools/etcd "$ETCD" etcd_ok "~1.5 min"
step "etcd: $("$ETCD" --version | head -1)"
