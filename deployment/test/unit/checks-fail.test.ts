import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { DeploymentFile } from '../../src/deployment-file.js';
import { loadDeploymentInputs, type DeploymentInputs } from '../../src/deployment-inputs.js';
import { addressProblems } from '../../src/checks/address-checks.js';
import { clickhouseClusterProblems } from '../../src/checks/clickhouse-cluster-checks.js';
import { keeperProblems } from '../../src/checks/keeper-checks.js';
import { brokerDurabilityProblems, clickhouseDurabilityProblems } from '../../src/checks/durability-checks.js';
import { placementProblems } from '../../src/checks/placement-checks.js';
import { valkeyClusterProblems } from '../../src/checks/valkey-cluster-checks.js';
import { missingPaths, undeliveredFiles } from '../../src/checks/file-checks.js';
import { gatewayProblems } from '../../src/checks/gateway-checks.js';
import { confinementProblems, networkProblems, publishedPortProblems } from '../../src/checks/hardening-checks.js';
import {
  envoyExposureProblems,
  envoyPublishingProblems,
  envoyScrapeProblems,
} from '../../src/checks/gateway-exposure-checks.js';
import { loadRunnerProblems } from '../../src/checks/load-runner-checks.js';
import { renderEnvExample } from '../../src/generate/env-example.js';
import { generatedEnvironment } from '../../src/generate/environment-blocks.js';
import { deploymentValues } from '../../src/generate/deployment-values.js';
import { GENERATED_FILES } from '../../src/generate/generated-files.js';
import { dockerBytes, readModelStoreProblems, valkeyBytes } from '../../src/checks/read-model-checks.js';
import { composeOrderProblems, swarmRolloutProblems } from '../../src/checks/rollout-checks.js';
import {
  clickhouseRoleProblems,
  grafanaProblems,
  passwordValueProblems,
  secretFileProblems,
} from '../../src/checks/secret-checks.js';
import { storePasswordProblems } from '../../src/checks/store-password-checks.js';
import {
  commandArgs,
  durationMs,
  healthcheckProblems,
  livenessProblems,
  imagePinProblem,
  imageProblems,
  missingServices,
  replicaProblems,
  shutdownProblems,
  topicProblems,
} from '../../src/checks/service-checks.js';
import {
  ONE_SHOT_SERVICES,
  READ_MODEL_STORE,
  readModelStoreOf,
  readModelUrlOf,
} from '../../src/deployment-services.js';
import { repoRoot } from '@badam/stack/paths';
import { SERVICE_SETTINGS } from '@badam/stack/service-settings';
import { readFileSync } from 'node:fs';

/** Each deployment check, given a copy of the real file with one thing broken, reports it (so it can fail). */
let inputs: DeploymentInputs;
before(async () => {
  inputs = await loadDeploymentInputs();
});

/** A copy of a rendered file with `change` applied to it. */
function broken(kind: 'compose' | 'swarm', change: (file: DeploymentFile) => void): DeploymentFile {
  const copy = structuredClone(inputs[kind]);
  change(copy);
  return copy;
}

function service(file: DeploymentFile, name: string) {
  const found = file.services[name];
  assert.ok(found, `${name} is in the file`);
  return found;
}

