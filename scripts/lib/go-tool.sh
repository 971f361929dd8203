# Sourced by the provision scripts: builds a Go tool with `go install` (through the Go module
# proxy, never a binary download), with progress lines, into a machine-wide cache that outlives
# fresh clones on a kept machine.
#
#   go_tool_install LABEL MODULE@VERSION BINARY CACHED_PATH [LDFLAGS]
#
# Calls `fail` (defined by the caller) with a fix when Go is missing or the build fails.
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
