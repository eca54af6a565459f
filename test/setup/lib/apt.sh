# Shared by the ensure-*.sh scripts: install Debian packages as root, without prompts and without
# starting their services (the suites start their own binaries), or fail loudly with the reason.

# apt_install NAME PACKAGE... : installs the packages; on failure refreshes the index once and
# retries; prints the tail of the log and exits 1 when it still fails.
apt_install() {
  local name=$1
  shift
  local log="/tmp/${name}.log"
  if [ "$(id -u)" -ne 0 ]; then
    echo "${name}: $* missing and this is not root; install them with: sudo apt-get install -y $*" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "${name}: $* missing and apt-get is not available; install them and put them on PATH" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # invoke-rc.d asks policy-rc.d whether it may start a service; 101 means no. Only for this install.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  local install=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@")
  local ok=1
  if ! "${install[@]}" >"$log" 2>&1; then
    # A stale package index is the usual cause; refresh once and retry.
    apt-get update -o DPkg::Lock::Timeout=300 >>"$log" 2>&1 || true
    "${install[@]}" >>"$log" 2>&1 || ok=0
  fi
  if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi
  if [ "$ok" -eq 0 ]; then
    echo "${name}: apt-get install $* failed:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
}
