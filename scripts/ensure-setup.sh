#!/usr/bin/env bash
# Sourced by the entry scripts: runs setup when it has not run (or what it installs from has changed), else builds.
if [ "$(cat .tools/setup.done 2>/dev/null)" != "$(bash scripts/setup-fingerprint.sh)" ]; then
  bash scripts/setup.sh
else
  npx turbo run build --output-logs=errors-only
fi
