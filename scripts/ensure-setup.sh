#!/usr/bin/env bash
# Sourced by the entry scripts: runs setup when it has not run (or what it installs from has changed), else builds.
# Either way the entry script continues on the Node setup installed (scripts/node-path.sh).
if [ "$(cat .tools/setup.done 2>/dev/null)" != "$(bash scripts/setup-fingerprint.sh)" ]; then
  bash scripts/setup.sh
  source scripts/node-path.sh
else
  source scripts/node-path.sh
  npx turbo run build --output-logs=errors-only
fi
