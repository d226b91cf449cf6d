#!/usr/bin/env bash
# Runs a command on the Node that setup installs: the package.json scripts go through it, so `npm run bench` uses
# that Node even when npm itself was started by the machine's Node.
set -euo pipefail
source "$(dirname "$0")/node-path.sh"
if [ ! -x "$BADAM_NODE_DIR/bin/node" ]; then
  echo "[with-node] $BADAM_NODE_DIR/bin/node is missing: run bash scripts/setup.sh first" >&2
  exit 1
fi
exec "$@"
