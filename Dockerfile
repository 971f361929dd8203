# syntax=docker/dockerfile:1
#
# One image for every Valerix process; the first argument picks it:
#   docker run IMAGE gateway | inventory | worker | web | migrate | clients ...
#   docker run IMAGE backup | restore-drill | reconcile    (backup/cli.ts; the k8s CronJob runs `backup`)
#
# Why one image and not four: the services share one package.json and lockfile, one
# node_modules (Temporal's native bridge and Prisma alone are most of it) and most of their
# code (shared/, the Prisma client, the wire schemas). Four images would hold four copies of
# the same layers, and they are built, versioned and rolled out together anyway. In a registry
# and on a node the shared layers are stored once.
#
# How it runs: the build stage bundles each TypeScript entry into one ESM file (esbuild, via
# deploy/image/build.mjs) with the packages left external, so the final stage runs plain
# `node` on JavaScript with production dependencies only: no tsx, no TypeScript, no transpiling
# at start (tsx is a devDependency, and it would also want a writable cache directory).
#
# At run time: user 10001 (not root), tini as PID 1 (forwards signals so the services' graceful
# shutdown runs, reaps zombies), nothing written outside /tmp, so the root filesystem can be
# read-only with an emptyDir/tmpfs on /tmp. Every service listens on 0.0.0.0.
#
# Build: docker build -t valerix .          (BASE_IMAGE must provide node 20 and npm; Debian-based)
#        buildah bud --format docker ...     (podman/buildah: HEALTHCHECK exists in the Docker image
#                                             format only; their default, OCI, drops it with a warning)
ARG BASE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, Prisma client, dashboard, service bundles, workflow bundle ----
FROM ${BASE_IMAGE} AS build
WORKDIR /src
ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
# `prisma generate` never runs the schema engine; any executable file satisfies its check (offline).
# A path, not `command -v true`: in sh that names the builtin ("true"), which Prisma cannot resolve.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx --no-install prisma generate --schema prisma/schema.prisma >/dev/null \
 && npm run build:web --silent \
 && node --import tsx deploy/image/build.mjs dist

# ---- production dependencies only, pruned of what this platform never loads ----
FROM ${BASE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && npm cache clean --force \
 # Temporal's native bridge ships prebuilt binaries for five platforms; keep this one's.
 && keep="$(uname -m | sed 's/arm64/aarch64/')-unknown-linux-gnu" \
 && test -f "node_modules/@temporalio/core-bridge/releases/$keep/index.node" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \
 && rm -rf node_modules/@temporalio/core-bridge/sdk-core node_modules/@temporalio/core-bridge/src \
 # The generated client loads only the PostgreSQL query compiler (generated/orders-client/internal/class.ts).
 && find node_modules/@prisma/client/runtime -name 'query_compiler_*' ! -name 'query_compiler_fast_bg.postgresql.*' -delete \
 # @prisma/client names the Prisma CLI and TypeScript as optional peers; both are devDependencies here,
 # so npm marks them (and all they pull in: Prisma Studio, effect, pglite, ...) "devOptional" and keeps
 # them under --omit=dev: about 220 MB the services never load. --omit=optional would drop them but
 # also real optional dependencies, so exactly the devOptional packages of npm's own tree go.
 && node -e 'const fs = require("fs"); const { packages } = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")); for (const [dir, meta] of Object.entries(packages)) if (meta.devOptional) fs.rmSync(dir, { recursive: true, force: true });' \
 && test ! -e node_modules/prisma && test -d node_modules/@prisma/client

# ---- runtime ----
FROM ${BASE_IMAGE} AS runtime
# postgresql-client: pg_dump, pg_dumpall and pg_restore for `backup` and `restore-drill`
# (backup/pg-tools.ts runs them from /usr/lib/postgresql/<version>/bin). Debian bookworm's is 15:
# pg_dump refuses a server newer than itself, so a newer Postgres needs a newer client here.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tini postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 valerix \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin valerix \
 # npm and corepack: never used at run time (the services start with node), so not offered either.
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/lib/node_modules/corepack /usr/local/bin/corepack
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    TMPDIR=/tmp \
    HOME=/tmp \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    GATEWAY_HOST=0.0.0.0 \
    INVENTORY_HOST=0.0.0.0 \
    WORKER_HTTP_HOST=0.0.0.0 \
    HOST=0.0.0.0
# Owned by root and read-only to the service user: the code cannot be changed at run time.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/build ./web/build
COPY --from=build /src/prisma/migrations ./prisma/migrations
COPY --from=build /src/api/inventory/migrations ./api/inventory/migrations
COPY --from=build /src/deploy/image/entrypoint.sh /src/deploy/image/healthcheck.mjs ./deploy/image/
USER 10001:10001
# web, gateway, inventory, worker (/health and /metrics)
EXPOSE 3000 3001 3002 3003
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/deploy/image/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/deploy/image/entrypoint.sh"]
CMD ["gateway"]
