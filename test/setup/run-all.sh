#!/usr/bin/env bash
# `npm test`: installs what the suites need (npm packages, Debian's ClickHouse, Prometheus and
# Alertmanager), then runs the linters, the type checker, the build and every vitest suite.
# Any missing tool fails the run loudly; no suite is skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n==> %s\n' "$*"; }

# `npm install` rather than `npm ci`: the lock file records only this platform's DuckDB binding,
# which `npm ci` refuses while `npm install` installs exactly the locked versions.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm install"
  npm install --no-audit --no-fund
fi

step "system tools"
for script in test/setup/ensure-*.sh; do
  bash "$script"
done

step "lint"
npx eslint .
npx prettier --check .

step "type check"
npx tsc --noEmit -p .

step "build"
npm run build --silent

step "tests"
npx vitest run "$@"
