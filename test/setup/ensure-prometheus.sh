#!/usr/bin/env bash
# Makes sure promtool, prometheus and alertmanager (Debian names it prometheus-alertmanager) are on
# PATH, installing Debian's prometheus and prometheus-alertmanager when they are missing.
# Idempotent. The suites start their own binaries; fails loudly, as they would.
set -euo pipefail
source "$(dirname "$0")/lib/apt.sh"

alertmanager_bin() { command -v alertmanager 2>/dev/null || command -v prometheus-alertmanager; }
missing() {
  ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1 || ! alertmanager_bin >/dev/null 2>&1
}

if missing; then
  apt_install ensure-prometheus prometheus prometheus-alertmanager
  if missing; then
    echo "ensure-prometheus: installed the packages but promtool/prometheus/alertmanager are still not on PATH" >&2
    exit 1
  fi
fi
echo "ensure-prometheus: $(prometheus --version 2>&1 | head -n 1); $("$(alertmanager_bin)" --version 2>&1 | head -n 1)"
