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
for tool in java mvn go node npm clickhouse-server haproxy promtool redis-server wrk; do
  command -v "$tool" >/dev/null || { echo "[setup] $tool is not installed and this script cannot install it" >&2; exit 1; }
done

# npm ci builds the Kafka client against the system libraries above; package.json's allowScripts lets its
# install script run. Re-run only when the lockfile changed since the last install.
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
  mvn -q -B -f stack/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$PWD/.tools/kafka/libs" -DincludeScope=runtime
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
# would: the gateway limits requests per client address (stack/src/load/many-clients.ts).
if [ ! -f .tools/lib/many-clients.so ] || [ stack/bench/many-clients.c -nt .tools/lib/many-clients.so ]; then
  step "many-clients.so (gcc)"
  command -v gcc >/dev/null || { echo "[setup] gcc is not installed and this script cannot install it" >&2; exit 1; }
  mkdir -p .tools/lib
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o .tools/lib/many-clients.so stack/bench/many-clients.c -ldl
fi

step "build"
npx turbo run build --output-logs=errors-only

# The fingerprint lets scripts/test.sh and scripts/stack.sh tell whether setup must run again.
bash scripts/setup-fingerprint.sh > .tools/setup.done
step "done"
