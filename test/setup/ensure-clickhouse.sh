#!/usr/bin/env bash
# Makes sure the clickhouse-server and clickhouse-client binaries are on PATH, installing Debian's
# packages (clickhouse-server, clickhouse-client; bookworm ships 18.16.1) when they are missing.
# Idempotent. The ClickHouse suites start their own server binary on free ports with a scratch
# data dir (test/helpers/clickhouse-server.ts), so the packaged service is never needed: where the
# package tries to start it we forbid that with a temporary policy-rc.d. The suites fail loudly
# without the binaries, so this script fails loudly too: a clear message and a non-zero exit.
set -euo pipefail

LOG=/tmp/ensure-clickhouse.log

missing() {
  command -v clickhouse-server >/dev/null 2>&1 || return 0
  command -v clickhouse-client >/dev/null 2>&1 || return 0
  return 1
}

if ! missing; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-clickhouse: clickhouse-server/clickhouse-client are missing and this is not root;" >&2
  echo "  install them with: sudo apt-get install -y clickhouse-server clickhouse-client" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-clickhouse: clickhouse-server/clickhouse-client are missing and apt-get is not available;" >&2
  echo "  install ClickHouse (18.16 or newer) and put clickhouse-server and clickhouse-client on PATH" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# invoke-rc.d asks /usr/sbin/policy-rc.d whether it may start a service; exit code 101 means
# "no". Install one only for the duration of this script, and only if none exists already.
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  own_policy=1
fi
cleanup() {
  if [ "$own_policy" -eq 1 ]; then rm -f "$POLICY"; fi
}
trap cleanup EXIT

install_packages() {
  # Other suites may be installing their own packages at the same moment: wait for dpkg's lock.
  apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    clickhouse-server clickhouse-client
}
if ! install_packages >"$LOG" 2>&1; then
  # A stale package index is the usual cause; refresh once and retry.
  apt-get update -o DPkg::Lock::Timeout=300 >>"$LOG" 2>&1 || true
  if ! install_packages >>"$LOG" 2>&1; then
    echo "ensure-clickhouse: apt-get install clickhouse-server clickhouse-client failed:" >&2
    tail -n 20 "$LOG" >&2
    exit 1
  fi
fi

if missing; then
  echo "ensure-clickhouse: installed the packages but clickhouse-server/clickhouse-client are still not on PATH" >&2
  exit 1
fi
echo "ensure-clickhouse: $(clickhouse-client --version 2>&1 | head -n 1)"
