#!/usr/bin/env bash
# The one-command local run: installs what is missing, then runs every svpn service in one process
# with the demo data and a private redis-server (see README "Quick start"). Flags go to `svpn up`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/ensure-deps.sh
exec node services/cli/bin/svpn.js up "$@"
