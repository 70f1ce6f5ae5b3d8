#!/usr/bin/env bash
# Install Debian's chromium for test/editor-browser.spec.js (driven by playwright-core with
# executablePath /usr/bin/chromium). Idempotent: does nothing when /usr/bin/chromium exists.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-liberation
test -x /usr/bin/chromium || { echo "apt-get installed chromium but /usr/bin/chromium is missing" >&2; exit 1; }
echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
