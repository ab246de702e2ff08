# syntax=docker/dockerfile:1
# Images of the CHOM FinOps services, one target each; docker-compose.yml builds them all, nothing is
# built on the host:
#   docker build --target exporter -t chom-finops-exporter .   (also runs the demo seeder)
#   docker build --target reporter -t chom-finops-reporter .
#   docker build --target history  -t chom-finops-history .    (one-shot backfill of the demo history)
#   docker build --target grafana  -t chom-finops-grafana .    (Grafana with the app plugin built here)

ARG NODE_IMAGE=node:20-bookworm-slim
# Versions match the promtool the rules are tested with and the compose services.
ARG PROMETHEUS_IMAGE=prom/prometheus:v2.42.0
ARG GRAFANA_IMAGE=grafana/grafana-oss:12.4.0

FROM ${PROMETHEUS_IMAGE} AS prometheus

# Every workspace manifest, so that npm ci can check the one lockfile.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY test-support/package.json test-support/
COPY exporter/package.json exporter/
COPY alerting/package.json alerting/
COPY reporter/package.json reporter/
COPY grafana-plugin/package.json grafana-plugin/
COPY stack/package.json stack/

# Compile the exporter and the reporter (TypeScript to exporter/dist and reporter/dist).
FROM manifests AS build
RUN npm ci --no-audit --no-fund --include-workspace-root \
      --workspace=@chom/test-support --workspace=@chom/exporter --workspace=@chom/reporter \
      --workspace=@chom/alerting --workspace=@chom/stack
COPY tsconfig.json ./
COPY test-support/ test-support/
COPY exporter/ exporter/
COPY reporter/ reporter/
RUN npm run build --workspace=@chom/exporter --workspace=@chom/reporter \
 && cp exporter/src/demo/schema.sql exporter/dist/src/demo/schema.sql

# The Grafana app plugin (webpack), built in the image instead of on the host.
FROM manifests AS plugin-build
RUN npm ci --no-audit --no-fund --include-workspace-root \
      --workspace=@chom/test-support --workspace=chom-finops-app
COPY tsconfig.json ./
COPY test-support/ test-support/
COPY grafana-plugin/ grafana-plugin/
RUN npm run build --workspace=chom-finops-app && test -f grafana-plugin/dist/plugin.json

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
# glibc malloc without its dynamic mmap threshold, V8's young generation at half its default size
# (exporter/src/runtime/heap.ts, RUNTIME_ENV; docs/performance.md)
ENV MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 NODE_OPTIONS=--max-semi-space-size=8
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

# One-shot history for a new Prometheus (docs/backfill.md): the exporter's metrics at past instants,
# promtool blocks, then the recording rules, with the same commands `npm start` runs. It runs as
# Prometheus' user (nobody), so that Prometheus owns the blocks it is given.
FROM build AS history
COPY --from=prometheus /bin/prometheus /bin/promtool /usr/local/bin/
COPY alerting/ alerting/
COPY stack/ stack/
RUN mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534:65534
ENV HOME=/tmp
ENTRYPOINT ["/app/node_modules/.bin/tsx", "stack/src/compose-history.ts"]

# Grafana with the app plugin. The plugin sits outside /var/lib/grafana (a volume), so a new image
# brings its new plugin version instead of the copy an old volume holds.
FROM ${GRAFANA_IMAGE} AS grafana
ENV GF_PATHS_PLUGINS=/usr/share/grafana/chom-plugins \
    GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=chom-finops-app
COPY --from=plugin-build /app/grafana-plugin/dist /usr/share/grafana/chom-plugins/chom-finops-app
