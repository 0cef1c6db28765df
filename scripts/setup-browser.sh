#!/usr/bin/env bash
# Installs what the browser tests drive: Debian's chromium (playwright-core is an npm dev
# dependency and downloads no browser). Run as root on Debian/Ubuntu; elsewhere it says what to do
# and the browser tests skip with one line.
set -euo pipefail
BROWSER="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then
  echo "setup-browser: $BROWSER is installed"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup-browser: installing chromium with apt-get"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  echo "setup-browser: $("$BROWSER" --version 2>/dev/null || echo chromium) installed"
else
  echo "setup-browser: no chromium at $BROWSER and no way to install it here (needs root and apt-get);"
  echo "setup-browser: install Debian's chromium or set CHROMIUM_PATH; browser tests will be skipped"
fi
