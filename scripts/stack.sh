#!/usr/bin/env bash
# The native stack: `scripts/stack.sh up` sets up (first time), builds and starts everything; Ctrl-C stops it.
# `scripts/stack.sh reset` wipes its state. Settings: see tools/stack/src/stack-config.ts (BADAM_* variables).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "up" ]; then source scripts/ensure-setup.sh; else source scripts/node-path.sh; fi
exec node tools/stack/dist/src/cli.js "$@"
