#!/usr/bin/env bash
# Runs every test of the project after installing and starting what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-machine.sh

echo "== lint and types"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npm run typecheck --workspaces --if-present

echo "== tests"
npm test --workspaces --if-present
