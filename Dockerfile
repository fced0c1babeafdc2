# The CityLine app, built once: `docker compose up` uses it, so a restart does not run npm ci again.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV CITYLINE_WEB_HOST=0.0.0.0
EXPOSE 3311
HEALTHCHECK --interval=5s --timeout=3s --retries=20 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3311/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["bin/cityline", "start"]
