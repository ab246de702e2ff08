# syntax=docker/dockerfile:1
# Images of the CHOM FinOps services, one target each:
#   docker build --target exporter -t chom-finops-exporter .   (also runs the demo seeder)
#   docker build --target reporter -t chom-finops-reporter .
# docker-compose.yml builds both. The Grafana plugin is built on the host (grafana-plugin/dist) and
# mounted into the stock Grafana image.

ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace manifest, so that npm ci can check the one lockfile.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY test-support/package.json test-support/
COPY exporter/package.json exporter/
COPY alerting/package.json alerting/
COPY reporter/package.json reporter/
COPY grafana-plugin/package.json grafana-plugin/

# Compile the exporter and the reporter (TypeScript to exporter/dist and reporter/dist).
FROM manifests AS build
RUN npm ci --no-audit --no-fund --include-workspace-root \
      --workspace=@chom/test-support --workspace=@chom/exporter --workspace=@chom/reporter
COPY tsconfig.json ./
COPY test-support/ test-support/
COPY exporter/ exporter/
COPY reporter/ reporter/
RUN npm run build --workspace=@chom/exporter --workspace=@chom/reporter \
 && cp exporter/src/demo/schema.sql exporter/dist/src/demo/schema.sql

# Production dependencies only.
FROM manifests AS runtime-deps
RUN npm ci --no-audit --no-fund --omit=dev --workspace=@chom/exporter --workspace=@chom/reporter \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=runtime-deps /app/ ./

# The exporter, and the demo seeder (node exporter/dist/src/demo/seed.js --database-url=…).
FROM runtime AS exporter
COPY --from=build /app/exporter/dist exporter/dist
COPY exporter/chom-finops.example.yml exporter/
USER node
ENV CHOM_PORT=9864 CHOM_LISTEN_ADDRESS=0.0.0.0
EXPOSE 9864
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CHOM_PORT || 9864) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "exporter/dist/src/main.js"]

# The scheduled PDF/CSV reporter.
FROM runtime AS reporter
COPY --from=build /app/reporter/dist reporter/dist
RUN mkdir -p /var/lib/chom-reporter && chown node:node /var/lib/chom-reporter
USER node
# /metrics and /healthz of `serve` (--listen, default 0.0.0.0:9865).
EXPOSE 9865
ENTRYPOINT ["node", "reporter/dist/src/cli.js"]
CMD ["serve"]
