#!/usr/bin/env bash
# Installs Debian's Chromium for the report's browser tests (packages/cli/test/report-browser.test.ts, driven by
# playwright-core, which never downloads a browser of its own), unless a Chromium is already there. Without one,
# those tests are skipped, except under CI (CI set), where they fail.
set -euo pipefail
chromium=${MMSIM_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
warn() {
  echo "install-chromium: $1; the report's browser tests need Chromium at $chromium (or MMSIM_CHROMIUM=path)" >&2
  exit 0
}
command -v apt-get >/dev/null || warn "no apt-get here"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  # Never a password prompt in the middle of a test command: only a sudo that needs none is used.
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    warn "installing needs root: run 'sudo apt-get install chromium' once yourself"
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: apt-get install chromium (one to two minutes, most of it downloading)" >&2
"${sudo[@]}" apt-get install -y -q chromium >/dev/null ||
  { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q chromium >/dev/null; } ||
  warn "apt-get could not install chromium"
