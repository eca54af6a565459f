#!/usr/bin/env bash
# Makes sure promtool, prometheus and alertmanager (Debian names it prometheus-alertmanager) are on PATH, installing Debian's packages
# (prometheus, prometheus-alertmanager) when they are missing. Idempotent. The test suites that
# need these tools fail loudly without them, so this script fails loudly too: a clear message
# and a non-zero exit when it cannot install them.
set -euo pipefail

missing() {
  command -v promtool >/dev/null 2>&1 || return 0
  command -v prometheus >/dev/null 2>&1 || return 0
  command -v alertmanager >/dev/null 2>&1 || command -v prometheus-alertmanager >/dev/null 2>&1 || return 0
  return 1
}

alertmanager_bin() {
  command -v alertmanager 2>/dev/null || command -v prometheus-alertmanager
}

if ! missing; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-prometheus: promtool/prometheus/alertmanager are missing and this is not root;" >&2
  echo "  install them with: sudo apt-get install -y prometheus prometheus-alertmanager" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-prometheus: promtool/prometheus/alertmanager are missing and apt-get is not available;" >&2
  echo "  install Prometheus >= 2.42 and Alertmanager >= 0.25 and put them on PATH" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The packages' postinst would start the systemd services; tests start their own binaries,
# so keep the services from being started where policy-rc.d is honoured.
install_packages() {
  apt-get install -y --no-install-recommends prometheus prometheus-alertmanager
}
if ! install_packages >/tmp/ensure-prometheus.log 2>&1; then
  # A stale package index is the usual cause; refresh once and retry.
  apt-get update >>/tmp/ensure-prometheus.log 2>&1 || true
  if ! install_packages >>/tmp/ensure-prometheus.log 2>&1; then
    echo "ensure-prometheus: apt-get install prometheus prometheus-alertmanager failed:" >&2
    tail -n 20 /tmp/ensure-prometheus.log >&2
    exit 1
  fi
fi

if missing; then
  echo "ensure-prometheus: installed the packages but promtool/prometheus/alertmanager are still not on PATH" >&2
  exit 1
fi
echo "ensure-prometheus: $(prometheus --version 2>&1 | head -n 1); $("$(alertmanager_bin)" --version 2>&1 | head -n 1)"
