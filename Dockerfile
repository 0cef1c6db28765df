FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY drizzle ./drizzle
# Both roles in one process by default; fly.toml's [processes] can run `bot` and `bridge` apart.
ENTRYPOINT ["node", "--import", "tsx", "src/main.ts"]
CMD ["all"]
