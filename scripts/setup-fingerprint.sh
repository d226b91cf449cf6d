#!/usr/bin/env bash
# Prints a hash of what setup installs from, so a changed setup, lockfile or pom makes setup run again; the installed
# Node's version is part of it, so a missing or replaced .tools/node (whose ABI the Kafka client is built for) does too.
cd "$(dirname "$0")/.." && {
  cat scripts/setup.sh package-lock.json tools/stack/kafka/pom.xml tools/stack/zookeeper/pom.xml envoy/validate/go.sum k6/locust/requirements.txt \
    tools/load/many-clients.c 2>/dev/null
  .tools/node/bin/node --version 2>/dev/null
} | sha256sum
