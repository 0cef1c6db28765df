# Build: compile TypeScript to dist/ (production runs plain Node: no TypeScript loader in memory).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` builds from src/, which is copied below and built by `npm run build`.
# (The dependencies' own install scripts only check versions: Baileys' Node check, protobufjs'.)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.ts scripts/pglite-cluster.ts ./scripts/
RUN npm run build

# Run: production dependencies only (no tsx, no TypeScript), the compiled program and the migrations.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
# The embedded database lives in /data, the only place the program writes. It belongs to the image's
# unprivileged `node` user (uid 1000): a Docker volume mounted there starts with this ownership, and
# Fly mounts its volume for the image's user. The program and its dependencies stay root's, read-only.
ENV DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
# Both roles in one process by default; fly.toml's [processes] can run `bot` and `bridge` apart
# (a process group's command replaces CMD, the role).
ENTRYPOINT ["node", "dist/main.js"]
CMD ["all"]
