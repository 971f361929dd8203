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

# Runs a go command (in the background, output to BUILD_DIR/build.log) with a progress line every
# few seconds; on failure shows the log's tail and stops. Used by go_tool_install and kube-tools.sh.
#   go_with_progress LABEL WHAT BUILD_DIR COMMAND...
go_with_progress() {
  local label="$1" what="$2" build_dir="$3"
  shift 3
  command -v go >/dev/null || fail "Go is missing, needed to build $label" \
    "install Go >= 1.25 (https://go.dev/dl), then run this again"
  local build_log="$build_dir/build.log" build_pid build_start=$SECONDS
  "$@" >"$build_log" 2>&1 &
  build_pid=$!
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 5
    printf '  %4ds: %4d modules downloaded, %4d packages built\n' $((SECONDS - build_start)) \
      "$(grep -c '^go: downloading' "$build_log" || true)" "$(grep -vc '^go: ' "$build_log" || true)"
  done
  if ! wait "$build_pid"; then
    tail -20 "$build_log" >&2
    fail "$what of $label failed (log above)" \
      "check that the Go module proxy is reachable (go env GOPROXY), then run this again"
  fi
}

go_tool_install() {
  local label="$1" module="$2" binary="$3" cached="$4" ldflags="${5:-}"
  local build_dir
  build_dir="$(mktemp -d)"
  go_with_progress "$label" "go install" "$build_dir" \
    env -C "$build_dir" GOBIN="$build_dir" go install -v ${ldflags:+-ldflags "$ldflags"} "$module"
  [[ -x "$build_dir/$binary" ]] || fail "go install of $label made no $binary" "run this again; if it persists, report it"
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