describe('the deployment checks report', () => {
  it('a missing service', () => {
    const file = broken('swarm', (f) => delete f.services.hapi);
    assert.deepEqual(missingServices(file, inputs.fleet), ['hapi: no such service']);
  });

  it('a replica count off by one', () => {
    const file = broken(
      'swarm',
      (f) => (service(f, 'consumer').deploy = { ...service(f, 'consumer').deploy, replicas: 2 }),
    );
    assert.deepEqual(replicaProblems(file, { consumer: 3 }), ['consumer: deploy.replicas is 2, expected 3']);
  });

  it('a long-running service without a healthcheck, or with it disabled', () => {
    const file = broken('compose', (f) => {
      delete service(f, 'fastify').healthcheck;
      service(f, 'clickhouse').healthcheck = { disable: true };
    });
    assert.deepEqual(healthcheckProblems(file, ONE_SHOT_SERVICES).sort(), [
      'clickhouse: no healthcheck',
      'fastify: no healthcheck',
    ]);
  });

  it('a healthcheck of ours asking readiness (/health), which a dependency outage fails, in a file or the Dockerfile', () => {
    const file = broken('swarm', (f) => {
      service(f, 'consumer').healthcheck = {
        test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1))"],
      };
    });
    const dockerfile = [
      'HEALTHCHECK --interval=10s \\',
      `  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health')"]`,
      'HEALTHCHECK NONE',
    ].join('\n');
    assert.deepEqual(livenessProblems(file, ['consumer', 'producer'], dockerfile), [
      'consumer: the healthcheck does not ask /live (liveness)',
      'Dockerfile: a HEALTHCHECK does not ask /live (liveness)',
    ]);
  });

  it('an image without a version, on latest, or of ours with another tag', () => {
    assert.equal(imagePinProblem('nginx'), 'nginx has no tag (means latest)');
    assert.equal(imagePinProblem('registry:5000/team/nginx'), 'registry:5000/team/nginx has no tag (means latest)');
    assert.equal(imagePinProblem('prom/prometheus:latest'), 'prom/prometheus:latest is not pinned to a version');
    assert.equal(
      imagePinProblem('envoyproxy/envoy:v1.36-latest'),
      'envoyproxy/envoy:v1.36-latest is not pinned to a version',
    );
    assert.equal(imagePinProblem('registry:5000/nginx:1.27.1'), undefined);
    assert.equal(imagePinProblem(`nginx@sha256:${'a'.repeat(64)}`), undefined);
    const file = broken('swarm', (f) => {
      service(f, 'grafana').image = 'grafana/grafana';
      service(f, 'producer').image = 'badam/producer:latest';
      service(f, 'consumer').image = `registry.example:5000/${inputs.ownImages.consumer}`;
    });
    assert.deepEqual(imageProblems(file, inputs.ownImages).sort(), [
      'grafana: grafana/grafana has no tag (means latest)',
      `producer: image is badam/producer:latest, expected ${inputs.ownImages.producer}`,
    ]);
  });

  it('a stale generated file: an environment block edited by hand', () => {
    const compose = GENERATED_FILES.find(({ path }) => path.endsWith('docker-compose.yml'));
    assert.ok(compose);
    const checkedIn = readFileSync(compose.path, 'utf8');
    const edited = checkedIn.replace('PRODUCER_LINGER_MS: "5"', 'PRODUCER_LINGER_MS: "6"\n      PRODUCER_LINGER: "5"');
    assert.notEqual(edited, checkedIn);
    assert.equal(compose.render(edited), checkedIn);
  });

  it('a deployment value the service would refuse, or a secret written as text', () => {
    const values = deploymentValues('swarm', 'consumer');
    assert.throws(
      () => generatedEnvironment('swarm', 'consumer', { ...values, CONSUMER_MAX_BATCH: { value: 'many' } }),
      /swarm consumer: .*CONSUMER_MAX_BATCH: must be an integer/s,
    );
    assert.throws(
      () => generatedEnvironment('swarm', 'consumer', { ...values, CLICKHOUSE_PASSWORD: { value: 'hunter2' } }),
      /CLICKHOUSE_PASSWORD is a secret/,
    );
  });

  it('a variable two services describe or default differently (.env.example lists each once)', () => {
    const { producer, consumer } = SERVICE_SETTINGS;
    const otherTopic = { ...producer.KAFKA_TOPIC, default: 'other' };
    assert.throws(
      () => renderEnvExample({ consumer, producer: { ...producer, KAFKA_TOPIC: otherTopic } }),
      /KAFKA_TOPIC: producer/,
    );
  });

  it('an address that is not a service of the file', () => {
    const file = broken('compose', (f) => {
      (service(f, 'consumer').environment ?? {}).CLICKHOUSE_URL = 'http://127.0.0.1:8123';
      (service(f, 'init').environment ?? {}).KAFKA_BROKERS = 'redpanda:9092,kafka:9092';
    });
    assert.deepEqual(addressProblems(file).sort(), [
      'consumer: 127.0.0.1 is not a service of this file',
      'init: kafka is not a service of this file',
    ]);
    const swarm = broken('swarm', (f) => {
      (service(f, 'fastify').environment ?? {}).READ_MODEL_URL = 'redis://valkey-1:6379, redis://valkey-9:6379';
    });
    assert.deepEqual(addressProblems(swarm), ['fastify: valkey-9 is not a service of this file']);
  });

  it('a read model store unpinned, published, persisting, refusing writes when full, or several; a reader elsewhere', () => {
    assert.equal(valkeyBytes('1536mb'), 1536 * 1024 ** 2);
    assert.equal(valkeyBytes('1g'), 1e9);
    assert.equal(dockerBytes('2G'), 2 * 1024 ** 3);
    assert.equal(dockerBytes('2147483648'), 2 * 1024 ** 3);
    const node = readModelStoreOf('swarm').nodes[0] ?? '';
    const seeds = readModelUrlOf('swarm');
    const swarm = broken('swarm', (f) => {
      const valkey = service(f, node);
      valkey.image = 'valkey/valkey';
      valkey.ports = [{ mode: 'ingress', target: 6379, published: 6379 }];
      valkey.command = ['valkey-server', '--appendonly', 'yes', '--maxmemory', '4gb'];
      valkey.deploy = { ...valkey.deploy, replicas: 2, update_config: { order: 'start-first' } };
      const fastify = service(f, 'fastify').environment ?? {};
      fastify.READ_MODEL_URL = 'redis://clickhouse:6379';
      fastify.READ_MODEL_MODE = 'standalone';
      (service(f, 'consumer').environment ?? {}).READ_MODEL_URL = `redis://${node}:6380`;
    });
    assert.deepEqual(readModelStoreProblems(swarm), [
      `${node}: valkey/valkey has no tag (means latest)`,
      `${node}: publishes a port; only the services on the network reach the store`,
      `${node}: saves snapshots (--save ""): a cache rebuilt from ClickHouse keeps nothing on disk`,
      `${node}: --appendonly yes, expected no (a cache keeps nothing on disk)`,
      `${node}: --maxmemory-policy noeviction (default): a full store would refuse writes; expected allkeys-lru`,
      `${node}: --maxmemory 4gb does not leave room below the memory limit ${service(inputs.swarm, node).deploy?.resources?.limits?.memory}`,
      `${node}: deploy.replicas is 2, expected 1 (one store: several would each hold part of the pages)`,
      `${node}: update_config.order is start-first, expected stop-first (never two stores at once)`,
      `consumer: READ_MODEL_URL is redis://${node}:6380, expected ${seeds} (the store)`,
      `fastify: READ_MODEL_URL is redis://clickhouse:6379, expected ${seeds} (the store)`,
      'fastify: READ_MODEL_MODE is standalone, expected cluster',
    ]);

    const store = READ_MODEL_STORE.service;
    const compose = broken('compose', (f) => {
      const valkey = service(f, store);
      valkey.image = 'redis:7.2.4';
      valkey.command = 'valkey-server --save "" --maxmemory-policy allkeys-lru';
      service(f, 'hapi').depends_on = { ...service(f, 'hapi').depends_on, [store]: { condition: 'service_healthy' } };
      (service(f, 'init').environment ?? {}).READ_MODEL_URL = 'redis://valkey:6380';
      (service(f, 'consumer').environment ?? {}).READ_MODEL_URL = 'redis://valkey:6379,redis://valkey:6379';
    });
    assert.deepEqual(readModelStoreProblems(compose), [
      `${store}: image is redis:7.2.4, expected the official ${READ_MODEL_STORE.image}`,
      `${store}: no --maxmemory: the store would grow until the container is killed`,
      `consumer: READ_MODEL_URL is redis://valkey:6379,redis://valkey:6379, expected redis://${store}:6379 (the store)`,
      `hapi: waits for ${store} to be healthy; it works without the store (service_started)`,
      `init: READ_MODEL_URL is redis://valkey:6380, expected redis://${store}:6379 (the store)`,
    ]);
    const withoutStore = broken('compose', (f) => delete f.services[store]);
    assert.deepEqual(readModelStoreProblems(withoutStore), [`${store}: no such service`]);
    assert.ok(addressProblems(withoutStore).includes(`consumer: ${store} is not a service of this file`));
  });

  it('a topic with another partition count than DEFAULT_PARTITIONS, or more replicas than brokers', () => {
    const file = broken('swarm', (f) => {
      const env = service(f, 'init').environment ?? {};
      env.KAFKA_TOPIC_PARTITIONS = String(inputs.partitions - 1);
      env.KAFKA_BROKERS = 'redpanda-0:9092';
    });
    assert.deepEqual(topicProblems(file, { partitions: inputs.partitions, replication: 3 }), [
      `init: KAFKA_TOPIC_PARTITIONS is ${inputs.partitions - 1}, expected ${inputs.partitions}`,
      'init: KAFKA_BROKERS lists 1 brokers, fewer than 3 replicas',
    ]);
  });

  it('a stop grace period Docker ends before the service has shut down, a drain the gateway outlasts', () => {
    assert.equal(durationMs('1m30s'), 90_000);
    assert.equal(durationMs('500ms'), 500);
    const file = broken('swarm', (f) => {
      service(f, 'restify').stop_grace_period = '10s';
      (service(f, 'producer').environment ?? {}).SHUTDOWN_DRAIN_MS = '1000';
    });
    assert.deepEqual(shutdownProblems(file), [
      'producer: SHUTDOWN_DRAIN_MS 1000 is shorter than the gateway takes to mark a replica down (3000 ms)',
      'restify: stop_grace_period 10s does not outlast SHUTDOWN_GRACE_MS 10000',
    ]);
  });

  it('an envoy cluster that is not a service, reached at the wrong address, or without its compose alias', () => {
    const file = broken('compose', (f) => {
      delete f.services.hapi;
      service(f, 'restify').networks = { badam: { aliases: [] } };
      (service(f, 'fastify').environment ?? {}).PORT = '3001';
    });
    const problems = gatewayProblems(inputs.envoy, file, inputs.routedServices);
    assert.ok(problems.includes('envoy cluster hapi is not a service'), problems.join('\n'));
    assert.ok(
      problems.includes('restify: no network alias tasks.restify (envoy cluster restify resolves it)'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('envoy cluster fastify reaches tasks.fastify:3000, expected tasks.fastify:3001'),
      problems.join('\n'),
    );
    assert.deepEqual(gatewayProblems(inputs.envoy, inputs.swarm, [...inputs.routedServices, 'gateway']), [
      `envoy clusters are ${[...inputs.routedServices].sort().join(', ')}, expected ${[...inputs.routedServices, 'gateway'].sort().join(', ')}`,
    ]);
  });

  it('an envoy cluster keeping idle connections as long as the services, or for Envoy’s default hour', () => {
    const envoy = structuredClone(inputs.envoy) as { static_resources: { clusters: Record<string, any>[] } };
    const [first, second] = envoy.static_resources.clusters;
    first!.typed_extension_protocol_options[
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
    ].common_http_protocol_options.idle_timeout = '65s';
    delete second!.typed_extension_protocol_options;
    const problems = gatewayProblems(envoy, inputs.compose, inputs.routedServices).filter((p) =>
      p.includes('idle_timeout'),
    );
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      [`envoy cluster ${first!.name}`, `envoy cluster ${second!.name}`],
    );
  });

  it('an envoy admin on every address, a route opening a service’s own pages, a stats listener passing the admin through', () => {
    const envoy = structuredClone(inputs.envoy) as Record<string, any>;
    const routesOf = (name: string) =>
      envoy.static_resources.listeners
        .find((l: any) => l.name === name)
        .filter_chains[0].filters.find((f: any) => f.name === 'envoy.filters.network.http_connection_manager')
        .typed_config.route_config.virtual_hosts[0].routes;
    envoy.admin.address.socket_address.address = '0.0.0.0';
    const fastify = routesOf('gateway').find((r: any) => r.route?.cluster === 'fastify');
    fastify.match = { ...fastify.match, safe_regex: undefined, prefix: '/fastify/' };
    routesOf('stats')[0].match = { prefix: '/' };
    const problems = envoyExposureProblems(envoy, inputs.routedServices);
    assert.ok(
      problems.includes("envoy admin listens on 0.0.0.0:9901, expected 127.0.0.1 (the container's loopback only)"),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('envoy gateway: GET /fastify/metrics is forwarded to fastify, not the public API'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('envoy stats listener: POST /quitquitquit is forwarded to envoy_admin'),
      problems.join('\n'),
    );
    assert.ok(!problems.some((p) => p.includes('expected forwarded')), 'the public API itself is still forwarded');
  });

  it('Envoy’s stats or admin port published, its gateway port behind the swarm ingress mesh, or not on every node', () => {
    const compose = broken(
      'compose',
      (f) => (service(f, 'envoy').ports = [...(service(f, 'envoy').ports ?? []), { published: 9902, target: 9902 }]),
    );
    assert.deepEqual(envoyPublishingProblems(compose, inputs.envoy), [
      "envoy: publishes container ports 8080, 9902, expected only the gateway listener's 8080",
    ]);
    const swarm = broken('swarm', (f) => {
      const envoy = service(f, 'envoy');
      envoy.ports = [{ mode: 'ingress', target: 8080, published: 8080, protocol: 'tcp' }];
      envoy.deploy = { ...envoy.deploy, mode: 'replicated', replicas: 2 };
    });
    assert.deepEqual(envoyPublishingProblems(swarm, inputs.envoy), [
      'envoy: port 8080 is published through the ingress mesh (mode ingress), which hides client addresses; expected mode host',
      'envoy: deploy.mode is replicated, expected global (a host-mode port on every node)',
    ]);
  });

  it('Prometheus scraping Envoy anywhere but its stats listener', () => {
    const prometheus = structuredClone(inputs.prometheus) as { scrape_configs: Record<string, any>[] };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'envoy');
    job!.dns_sd_configs[0].port = 9901;
    assert.deepEqual(envoyScrapeProblems(prometheus, inputs.envoy), [
      "prometheus: the envoy job scrapes port 9901, expected the stats listener's 9902",
    ]);
  });

  it('a service started before init completed, or waiting on health nobody reports', () => {
    const file = broken('compose', (f) => {
      service(f, 'producer').depends_on = { init: { condition: 'service_started' } };
      delete service(f, 'redpanda').healthcheck;
    });
    const problems = composeOrderProblems(file, { dependsOnInit: inputs.fleet, oneShot: ONE_SHOT_SERVICES });
    assert.ok(
      problems.includes('producer: depends_on init is service_started, expected service_completed_successfully'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes('init: waits for redpanda to be healthy, which has no healthcheck'),
      problems.join('\n'),
    );
  });

  it('a consumer without a per-slot identity or updated start-first, init as a service, a missing limit', () => {
    const file = broken('swarm', (f) => {
      const consumer = service(f, 'consumer');
      consumer.deploy = { ...consumer.deploy, update_config: { order: 'start-first' } };
      (consumer.environment ?? {}).CONSUMER_INSTANCE_ID = 'consumer';
      service(f, 'init').deploy = { replicas: 1 };
      service(f, 'hapi').deploy = { ...service(f, 'hapi').deploy, resources: {} };
    });
    const problems = swarmRolloutProblems(file, {
      startFirst: [],
      staticMembers: ['consumer'],
      oneShot: ONE_SHOT_SERVICES,
    });
    assert.deepEqual(problems.sort(), [
      'consumer: CONSUMER_INSTANCE_ID is consumer, expected one id per task slot ({{.Task.Slot}})',
      'consumer: update_config.order is start-first, expected stop-first',
      'hapi: no deploy.resources.limits.memory',
      'init: a one-shot must be a replicated-job or never restart',
    ]);
  });

  it('a config file that does not exist, and an observability file no container gets', () => {
    const file = broken('swarm', (f) => {
      const configs = f.configs ?? {};
      const envoy = configs.envoy;
      assert.ok(envoy);
      envoy.file = resolve(repoRoot, 'envoy/missing.yaml');
    });
    assert.deepEqual(missingPaths(file), [`${resolve(repoRoot, 'envoy/missing.yaml')} does not exist`]);
    const extra = resolve(repoRoot, 'observability/prometheus/rules/new-rules.yml');
    assert.deepEqual(undeliveredFiles(inputs.swarm, [extra]), [`${extra} is not delivered to any container`]);
    assert.deepEqual(undeliveredFiles(inputs.compose, [extra]), [], 'compose mounts the whole rules directory');
  });

  it('k6 on latest or another image, started by compose up or a stack deploy, or missing a file its script loads', () => {
    const compose = broken('compose', (f) => {
      const k6 = service(f, 'k6');
      k6.image = 'grafana/k6:latest';
      delete k6.profiles;
      k6.volumes = [];
    });
    const problems = loadRunnerProblems(compose, inputs.loadRunner);
    const scripts = inputs.loadRunner.scriptsDir;
    assert.ok(problems.includes('k6: grafana/k6:latest is not pinned to a version'), problems.join('\n'));
    assert.ok(
      problems.includes('k6: not in the load profile, so docker compose up would start a load test'),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes(`k6: ${scripts}/lib/settings.js is not delivered at /scripts/lib/settings.js`),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes(`k6: ${scripts}/scenario.json is not delivered at /scripts/scenario.json`),
      problems.join('\n'),
    );

    const swarm = broken('swarm', (f) => {
      const k6 = service(f, 'k6');
      k6.image = 'example/k6:1.0.0';
      k6.deploy = { mode: 'replicated-job', replicas: 1, restart_policy: { condition: 'on-failure' } };
      k6.configs = (k6.configs ?? []).filter(({ target }) => target !== '/scripts/lib/options.js');
      (k6.environment ?? {}).BASE_URL = 'http://fastify:3000';
    });
    assert.deepEqual(loadRunnerProblems(swarm, inputs.loadRunner), [
      'k6: image is example/k6:1.0.0, expected the official grafana/k6',
      'k6: deploy.mode is replicated-job, expected replicated (a job runs again at every deploy)',
      'k6: deploy.replicas is 1, expected 0 (a deploy must not start a load test)',
      'k6: deploy.restart_policy.condition is on-failure, expected none (a run ends)',
      `k6: BASE_URL is http://fastify:3000, expected http://envoy:${inputs.loadRunner.gatewayPort} (the gateway)`,
      `k6: ${scripts}/lib/options.js is not delivered at /scripts/lib/options.js`,
    ]);
  });

  it('a password written in the file, in a variable or a URL', () => {
    const file = broken('swarm', (f) => {
      (service(f, 'consumer').environment ?? {}).CLICKHOUSE_PASSWORD = 'hunter2';
      (service(f, 'grafana').environment ?? {}).GF_SECURITY_ADMIN_PASSWORD = 'admin';
      (service(f, 'fastify').environment ?? {}).READ_MODEL_URL = 'redis://:hunter2@valkey:6379';
    });
    const problems = passwordValueProblems(file).sort();
    assert.deepEqual(problems, [
      'consumer: CLICKHOUSE_PASSWORD is set in the file; a secret goes in a Docker secret, named by a *_FILE variable',
      'fastify: READ_MODEL_URL carries a password in its URL',
      'grafana: GF_SECURITY_ADMIN_PASSWORD is set in the file; a secret goes in a Docker secret, named by a *_FILE variable',
    ]);
    assert.ok(!problems.join('\n').includes('hunter2'), 'a problem never shows the password');
  });

  it('a *_FILE naming no secret the service mounts, a secret not declared, outside secrets/, or not external', () => {
    const compose = broken('compose', (f) => {
      (service(f, 'hapi').environment ?? {}).CLICKHOUSE_PASSWORD_FILE = '/run/secrets/clickhouse_writer_password';
      const consumer = service(f, 'consumer');
      consumer.secrets = (consumer.secrets ?? []).filter(({ source }) => source !== 'read_model_password');
      service(f, 'restify').secrets = [...(service(f, 'restify').secrets ?? []), { source: 'nope' }];
      (f.secrets ?? {}).grafana_admin_password = { file: '/tmp/grafana_admin_password' };
    });
    assert.deepEqual(secretFileProblems(compose, inputs.secrets).sort(), [
      'consumer: READ_MODEL_PASSWORD_FILE is /run/secrets/read_model_password, not a secret the service mounts',
      'hapi: CLICKHOUSE_PASSWORD_FILE is /run/secrets/clickhouse_writer_password, not a secret the service mounts',
      'restify: mounts secret nope, which the file does not declare',
      `secret grafana_admin_password: file /tmp/grafana_admin_password is not in ${inputs.secrets.composeSecretsDir}`,
    ]);
    const swarm = broken(
      'swarm',
      (f) => ((f.secrets ?? {}).read_model_password = { file: './secrets/read_model_password' }),
    );
    assert.deepEqual(secretFileProblems(swarm, inputs.secrets), [
      'secret read_model_password: not external (created with docker secret create)',
    ]);
  });

  it('a ClickHouse server without its roles, their entrypoint or secrets, or given a user', () => {
    const server = 'clickhouse-s2r1';
    const file = broken('swarm', (f) => {
      const clickhouse = service(f, server);
      clickhouse.configs = (clickhouse.configs ?? []).filter(({ source }) => source !== 'clickhouse-roles');
      clickhouse.entrypoint = ['/entrypoint.sh'];
      clickhouse.secrets = (clickhouse.secrets ?? []).filter(({ source }) => source !== 'clickhouse_migrator_password');
      clickhouse.environment = { ...clickhouse.environment, CLICKHOUSE_USER: 'badam' };
    });
    const { roles, entrypoint } = inputs.secrets.clickhouse;
    assert.deepEqual(clickhouseRoleProblems(file, inputs.secrets), [
      `${server}: ${roles.source} is not mounted at ${roles.target}`,
      `${server}: entrypoint does not run ${entrypoint.target} (the roles would have no passwords)`,
      `${server}: does not mount secret clickhouse_migrator_password`,
      `${server}: CLICKHOUSE_USER is set: the image would replace the default user by one open to the network`,
    ]);
    const withoutServer = broken('compose', (f) => delete f.services.clickhouse);
    assert.deepEqual(clickhouseRoleProblems(withoutServer, inputs.secrets), [
      `no service runs ${inputs.secrets.clickhouse.image}`,
    ]);
  });

  it('a read model store without a password, or given it on its command line', () => {
    const store = READ_MODEL_STORE.service;
    const file = broken('compose', (f) => {
      const valkey = service(f, store);
      valkey.command = ['valkey-server', '--requirepass', 'hunter2', '--save', ''];
      delete valkey.secrets;
    });
    assert.deepEqual(storePasswordProblems(file, inputs.secrets), [
      `${store}: does not mount secret read_model_password`,
      `${store}: --requirepass on the command line shows the password to every process`,
      `${store}: its command does not set requirepass from secret read_model_password`,
    ]);
  });

  it('Grafana open to anonymous viewers, or its admin password from elsewhere', () => {
    const file = broken('swarm', (f) => {
      const env = service(f, 'grafana').environment ?? {};
      env.GF_AUTH_ANONYMOUS_ENABLED = 'true';
      delete env.GF_SECURITY_ADMIN_PASSWORD__FILE;
    });
    assert.deepEqual(grafanaProblems(file, inputs.secrets), [
      'grafana: anonymous access is on (GF_AUTH_ANONYMOUS_ENABLED)',
      'grafana: GF_SECURITY_ADMIN_PASSWORD__FILE is secret (none), expected grafana_admin_password',
    ]);
  });

  it('a capability kept, new privileges allowed, a writable root, an image started as root', () => {
    const file = broken('compose', (f) => {
      const producer = service(f, 'producer');
      producer.cap_drop = ['NET_RAW'];
      producer.security_opt = [];
      delete producer.read_only;
      delete service(f, 'clickhouse').user;
      service(f, 'valkey').user = '0';
    });
    assert.deepEqual(confinementProblems(file).sort(), [
      'clickhouse: must start as 101:101 (its entrypoint would switch users with the dropped capabilities)',
      'producer: does not drop every capability (cap_drop: [ALL])',
      'producer: root filesystem is writable (read_only: true, with a tmpfs where it must write)',
      'producer: security_opt lacks no-new-privileges:true',
      'valkey: must start as 999:999 (its entrypoint would switch users with the dropped capabilities)',
      'valkey: runs as root',
    ]);
  });

  it('a port published to every address, in compose and in swarm; an overlay network without encryption', () => {
    const compose = broken('compose', (f) => {
      service(f, 'prometheus').ports = ['9090:9090/tcp', '127.0.0.1:9091:9091/tcp'];
    });
    assert.deepEqual(publishedPortProblems(compose), ['prometheus: port 9090 is published to every address']);
    const swarm = broken('swarm', (f) => {
      service(f, 'prometheus').ports = [{ mode: 'ingress', target: 9090, published: 9090, protocol: 'tcp' }];
      for (const network of Object.values(f.networks ?? {})) delete network?.driver_opts;
    });
    assert.deepEqual(publishedPortProblems(swarm), ['prometheus: port 9090 is published to every address']);
    assert.deepEqual(networkProblems(swarm), ['network badam: overlay is not encrypted']);
  });

  it('a swarm volume kept by an unpinned service, or by two services', () => {
    const file = broken('swarm', (f) => {
      delete service(f, 'clickhouse-s1r2').deploy?.placement;
      service(f, 'valkey-2').volumes = service(f, 'valkey-1').volumes;
    });
    assert.deepEqual(placementProblems(file).sort(), [
      'clickhouse-s1r2: keeps a volume but is not pinned to its node (constraint node.labels.badam.clickhouse-s1r2 == true)',
      'valkey-2: shares volume valkey-1-data with valkey-1',
    ]);
    assert.deepEqual(placementProblems(inputs.compose), [], 'compose runs on one host');
  });

  it('a swarm broker in dev-container mode, one bypassing fsync, one in developer mode with write caching on', () => {
    const file = broken('swarm', (f) => {
      const first = service(f, 'redpanda-0');
      first.command = [...commandArgs(first.command), '--mode', 'dev-container'];
      const second = service(f, 'redpanda-1');
      second.command = commandArgs(second.command).map((arg) =>
        arg === '--unsafe-bypass-fsync=false' ? '--unsafe-bypass-fsync' : arg,
      );
      const third = service(f, 'redpanda-2');
      third.command = commandArgs(third.command).map((arg) =>
        arg === 'redpanda.developer_mode=false'
          ? 'redpanda.developer_mode=true'
          : arg === 'redpanda.write_caching_default=false'
            ? 'redpanda.write_caching_default=true'
            : arg,
      );
    });
    assert.deepEqual(brokerDurabilityProblems(file), [
      'redpanda-0: --mode dev-container (dev-container bypasses fsync and acknowledges from memory)',
      'redpanda-1: --unsafe-bypass-fsync given (fsync bypassed)',
      "redpanda-2: redpanda.developer_mode is not set to false (the image's default config turns it on)",
      'redpanda-2: redpanda.write_caching_default=true (writes acknowledged before they are on disk)',
    ]);
    assert.deepEqual(brokerDurabilityProblems(inputs.compose), [], 'compose’s broker is a trial’s');
    const none = broken('swarm', (f) => {
      for (const name of ['redpanda-0', 'redpanda-1', 'redpanda-2']) delete f.services[name];
    });
    assert.deepEqual(brokerDurabilityProblems(none), ['no service runs docker.redpanda.com/redpandadata/redpanda']);
  });

  it('a swarm ClickHouse config that does not fsync inserted parts', () => {
    const clickhouse = {
      ...inputs.clusterFiles.clickhouse,
      text: inputs.clusterFiles.clickhouse.text.replace('<fsync_part_directory>1<', '<fsync_part_directory>0<'),
    };
    assert.deepEqual(clickhouseDurabilityProblems(inputs.swarm, { clickhouse }), [
      'ClickHouse config: <merge_tree> does not set fsync_part_directory to 1',
    ]);
    const none = { ...clickhouse, text: clickhouse.text.replace(/<merge_tree>[\s\S]*<\/merge_tree>/, '') };
    assert.deepEqual(clickhouseDurabilityProblems(inputs.swarm, { clickhouse: none }), [
      'ClickHouse config: <merge_tree> does not set fsync_after_insert to 1',
      'ClickHouse config: <merge_tree> does not set fsync_part_directory to 1',
    ]);
  });

  it('a Keeper node missing, at another version, without its volume, with another’s id; a raft config short of one', () => {
    const file = broken('swarm', (f) => {
      delete f.services['clickhouse-keeper-2'];
      const first = service(f, 'clickhouse-keeper-1');
      first.image = 'clickhouse/clickhouse-keeper:24.8.14.39';
      first.volumes = (first.volumes ?? []).filter((volume) => typeof volume === 'object' && volume.type === 'tmpfs');
      service(f, 'clickhouse-keeper-3').environment = { BADAM_KEEPER_ID: '1' };
    });
    const files = {
      ...inputs.clusterFiles,
      keeper: {
        ...inputs.clusterFiles.keeper,
        text: inputs.clusterFiles.keeper.text.replace(/<server><id>3<.*\n/, ''),
      },
      clickhouse: {
        ...inputs.clusterFiles.clickhouse,
        text: inputs.clusterFiles.clickhouse.text.replace(/<node><host>clickhouse-keeper-2<.*\n/, ''),
      },
    };
    assert.deepEqual(keeperProblems(file, files), [
      'keeper config: raft_configuration lists clickhouse-keeper-1, clickhouse-keeper-2, expected clickhouse-keeper-1, clickhouse-keeper-2, clickhouse-keeper-3',
      'ClickHouse config: <zookeeper> lists clickhouse-keeper-1, clickhouse-keeper-3, expected clickhouse-keeper-1, clickhouse-keeper-2, clickhouse-keeper-3',
      "clickhouse-keeper-1: Keeper 24.8.14.39 differs from the ClickHouse servers' 25.8.15.35",
      'clickhouse-keeper-1: no volume of its own at /var/lib/clickhouse',
      'clickhouse-keeper-2: no such service',
      'clickhouse-keeper-3: BADAM_KEEPER_ID is 1, which raft_configuration gives to clickhouse-keeper-1',
    ]);
  });

  it('a ClickHouse replica outside remote_servers (a shard of two), in the wrong shard, with another’s macros; a client on no cluster or with one server', () => {
    const file = broken('swarm', (f) => {
      (service(f, 'clickhouse-s1r2').environment ?? {}).BADAM_CLICKHOUSE_SHARD = '2';
      (service(f, 'clickhouse-s2r2').environment ?? {}).BADAM_CLICKHOUSE_REPLICA = 'clickhouse-s2r1';
      const s2r1 = service(f, 'clickhouse-s2r1');
      s2r1.networks = { badam: null };
      s2r1.secrets = (s2r1.secrets ?? []).filter(({ source }) => source !== 'clickhouse_interserver_secret');
      s2r1.configs = (s2r1.configs ?? []).filter(({ source }) => source !== 'clickhouse-cluster');
      (service(f, 'consumer').environment ?? {}).CLICKHOUSE_CLUSTER = '';
      (service(f, 'fastify').environment ?? {}).CLICKHOUSE_URL = 'http://clickhouse:8123';
    });
    const { clickhouse } = inputs.clusterFiles;
    const files = {
      clickhouse: { ...clickhouse, text: clickhouse.text.replace(/ *<replica><host>clickhouse-s1r1<.*\n/, '') },
    };
    assert.deepEqual(clickhouseClusterProblems(file, files), [
      'consumer: CLICKHOUSE_CLUSTER is "", expected "badam"',
      'cluster badam: shard 1 has 2 replicas, expected at least 3 (a quorum of 2 that survives one lost)',
      'fastify: CLICKHOUSE_URL does not list clickhouse-s1r1, clickhouse-s1r2, clickhouse-s1r3, clickhouse-s2r1, clickhouse-s2r2, clickhouse-s2r3 (nothing to fail over to)',
      'clickhouse-s1r1: not a replica of cluster badam (remote_servers)',
      'clickhouse-s1r2: BADAM_CLICKHOUSE_SHARD is 2, but remote_servers has it in shard 1',
      `clickhouse-s2r1: ${clickhouse.source} is not mounted at ${clickhouse.target}`,
      'clickhouse-s2r1: does not mount secret clickhouse_interserver_secret',
      "clickhouse-s2r1: does not answer to clickhouse (the clients' CLICKHOUSE_URL)",
      'clickhouse-s2r2: BADAM_CLICKHOUSE_REPLICA is clickhouse-s2r1, expected its own name (the host others fetch from)',
      "clickhouse-s2r2: macros 2/clickhouse-s2r1 are also clickhouse-s2r1's",
    ]);
    const compose = broken('compose', (f) => {
      (service(f, 'init').environment ?? {}).CLICKHOUSE_CLUSTER = 'badam';
    });
    assert.deepEqual(clickhouseClusterProblems(compose, inputs.clusterFiles), [
      'init: CLICKHOUSE_CLUSTER is "badam", expected ""',
    ]);
  });

  it('a Valkey node out of cluster mode, unnamed, without masterauth or volume; a one-shot that is a service or skips a node', () => {
    const file = broken('swarm', (f) => {
      const third = service(f, 'valkey-3');
      third.command = commandArgs(third.command).map((arg) =>
        arg === 'hostname' ? 'ip' : arg.replace(/^\s*masterauth .*$/m, '').replace('$(hostname)', 'valkey'),
      );
      third.command = third.command.map((arg, index, args) => (args[index - 1] === '--cluster-enabled' ? 'no' : arg));
      third.hostname = 'valkey';
      third.volumes = [];
      const job = service(f, 'valkey-cluster-create');
      job.deploy = { ...job.deploy, mode: 'replicated' };
      job.command = commandArgs(job.command)
        .filter((arg) => arg !== 'valkey-6:6379')
        .map((arg) => (arg === '1' ? '0' : arg));
    });
    assert.deepEqual(valkeyClusterProblems(file, inputs.clusterFiles), [
      'valkey-3: not a cluster node (--cluster-enabled yes)',
      'valkey-3: clients would get addresses, not names (--cluster-preferred-endpoint-type hostname)',
      'valkey-3: hostname is valkey, expected valkey-3',
      'valkey-3: does not announce its name (cluster-announce-hostname)',
      'valkey-3: does not set masterauth from /run/secrets/read_model_password: its replica could not sync',
      'valkey-3: no volume of its own at /data',
      'valkey-cluster-create: a replicated service, expected a replicated-job',
      'valkey-cluster-create: replicas per master is 0, expected 1',
      'valkey-cluster-create: does not list valkey-6:6379',
    ]);
    const withoutJob = broken('swarm', (f) => delete f.services['valkey-cluster-create']);
    assert.deepEqual(valkeyClusterProblems(withoutJob, inputs.clusterFiles), [
      'valkey-cluster-create: no such service',
    ]);
  });
});
