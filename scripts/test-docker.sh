#!/usr/bin/env bash
# npm run test:docker: builds the image and tests it for real (scripts/test-docker.ts).
#   1. Docker: installs Debian's docker.io when there is no engine, starts dockerd when none runs
#      (both need root; a daemon this script started is stopped again at the end).
#   2. The base image: no registry is reachable here, so scripts/test-docker-base.sh builds a Node 24
#      Debian bookworm image locally, once (cached by its tag).
#   3. The bot's image from the Dockerfile with --build-arg BASE=<that image>; prints its size.
#   4. Runs the container against the test fakes (scripts/test-docker.ts). Exits non-zero on any failure.
# Settings: IMAGE (default chatwoot-hermes-bot:test), BASE_IMAGE (skip step 2 and use this one).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-chatwoot-hermes-bot:test}"
BASE_IMAGE="${BASE_IMAGE:-}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/chatwoot-hermes-bot-dockerd.log}"
# The classic builder: BuildKit would first need a buildx plugin, which Debian's docker.io lacks.
export DOCKER_BUILDKIT=0

need_root() {
  [ "$(id -u)" = 0 ] || { echo "!! $1 needs root; run as root or start Docker first" >&2; exit 1; }
}

if ! command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
  need_root "installing docker.io"
  echo "== installing Debian's docker.io"
  # With its recommended packages, as tested (apparmor's parser among them: dockerd needs it where
  # the kernel enables AppArmor).
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
fi

DOCKERD_PID=""
stop_dockerd() {
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    echo "== stopping the dockerd this script started"
    kill -TERM "$DOCKERD_PID"
    for _ in $(seq 1 30); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 1; done
  fi
}
trap stop_dockerd EXIT

if ! docker info >/dev/null 2>&1; then
  need_root "starting dockerd"
  echo "== starting dockerd (log: $DOCKERD_LOG)"
  # setsid + its own log file: the daemon must not hold this script's output open.
  setsid dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -n 30 "$DOCKERD_LOG" >&2; echo "!! dockerd did not start" >&2; exit 1; }
fi
echo "== docker engine $(docker version --format '{{.Server.Version}}')"

if [ -z "$BASE_IMAGE" ]; then
  BASE_IMAGE="chatwoot-hermes-bot-base:node24-bookworm"
  bash scripts/test-docker-base.sh "$BASE_IMAGE"
fi

echo "== docker build --build-arg BASE=$BASE_IMAGE -t $IMAGE"
started=$(date +%s)
# --network host: the build reaches Debian's mirror and the npm registry as this machine does.
# The build stage gets a tag of its own, so that it stays as the next run's cache (the native addon
# takes minutes to compile) while the stages of earlier builds, left untagged, can be removed below.
build() {
  docker build --force-rm --network host --build-arg "BASE=$BASE_IMAGE" "$@" . >>/tmp/chatwoot-hermes-bot-docker-build.log 2>&1 \
    || { tail -n 60 /tmp/chatwoot-hermes-bot-docker-build.log >&2; echo "!! docker build failed" >&2; exit 1; }
}
: >/tmp/chatwoot-hermes-bot-docker-build.log
build --target build -t "$IMAGE-build"
build -t "$IMAGE"
echo "   built in $(( $(date +%s) - started )) s"
# Only this project's untagged images (earlier builds of the same tags) are removed.
docker image prune --force --filter "label=org.opencontainers.image.title=chatwoot-hermes-bot" >/dev/null
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(docker image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo "   image size: $(( size / 1000000 )) MB ($(( (size - base_size) / 1000000 )) MB above the base image's $(( base_size / 1000000 )) MB)"

echo "== the image against the test fakes"
npx tsx scripts/test-docker.ts "$IMAGE"
