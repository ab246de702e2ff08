#!/usr/bin/env bash
# The README's "run the product" command (`npm start`): prepares the machine, then runs the whole
# stack without Docker (stack/src/cli.ts): a demo database with history, the exporter, Prometheus
# with the rules, Alertmanager, the reporter, a mail and notification sink, node_exporter,
# mysqld_exporter and Grafana when installed. Options after `npm start --` go to the stack
# (`npm start -- --help`); all state lives in .chom/ (or $CHOM_STATE_DIR). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

case " $* " in
  *" --help "*) exec node_modules/.bin/tsx stack/src/cli.ts --help ;;
esac
bash scripts/setup-machine.sh
exec node_modules/.bin/tsx stack/src/cli.ts "$@"
