#!/usr/bin/env bash
# The whole test suite: sets up when needed, builds, checks lint and formatting (turbo run lint), then runs unit and
# integration tests in one node:test run against a Kafka broker and a ClickHouse server that the harness starts on
# their own ports and stops at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-setup.sh
# Lint and formatting first (Biome, read-only, under a second): a finding fails the run before any server starts.
npx turbo run lint --output-logs=errors-only
exec node tools/test-kit/dist/src/run-tests.js "$@"
