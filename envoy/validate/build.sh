#!/usr/bin/env bash
# Builds the Envoy config validator (go-control-plane) into .tools/bin/envoy-validate, modules from the Go module
# proxy. Skipped when the binary is newer than every source file, so setup can call it on each run.
set -euo pipefail
cd "$(dirname "$0")"
out="../../.tools/bin/envoy-validate"
if [ -x "$out" ] && [ -z "$(find . -maxdepth 1 \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -newer "$out")" ]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
go build -trimpath -o "$out" .
echo "[envoy-validate] built $(cd "$(dirname "$out")" && pwd)/envoy-validate"
