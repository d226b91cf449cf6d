# Sourced by the entry scripts: puts the Node that scripts/setup.sh installs into .tools/node first on PATH, so node,
# npm, npx and everything they start (turbo, tsc, node --test, the stack's services) run on it rather than on the
# machine's Node.
BADAM_NODE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node"
export PATH="$BADAM_NODE_DIR/bin:$PATH"
hash -r
