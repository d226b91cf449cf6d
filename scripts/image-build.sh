#!/bin/sh
# Runs in the Dockerfile's build stage of each service, in the tree `turbo prune --docker` made of that service and
# the workspaces it depends on, after `npm ci`: compiles them, drops the devDependencies, and gathers what the image
# runs into the directory given (/out): the package.json files, node_modules (with the workspace links) and each
# workspace's dist/src.
set -eu
out=$1
npx turbo run build --output-logs=errors-only
npm prune --omit=dev --no-audit --no-fund
mkdir -p "$out"
cp -a package.json node_modules "$out/"
for workspace in pipeline/* services/*; do
  mkdir -p "$out/$workspace/dist"
  cp -a "$workspace/package.json" "$out/$workspace/"
  cp -a "$workspace/dist/src" "$out/$workspace/dist/"
done
