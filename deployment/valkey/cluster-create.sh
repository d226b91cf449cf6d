#!/bin/sh
# The swarm's valkey-cluster-create one-shot: forms the read model's Valkey cluster from its nodes, once.
#   cluster-create.sh REPLICAS_PER_MASTER HOST:PORT...
# - cluster_state:ok on the first node: nothing to do (every later deploy lands here).
# - no node has a slot yet (a first deploy): valkey-cli --cluster create, masters and replicas as it chooses.
# - slots assigned but the cluster is not ok: the nodes kept their identities (nodes.conf on their volumes) but all
#   moved at once and no longer reach each other at their old addresses; CLUSTER MEET introduces them again at their
#   current ones. (One task moving heals by itself: its peers learn its new address from its own messages.)
# Then waits for cluster_state:ok (exit 0) or gives up after BADAM_CLUSTER_WAIT_S (exit 1, and the job retries).
# The password comes from the read_model_password secret, through REDISCLI_AUTH, never on a command line.
set -eu

replicas="$1"
shift
REDISCLI_AUTH="$(cat "${BADAM_SECRETS_DIR:-/run/secrets}/read_model_password")"
export REDISCLI_AUTH
wait_s="${BADAM_CLUSTER_WAIT_S:-300}"

host_of() { printf '%s' "${1%:*}"; }
port_of() { printf '%s' "${1##*:}"; }
cli() { node="$1"; shift; valkey-cli -h "$(host_of "$node")" -p "$(port_of "$node")" "$@"; }
# CLUSTER MEET and --cluster create take addresses, not names: the task's current one.
address_of() { getent hosts "$(host_of "$1")" | awk '{ print $1; exit }'; }
info_field() { cli "$1" cluster info | tr -d '\r' | sed -n "s/^$2://p"; }

deadline=$(($(date +%s) + wait_s))
for node in "$@"; do
  until [ "$(cli "$node" ping 2>/dev/null)" = PONG ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$0: $node does not answer" >&2; exit 1; }
    sleep 2
  done
done

first="$1"
if [ "$(info_field "$first" cluster_state)" = ok ]; then
  echo "$0: the cluster is already formed (cluster_state:ok)"
  exit 0
fi

assigned=0
for node in "$@"; do
  [ "$(info_field "$node" cluster_slots_assigned)" = 0 ] || assigned=1
done

if [ "$assigned" = 0 ]; then
  addresses=""
  for node in "$@"; do addresses="$addresses $(address_of "$node"):$(port_of "$node")"; done
  # shellcheck disable=SC2086 # one argument per node
  valkey-cli --cluster create $addresses --cluster-replicas "$replicas" --cluster-yes
else
  echo "$0: slots are assigned but the cluster is not ok: introducing the nodes at their current addresses"
  for node in "$@"; do
    cli "$first" cluster meet "$(address_of "$node")" "$(port_of "$node")" >/dev/null
  done
fi

until [ "$(info_field "$first" cluster_state)" = ok ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "$0: cluster_state is not ok after ${wait_s}s" >&2; exit 1; }
  sleep 2
done
echo "$0: cluster_state:ok"
