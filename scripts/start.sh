#!/usr/bin/env bash
# The README's "run the product" command (`npm start`): prepares the machine, creates the demo
# database and fills it with the deterministic demo data, then runs the exporter against it.
# Only MariaDB and the exporter run; for the whole stack (Prometheus, Alertmanager, Grafana, reporter)
# see docs/deployment.md.
#
# Settings (environment):
#   CHOM_DEMO_SERVER_URL  MariaDB server, without a database (default mysql://root@127.0.0.1:3306)
#   CHOM_DEMO_DATABASE    demo database name (default chom_demo); created if absent
#   CHOM_DEMO_SCALE       small (default), medium or large (see docs/demo-data.md)
#   CHOM_DEMO_SEED        seed of the demo data (default 1)
#   CHOM_DEMO_RESEED      1 (default): seed again on every start, so the data is laid out around now;
#                         0: keep the tables if they are already there
#   CHOM_PORT, CHOM_LISTEN_ADDRESS, CHOM_CONFIG, CHOM_WEB_CONFIG_FILE, CHOM_LOG_LEVEL: passed to the exporter
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[start] %s\n' "$*" >&2; }

bash scripts/setup-machine.sh

server_url="${CHOM_DEMO_SERVER_URL:-mysql://root@127.0.0.1:3306}"
server_url="${server_url%/}"
database="${CHOM_DEMO_DATABASE:-chom_demo}"
scale="${CHOM_DEMO_SCALE:-small}"
seed="${CHOM_DEMO_SEED:-1}"
reseed="${CHOM_DEMO_RESEED:-1}"
if ! [[ "$database" =~ ^[A-Za-z0-9_]+$ ]]; then
  log "CHOM_DEMO_DATABASE: expected letters, digits and _ only, got '$database'"
  exit 2
fi
database_url="$server_url/$database"
tsx=node_modules/.bin/tsx

# Creates the database if absent; prints how many of the demo tables it already holds.
existing_tables=$(node -e '
  const mysql = require("mysql2/promise");
  (async () => {
    const connection = await mysql.createConnection(process.argv[1]);
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${process.argv[2]}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const [rows] = await connection.query(
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (\"teams\", \"subscriptions\", \"vps_servers\", \"sites\", \"site_bandwidth_daily\", \"email_logs\")",
      [process.argv[2]],
    );
    await connection.end();
    console.log(rows[0].n);
  })().catch((error) => { console.error(`cannot create the demo database: ${error.message}`); process.exit(1); });
' "$server_url" "$database")

if [ "$reseed" = "0" ] && [ "$existing_tables" = "6" ]; then
  log "keeping the demo data already in $database (CHOM_DEMO_RESEED=0)"
else
  log "seeding $database at $scale scale (seed $seed)"
  "$tsx" exporter/src/demo/seed.ts --database-url="$database_url" --scale="$scale" --seed="$seed"
fi

export CHOM_DATABASE_URL="$database_url"
if [ -z "${CHOM_CONFIG:-}" ] && [ -f exporter/chom-finops.example.yml ]; then
  export CHOM_CONFIG=exporter/chom-finops.example.yml
fi
port="${CHOM_PORT:-9864}"
log "running the exporter against $database (config: ${CHOM_CONFIG:-defaults}, web config: ${CHOM_WEB_CONFIG_FILE:-none: plain HTTP, no authentication})"
log "  metrics: http://127.0.0.1:$port/metrics   health: /healthz   readiness: /readyz"
log "  only MariaDB and the exporter run; the full stack is described in docs/deployment.md. Ctrl-C stops."
exec "$tsx" exporter/src/main.ts
