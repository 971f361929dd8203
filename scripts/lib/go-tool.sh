# Sourced by the provision scripts: their progress and failure lines, and Go tools built with
# `go install` (through the Go module proxy, never a binary download), with progress lines, into
# a machine-wide cache that outlives fresh clones on a kept machine.
#
#   go_tool_install LABEL MODULE@VERSION BINARY CACHED_PATH [LDFLAGS]
#   go_tool_provide LABEL VERSION MODULE BINARY TARGET OK_FN COLD_HINT [LDFLAGS]

# Built binaries outlive a fresh clone on a kept machine; nothing depends on this cache existing.
MACHINE_CACHE="${VALERIX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/valerix}"

step() { printf '\033[1m[provision]\033[0m %s\n' "$*"; }
fail() {
  printf '\033[31m[provision] %s\033[0m\n' "$1" >&2
  printf '  how to fix: %s\n' "$2" >&2
  exit 1
}

go_tool_install() {
  local label="$1" module="$2" binary="$3" cached="$4" ldflags="${5:-}"
  command -v go >/dev/null || fail "Go is missing, needed to build $label" \
    "install Go >= 1.25 (https://go.dev/dl), then run this again"
  local build_dir build_log build_pid build_start
  build_dir="$(mktemp -d)"
  build_log="$build_dir/build.log"
  ( cd "$build_dir" && GOBIN="$build_dir" go install -v ${ldflags:+-ldflags "$ldflags"} "$module" ) >"$build_log" 2>&1 &
  build_pid=$!
  build_start=$SECONDS
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 5
    printf '  %4ds: %4d modules downloaded, %4d packages built\n' $((SECONDS - build_start)) \
      "$(grep -c '^go: downloading' "$build_log" || true)" "$(grep -vc '^go: ' "$build_log" || true)"
  done
  if ! wait "$build_pid" || [[ ! -x "$build_dir/$binary" ]]; then
    tail -20 "$build_log" >&2
    fail "go install of $label failed (log above)" \
      "check that the Go module proxy is reachable (go env GOPROXY), then run this again"
  fi
  mkdir -p "$(dirname "$cached")"
  mv "$build_dir/$binary" "$cached"
  rm -rf "$build_dir"
}

# Puts BINARY of VERSION at TARGET unless OK_FN (called with a path) says it is there already:
# from the machine cache when it holds that version, else built with go_tool_install (MODULE@vVERSION).
go_tool_provide() {
  local label="$1" version="$2" module="$3" binary="$4" target="$5" ok_fn="$6" cold_hint="$7" ldflags="${8:-}"
  "$ok_fn" "$target" && return 0
  local cached="$MACHINE_CACHE/$(basename "$target")-$version"
  mkdir -p "$(dirname "$target")" "$MACHINE_CACHE"
  if "$ok_fn" "$cached"; then
    step "$label $version from the machine cache"
  else
    step "building $label $version with go install (cold: $cold_hint)"
    go_tool_install "$label" "$module@v$version" "$binary" "$cached" "$ldflags"
  fi
  cp "$cached" "$target"
}
