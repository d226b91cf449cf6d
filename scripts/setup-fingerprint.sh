#!/usr/bin/env bash
# Prints a hash of what setup installs from, so a changed setup, lockfile or pom makes setup run again.
cd "$(dirname "$0")/.." && cat scripts/setup.sh package-lock.json stack/kafka/pom.xml envoy/validate/go.sum k6/locust/requirements.txt stack/bench/many-clients.c 2>/dev/null | sha256sum
