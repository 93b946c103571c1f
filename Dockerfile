# chatwoot-hermes-bot: the bot and its CLI, production dependencies only, run as a non-root user.
#
#   docker build -t chatwoot-hermes-bot .
#   docker build --build-arg BASE=my-registry/node:24-bookworm-slim -t chatwoot-hermes-bot .
#
# BASE is any Debian bookworm image with Node 24 and npm in /usr/local, as the official node images
# lay them out (headers in /usr/local/include/node). Where no registry can be reached,
# scripts/test-docker-base.sh builds one from Debian's and npm's packages (README, "Docker").
# No `# syntax=` line: the classic builder and BuildKit both read this file, and neither has to pull a
# frontend image first.
ARG BASE=node:24-bookworm-slim

FROM ${BASE} AS build
LABEL org.opencontainers.image.title=chatwoot-hermes-bot
WORKDIR /app
# better-sqlite3 is a native addon compiled here for this exact Node; the slim images have no compiler.
# Built from source on purpose: the prebuilt binary would be downloaded from outside the npm registry.
RUN if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
      && rm -rf /var/lib/apt/lists/*; \
    fi
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true \
    npm_config_update_notifier=false

# Dependencies first, so a change to src/ reuses this layer. --ignore-scripts skips `prepare` (it needs
# src/) and the dev tools' install steps; only the native addon needs its own build.
COPY package.json package-lock.json ./
COPY scripts/check-node.cjs scripts/check-node.cjs
RUN node scripts/check-node.cjs \
    && npm ci --ignore-scripts --no-audit --no-fund \
    && npm rebuild better-sqlite3 \
    && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# --omit=optional too: TypeScript (23 MB) stays otherwise, as an optional peer of graphile-worker's
# config loader, and pg-cloudflare only serves Cloudflare Workers. better-sqlite3 (13) loads the Linux
# addon its npm package ships in prebuilds/; its SQLite sources and the other systems' addons are not
# needed to run.
RUN npm run build \
    && npm prune --omit=dev --omit=optional --no-audit --no-fund \
    && cd node_modules/better-sqlite3 \
    && rm -rf deps src prebuilds/darwin-* prebuilds/win32-* \
    && cd /app && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

FROM ${BASE} AS runtime
LABEL org.opencontainers.image.title=chatwoot-hermes-bot
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
# A fixed uid/gid, so a host folder or volume can be given to it (chown 10001:10001).
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home --shell /usr/sbin/nologin bot \
    && mkdir -p /data && chown bot:bot /data \
    && ln -s /app/dist/src/cli/index.js /usr/local/bin/chatwoot-hermes-bot
# Owned by root and read-only to the bot: the code cannot be changed by the process that runs it.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.json ./
# The bot panel's page (src/dashboard/assets.ts finds it beside package.json).
COPY public ./public
RUN chmod 0755 dist/src/cli/index.js

# The embedded SQLite store (when DATABASE_URL is empty): keep it on a volume, one container only.
VOLUME ["/data"]
USER bot
EXPOSE 3000

# Ready = the store can write now (GET /readyz). node's own fetch: the slim images have no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form, so node is PID 1 and receives `docker stop`'s SIGTERM itself. That works because
# src/main.ts installs its own SIGTERM/SIGINT handlers (PID 1 gets no default signal action from the
# kernel): it drains in-flight turns for up to SHUTDOWN_GRACE_MS (20 s) and exits 0. Give the
# container more than that before SIGKILL: `docker stop -t 30`, compose `stop_grace_period: 30s`.
# The bot starts no child processes, so no init is needed to reap zombies (`--init` is harmless).
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=2", "dist/src/main.js"]
