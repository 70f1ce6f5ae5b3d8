#!/usr/bin/env bash
# Install Debian's redis-server (and redis-cli) for the tests that start a real Redis
# (test/support/redis.js runs it on a free 127.0.0.1 port, in a temp dir, no persistence).
# Idempotent: does nothing when redis-server is on PATH. The package's own service is not
# needed (the tests start their servers themselves); where no init system runs, none starts.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends redis-server redis-tools
command -v redis-server >/dev/null 2>&1 || { echo "apt-get installed redis-server but it is not on PATH" >&2; exit 1; }
echo "redis-server installed: $(redis-server --version)"
