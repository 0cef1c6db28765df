# Build: compile TypeScript to dist/ (production runs plain Node: no TypeScript loader in memory).
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
# Both roles in one process by default; fly.toml's [processes] can run `bot` and `bridge` apart.
ENTRYPOINT ["node", "dist/main.js"]
CMD ["all"]
