#!/bin/sh
# Make sure the browser tests can run: Debian's Chromium at /usr/bin/chromium and Node.js.
# Installs Chromium with apt-get when it is missing and we are root; otherwise says what to do.
set -e
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium at /usr/bin/chromium." >&2
    echo "Install it (Debian/Ubuntu: sudo apt-get install chromium), then run 'make test' again." >&2
    exit 1
  fi
fi
if ! command -v node >/dev/null 2>&1; then
  echo "The extension's unit tests need Node.js 18 or newer (Debian/Ubuntu: sudo apt-get install nodejs)." >&2
  exit 1
fi
