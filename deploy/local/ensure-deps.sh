#!/usr/bin/env bash
# Installs what svpn needs on a fresh Debian machine with Node 20, once: redis-server, SIPp
# (sip-tester) and Chromium from Debian, and the npm dependencies. Idempotent; quiet when all is in place.
set -euo pipefail
cd "$(dirname "$0")/../.."
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v sipp >/dev/null 2>&1 || need_apt+=(sip-tester)
# The dashboard's browser tests drive Debian's Chromium (playwright-core never downloads a browser).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]} (apt-get)" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ "${SVPN_SKIP_NPM:-}" != 1 ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "== npm ci" >&2
  node scripts/complete-lockfile.mjs
  npm ci --no-audit --no-fund --loglevel=error
fi
