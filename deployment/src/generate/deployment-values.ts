import { clickhousePasswordSecret, clickhouseUser, type SettingValue } from '@badam/pipeline';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { DEPLOYED_DATABASE } from './clickhouse-files.js';
import { readModelUrlOf, SERVICE_ROLES } from '../deployment-services.js';
import { CLICKHOUSE_CLUSTER, clickhouseClientUrls } from '../swarm-topology.js';
import { SECRETS_DIR } from '../deployment-file.js';

/**
 * The values the Docker deployments give the services' settings where a container needs other than the spec's
 * default (defaults suit the native stack on 127.0.0.1): the one table the environment blocks of docker-compose.yml
 * and swarm-stack.yml are generated from (environment-blocks.ts), with the settings specs. Every other setting is
 * written with its default, so each file says everything its services use.
 */
export type Deployment = 'compose' | 'swarm';

/** A value, with why it is what it is where that is not obvious: written above it in the file. */
export interface DeployedValue {
  value: SettingValue;
  note?: string;
}

type Values = Readonly<Record<string, SettingValue | DeployedValue>>;

/** Where the container finds a secret it mounts. */
function secretFile(name: string): { file: string } {
  return { file: `${SECRETS_DIR}/${name}` };
}

/** The same in both files: containers listen on every interface, at the port the gateway and Prometheus use. */
const SHARED: Values = {
  HOST: '0.0.0.0',
  PORT: '3000',
  // compose: the server's name (swarm: PER_DEPLOYMENT).
  CLICKHOUSE_URL: `http://${CLICKHOUSE_CLUSTER.alias}:${CLICKHOUSE_CLUSTER.httpPort}`,
  CLICKHOUSE_DATABASE: DEPLOYED_DATABASE,
  READ_MODEL_PASSWORD: secretFile(READ_MODEL_PASSWORD_SECRET),
};

/** What legitimately differs between one Docker host and the swarm. */
const PER_DEPLOYMENT: Readonly<Record<Deployment, Values>> = {
  compose: {
    KAFKA_BROKERS: 'redpanda:9092',
    READ_MODEL_URL: readModelUrlOf('compose'),
    KAFKA_TOPIC_REPLICATION: { value: '1', note: 'One broker.' },
    CONSUMER_INSTANCE_ID: {
      value: '',
      note: 'Dynamic membership here: `docker compose up --scale consumer=3` would give copies one static id, and a\nstatic id must belong to one process. swarm-stack.yml names each task by its slot instead.',
    },
  },
  swarm: {
    KAFKA_BROKERS: 'redpanda-0:9092,redpanda-1:9092,redpanda-2:9092',
    KAFKA_TOPIC_REPLICATION: { value: '3', note: 'Each partition on all three brokers.' },
    CLICKHOUSE_CLUSTER: {
      value: CLICKHOUSE_CLUSTER.name,
      note: 'Two shards of three replicas: replicated tables behind a Distributed one, created ON CLUSTER by init.',
    },
    CLICKHOUSE_URL: {
      value: clickhouseClientUrls(),
      note: 'The alias every server shares, then each server: a request the first gives no answer to goes to the next.',
    },
    READ_MODEL_URL: {
      value: readModelUrlOf('swarm'),
      note: 'Every node of the Valkey cluster as a seed: any one that answers gives the client the slot map.',
    },
    READ_MODEL_MODE: 'cluster',
    INIT_TIMEOUT_MS: {
      value: '300000',
      note: 'Swarm has no start order: three brokers and the database may come up slowly.',
    },
    CONSUMER_INSTANCE_ID: {
      value: 'consumer-{{.Task.Slot}}',
      note: 'Static membership: task slot N is always group member consumer-N (docs/DEPLOY.md, "The consumers\' identity").',
    },
    CONSUMER_SESSION_TIMEOUT_MS: {
      value: '30000',
      note: 'Long enough to cover a restart (stop, SHUTDOWN_GRACE_MS, start): partitions wait for their member, not move.',
    },
  },
};

/**
 * The values for one service of one deployment: the shared and per-deployment ones, its Kafka client id (in the
 * swarm one per task of a replicated service), and its ClickHouse role's user and password file.
 */
export function deploymentValues(deployment: Deployment, service: string): Record<string, DeployedValue> {
  const role = SERVICE_ROLES[service];
  const perTask = deployment === 'swarm' && service !== 'init';
  const values: Values = {
    ...SHARED,
    KAFKA_CLIENT_ID: perTask ? `${service}-{{.Task.Slot}}` : service,
    ...(role === undefined
      ? {}
      : { CLICKHOUSE_USER: clickhouseUser(role), CLICKHOUSE_PASSWORD: secretFile(clickhousePasswordSecret(role)) }),
    ...PER_DEPLOYMENT[deployment],
  };
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'object' && 'value' in value ? value : { value },
    ]),
  );
}
