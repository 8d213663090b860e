#!/usr/bin/env bash
# The one-command local run: installs what is missing, then runs every svpn service in one process
# with the demo data and a private redis-server (see README "Quick start"). Flags go to `svpn up`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/ensure-deps.sh
# V8 flags: services/cli/src/node-flags.ts (NODE_FLAGS) says why; test/deploy checks they match.
exec node --max-semi-space-size=64 services/cli/bin/svpn.js up "$@"
