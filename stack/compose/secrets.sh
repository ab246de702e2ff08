#!/bin/sh
# The `secrets` one-shot service of docker-compose.yml: fills the stack's secret volumes at the first
# start, so `docker-compose up` needs no manual step. It only writes files that are missing, so
# files you put there yourself (the production way: docs/deployment.md) are never replaced.
#
#   internal credentials (database passwords, the exporter's scrape token, Grafana's admin password):
#     random values, generated whenever missing; they are as good in production as in the demo;
#   external credentials (Alertmanager's Slack URL, PagerDuty key, SMTP password, heartbeat token):
#     placeholders for the demo, only while CHOM_DEMO_SECRETS is not "false". With
#     CHOM_DEMO_SECRETS=false a missing one is an error naming the file, and nothing starts.
#
# One folder per consuming service (each a named volume mounted only where it is needed):
#   mariadb/          mariadb-root-password, mariadb-password
#   exporter/         mariadb-password, chom-exporter-token     (exporter, seed, history)
#   prometheus/       chom-exporter-token
#   mysqld-exporter/  mysqld-exporter.cnf
#   grafana/          grafana-admin-password
#   alertmanager/     slack-api-url, pagerduty-routing-key, smtp-password, heartbeat-token
set -eu

root=${CHOM_SECRETS_ROOT:-/secrets}
demo=${CHOM_DEMO_SECRETS:-true}
missing=''

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# write FILE VALUE: creates FILE (relative to the root) with VALUE unless it exists and is not empty.
write() {
  if [ -s "$root/$1" ]; then return 0; fi
  mkdir -p "$(dirname "$root/$1")"
  umask 022
  rm -f "$root/$1.tmp"
  printf '%s' "$2" >"$root/$1.tmp"
  chmod 0444 "$root/$1.tmp" # read-only, readable by the service's own user (each volume is mounted only where it is needed)
  mv "$root/$1.tmp" "$root/$1"
  echo "secrets: generated $1"
}

# existing FILE: the file's content, or nothing.
existing() { if [ -s "$root/$1" ]; then cat "$root/$1"; fi; }

# one value shared by several files: the first that exists wins, else a new random one.
shared() {
  for file in "$@"; do
    value=$(existing "$file")
    if [ -n "$value" ]; then
      printf '%s' "$value"
      return 0
    fi
  done
  random_hex 24
}

# Internal credentials. Hex only: the database password becomes part of a mysql:// URL.
write mariadb/mariadb-root-password "$(random_hex 24)"
db_password=$(shared mariadb/mariadb-password exporter/mariadb-password)
write mariadb/mariadb-password "$db_password"
write exporter/mariadb-password "$db_password"
write mysqld-exporter/mysqld-exporter.cnf "$(printf '[client]\nhost=mariadb\nport=3306\nuser=chom\npassword=%s\n' "$db_password")"
token=$(shared exporter/chom-exporter-token prometheus/chom-exporter-token)
write exporter/chom-exporter-token "$token"
write prometheus/chom-exporter-token "$token"
write grafana/grafana-admin-password "$(random_hex 16)"

# External credentials: placeholders for the demo only.
for name in slack-api-url pagerduty-routing-key smtp-password heartbeat-token; do
  if [ -s "$root/alertmanager/$name" ]; then continue; fi
  if [ "$demo" = false ]; then
    missing="$missing alertmanager/$name"
    continue
  fi
  case $name in
    slack-api-url) write "alertmanager/$name" 'https://hooks.slack.com/services/T000/B000/DEMO-PLACEHOLDER' ;;
    *) write "alertmanager/$name" 'demo-placeholder' ;;
  esac
done

# Files that must agree: a mismatch would fail later with a 401 or a refused login.
mismatch=''
[ "$(existing exporter/chom-exporter-token)" = "$(existing prometheus/chom-exporter-token)" ] ||
  mismatch="$mismatch exporter/chom-exporter-token and prometheus/chom-exporter-token differ;"
[ "$(existing exporter/mariadb-password)" = "$(existing mariadb/mariadb-password)" ] ||
  mismatch="$mismatch exporter/mariadb-password and mariadb/mariadb-password differ;"

if [ -n "$missing" ]; then
  echo "secrets: CHOM_DEMO_SECRETS=false and these files are missing:$missing (see docs/deployment.md, Secrets)" >&2
  exit 1
fi
if [ -n "$mismatch" ]; then
  echo "secrets:$mismatch put the same value in both (see docs/deployment.md, Secrets)" >&2
  exit 1
fi
echo "secrets: ready in $root"
