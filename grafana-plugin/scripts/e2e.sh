#!/usr/bin/env bash
# Runs the Playwright specs (grafana-plugin/tests) against the docker-compose stack of the repository:
#   1. builds the plugin (the stack mounts grafana-plugin/dist into Grafana; E2E_SKIP_BUILD=1 skips it),
#   2. `docker compose up -d` from the repository root,
#   3. waits for Grafana's /api/health, then for Prometheus to have the exporter up and the first
#      chom:cost_monthly:sum from the recording rules,
#   4. runs `npx playwright test` from grafana-plugin/ (extra arguments are passed on),
#   5. tears the stack down with `docker compose down` (volumes are kept), unless it was already running
#      before the script started or E2E_KEEP_STACK=1.
#
# Needs: Docker with the compose plugin (or docker-compose), the secrets/ files of docs/deployment.md,
# and a Chromium at $CHROMIUM_PATH (default /usr/bin/chromium, Debian's `chromium` package).
# Environment: GRAFANA_URL (http://localhost:3000), PROMETHEUS_URL (http://localhost:9090),
# E2E_WAIT_SECONDS (300), GRAFANA_ADMIN_USER (admin), GRAFANA_ADMIN_PASSWORD (secrets/grafana-admin-password).
set -euo pipefail

plugin_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(cd "$plugin_dir/.." && pwd)"
GRAFANA_URL="${GRAFANA_URL:-http://localhost:3000}"
PROMETHEUS_URL="${PROMETHEUS_URL:-http://localhost:9090}"
wait_seconds="${E2E_WAIT_SECONDS:-300}"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

log() { printf '[e2e] %s\n' "$*" >&2; }
fail() {
  printf '[e2e] ERROR: %s\n' "$*" >&2
  exit 1
}

# ---- prerequisites: nothing is started before all of them are met
if ! command -v docker >/dev/null 2>&1; then
  fail "docker is not installed. The e2e specs run against the docker-compose stack (Grafana, Prometheus,
  the exporter). Install Docker, or start a Grafana with the app yourself and run
  'GRAFANA_URL=... npx playwright test' from grafana-plugin/."
fi
if ! docker info >/dev/null 2>&1; then
  fail "the Docker engine is not reachable ('docker info' failed): start the Docker daemon, or check
  the permissions on its socket."
fi
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "neither 'docker compose' nor 'docker-compose' is available."
fi
if [ ! -x "$chromium" ]; then
  fail "no Chromium at $chromium: install Debian's chromium package (apt-get install chromium) or set
  CHROMIUM_PATH. Playwright's own browser download is not used."
fi
for secret in mariadb-root-password mariadb-password mysqld-exporter.cnf grafana-admin-password alertmanager; do
  [ -e "$repo_root/secrets/$secret" ] ||
    fail "secrets/$secret is missing: create the secret files as described in docs/deployment.md."
done

export GRAFANA_URL
export GRAFANA_ADMIN_USER="${GRAFANA_ADMIN_USER:-admin}"
if [ -z "${GRAFANA_ADMIN_PASSWORD:-}" ]; then
  GRAFANA_ADMIN_PASSWORD="$(tr -d '\r\n' <"$repo_root/secrets/grafana-admin-password")"
fi
export GRAFANA_ADMIN_PASSWORD
export CHROMIUM_PATH="$chromium"

# ---- build the plugin the stack mounts
if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
  log "building the plugin (npm run build -w grafana-plugin)"
  (cd "$repo_root" && npm run build -w grafana-plugin >/dev/null)
fi
[ -f "$plugin_dir/dist/module.js" ] || fail "grafana-plugin/dist/module.js is missing: run npm run build -w grafana-plugin."

# ---- start the stack
cd "$repo_root"
already_running=0
if [ -n "$("${compose[@]}" ps -q grafana 2>/dev/null)" ]; then
  already_running=1
fi
teardown() {
  if [ "$already_running" = 1 ] || [ "${E2E_KEEP_STACK:-0}" = 1 ]; then
    log "leaving the stack running"
  else
    log "stopping the stack (${compose[*]} down)"
    (cd "$repo_root" && "${compose[@]}" down) || log "could not stop the stack"
  fi
}
trap teardown EXIT

log "starting the stack (${compose[*]} up -d)"
"${compose[@]}" up -d

# wait_for DESCRIPTION COMMAND...: retries COMMAND every 3 s for up to $wait_seconds.
wait_for() {
  local what="$1"
  shift
  local deadline=$((SECONDS + wait_seconds))
  log "waiting for $what"
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "$what: not ready after ${wait_seconds}s (E2E_WAIT_SECONDS). See '${compose[*]} logs'."
    fi
    sleep 3
  done
}

grafana_healthy() {
  curl -fsS "$GRAFANA_URL/api/health" | grep -q '"database": *"ok"'
}

# prometheus_has QUERY: the instant query returns at least one series.
prometheus_has() {
  curl -fsS --get --data-urlencode "query=$1" "$PROMETHEUS_URL/api/v1/query" |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const r=JSON.parse(s);process.exit(r.status==="success"&&r.data.result.length>0?0:1)})'
}

wait_for "Grafana health ($GRAFANA_URL/api/health)" grafana_healthy
wait_for "the exporter to be up in Prometheus (chom_exporter_up == 1)" prometheus_has 'chom_exporter_up == 1'
wait_for "the recording rules (chom:cost_monthly:sum)" prometheus_has 'chom:cost_monthly:sum'

# ---- run the specs
cd "$plugin_dir"
log "running npx playwright test $*"
status=0
npx playwright test "$@" || status=$?
if [ "$status" -ne 0 ]; then
  log "Playwright failed (exit $status): the report is in grafana-plugin/playwright-report (npx playwright show-report)"
fi
exit "$status"
