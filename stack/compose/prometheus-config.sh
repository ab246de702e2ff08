#!/bin/sh
# Used by the `prometheus` service of docker-compose.yml: prints the path of the configuration
# Prometheus starts with. That is alerting/prometheus.yml as it is, unless CHOM_REMOTE_WRITE_URL is
# set (the long-term storage profile, docs/long-term-storage.md): then a copy of it with a
# remote_write section, written to OUT_DIR beside links to everything next to the original (rule
# files and secrets are found relative to the configuration file). Nothing else changes: the same
# scrape jobs, rules and alerts.
#   usage: prometheus-config.sh [SOURCE] [OUT_DIR]
set -eu

source=${1:-/etc/prometheus/prometheus.yml}
out_dir=${2:-/etc/prometheus/generated}
url=${CHOM_REMOTE_WRITE_URL:-}

if [ -z "$url" ]; then
  echo "$source"
  exit 0
fi
case $url in
  http://?* | https://?*) ;;
  *)
    echo "prometheus-config: CHOM_REMOTE_WRITE_URL must be an http:// or https:// URL, got \"$url\"" >&2
    exit 1
    ;;
esac
if grep -q '^remote_write:' "$source"; then
  echo "prometheus-config: $source already has a remote_write section; unset CHOM_REMOTE_WRITE_URL or remove it" >&2
  exit 1
fi

mkdir -p "$out_dir"
for entry in "$(dirname "$source")"/*; do
  name=$(basename "$entry")
  if [ "$name" != "$(basename "$source")" ] && [ "$entry" != "$out_dir" ]; then ln -sfn "$entry" "$out_dir/$name"; fi
done
{
  cat "$source"
  printf '\n# Added because CHOM_REMOTE_WRITE_URL is set (docs/long-term-storage.md).\n'
  printf 'remote_write:\n  - url: %s\n    queue_config:\n      max_samples_per_send: 5000\n' "$url"
} >"$out_dir/prometheus.yml"
echo "$out_dir/prometheus.yml"
