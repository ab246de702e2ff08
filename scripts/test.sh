#!/usr/bin/env bash
# Runs every test of the project after installing and starting what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-machine.sh

echo "== lint and types (setup took ${SECONDS} s)"
npx eslint .
# The plugin keeps create-plugin's own ESLint config (@grafana/eslint-config); the root config skips it.
npm run lint -w grafana-plugin
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npm run typecheck --workspaces --if-present

echo "== tests (${SECONDS} s so far)"
npm test --workspaces --if-present
echo "== every test passed in ${SECONDS} s (CI's budget: 20 minutes)"
