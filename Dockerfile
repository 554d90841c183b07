# syntax=docker/dockerfile:1
# detractor-sync worker image. Build: docker build -t detractor-sync:0.1.0 .
# Run it against a real PostgreSQL (DATABASE_URL); docker-compose.yml wires one up.

# Node's current LTS line (Node 20 left support on 2026-04-30); the code runs on 20.19+
# too (package.json engines). Pin a digest for reproducible builds where you can.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript with the full (dev) dependency tree ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Manifests first, so editing source does not invalidate the dependency layer.
COPY package.json package-lock.json ./
# --ignore-scripts: nothing the build needs runs an install script (the embedded
# PostgreSQL's would link binaries the image never uses; @prisma/engines' would try to
# download engines the driver-adapter client does not need).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No `prisma generate` here: the Prisma client is committed generated TypeScript
# (src/generated/prisma, driver-adapter based, no native engine) that tsc compiles
# along with the rest of src/.
RUN npm run build

# ---- deps: only what `node dist/src/cli/main.js` needs ------------------------------
# A fresh install, not a prune of the dev tree: pruning keeps optional peers of
# @prisma/client (TypeScript, the Prisma CLI and its studio) and the embedded
# PostgreSQL binaries, 419 MB of node_modules where 98 MB run a sync.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts

# ---- runtime ----------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production

# The app finds its root by walking up from dist/ to a folder holding package.json
# and prisma/ (src/project-root.ts), and the worker applies prisma/migrations itself
# at start-up, so both must sit next to dist/. bin/ starts the documented npm scripts
# (`npm run status` ...) from dist/ as it is. Files stay owned by root: the service only
# reads them.
COPY package.json ./
COPY bin ./bin
COPY prisma ./prisma
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The official image ships an unprivileged `node` user (uid 1000); nothing here
# needs root.
USER node

# Status endpoint: /healthz, /readyz, /metrics and the status page (HTTP_PORT, default
# 8080, on HTTP_HOST, default 0.0.0.0).
EXPOSE 8080

# The worker's own check: it probes the status endpoint where the worker says it
# listens (whatever HTTP_HOST and HTTP_PORT, a free port included), or, with the
# endpoint off (HTTP_PORT=0), that the worker's heartbeat is fresh.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/src/cli/main.js", "healthcheck"]

# Exec form, so node is PID 1 and receives SIGTERM itself: the worker stops
# scheduling, lets the current page commit and records the run as aborted.
# Migrations run inside the worker at start, so there is no separate migrate step.
CMD ["node", "dist/src/cli/main.js", "worker"]
