#!/usr/bin/env bash
# Makes sure clickhouse-server and clickhouse-client are on PATH, installing Debian's packages
# (bookworm ships 18.16.1) when they are missing. Idempotent. The ClickHouse suites start their
# own server on free ports with a scratch data dir (test/helpers/clickhouse-server.ts), so the
# packaged service is never started. Fails loudly, as the suites would.
set -euo pipefail
source "$(dirname "$0")/lib/apt.sh"

missing() { ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; }

if missing; then
  apt_install ensure-clickhouse clickhouse-server clickhouse-client
  if missing; then
    echo "ensure-clickhouse: installed the packages but clickhouse-server/clickhouse-client are still not on PATH" >&2
    exit 1
  fi
fi
echo "ensure-clickhouse: $(clickhouse-client --version 2>&1 | head -n 1)"
