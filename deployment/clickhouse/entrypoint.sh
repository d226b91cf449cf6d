#!/bin/bash
# The clickhouse service's entrypoint in docker-compose.yml and swarm-stack.yml. For each role's Docker secret
# clickhouse_<role>_password it exports the password's SHA-256 as CLICKHOUSE_<ROLE>_PASSWORD_SHA256, which
# users.d/badam-roles.xml reads (pipeline/runtime/src/clickhouse/roles.ts), then runs the image's own entrypoint. Only the
# hashes of the roles' passwords reach the server's environment; a role whose secret is missing gets no hash, and the
# server refuses the role.
# The password is the file's content without its trailing newlines, as the services read it (*_FILE variables).
set -euo pipefail

secrets="${BADAM_SECRETS_DIR:-/run/secrets}"
for file in "$secrets"/clickhouse_*_password; do
  [ -e "$file" ] || continue
  role="$(basename "$file")"
  role="${role#clickhouse_}"
  role="${role%_password}"
  password="$(cat "$file")"
  if [ -z "$password" ]; then
    echo "$0: $file is empty" >&2
    exit 1
  fi
  hash="$(printf '%s' "$password" | sha256sum)"
  export "CLICKHOUSE_${role^^}_PASSWORD_SHA256=${hash%% *}"
done
unset password hash

# The swarm's cluster (config.d/badam-cluster.xml) reads its inter-server secret as CLICKHOUSE_INTERSERVER_SECRET: the
# servers compare it as given, so the value itself, not a hash. Compose has one server, no cluster and no such secret.
interserver="$secrets/clickhouse_interserver_secret"
if [ -e "$interserver" ]; then
  CLICKHOUSE_INTERSERVER_SECRET="$(cat "$interserver")"
  if [ -z "$CLICKHOUSE_INTERSERVER_SECRET" ]; then
    echo "$0: $interserver is empty" >&2
    exit 1
  fi
  export CLICKHOUSE_INTERSERVER_SECRET
fi

# BADAM_NEXT_ENTRYPOINT: for the unit test, which runs this script outside the image.
exec "${BADAM_NEXT_ENTRYPOINT:-/entrypoint.sh}" "$@"
