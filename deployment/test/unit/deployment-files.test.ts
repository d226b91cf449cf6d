import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '@badam/stack/paths';
import { before, describe, it } from 'node:test';
import { loadDeploymentInputs, type DeploymentInputs } from '../../src/deployment-inputs.js';
import { addressProblems } from '../../src/checks/address-checks.js';
import { missingPaths, undeliveredFiles } from '../../src/checks/file-checks.js';
import { gatewayProblems } from '../../src/checks/gateway-checks.js';
import { confinementProblems, networkProblems, publishedPortProblems } from '../../src/checks/hardening-checks.js';
import {
  envoyExposureProblems,
  envoyPublishingProblems,
  envoyScrapeProblems,
} from '../../src/checks/gateway-exposure-checks.js';
import { loadRunnerProblems } from '../../src/checks/load-runner-checks.js';
import { readModelStoreProblems } from '../../src/checks/read-model-checks.js';
import { composeOrderProblems, swarmRolloutProblems } from '../../src/checks/rollout-checks.js';
import {
  clickhouseRoleProblems,
  grafanaProblems,
  passwordValueProblems,
  secretFileProblems,
} from '../../src/checks/secret-checks.js';
import { storePasswordProblems } from '../../src/checks/store-password-checks.js';
import {
  healthcheckProblems,
  imageProblems,
  livenessProblems,
  missingServices,
  replicaProblems,
  shutdownProblems,
  topicProblems,
} from '../../src/checks/service-checks.js';
import { oneShotServicesOf, readModelStoreOf } from '../../src/deployment-services.js';
import { clickhouseClusterProblems } from '../../src/checks/clickhouse-cluster-checks.js';
import { keeperProblems } from '../../src/checks/keeper-checks.js';
import { brokerDurabilityProblems, clickhouseDurabilityProblems } from '../../src/checks/durability-checks.js';
import { placementProblems } from '../../src/checks/placement-checks.js';
import { valkeyClusterProblems } from '../../src/checks/valkey-cluster-checks.js';

/**
 * docker-compose.yml and swarm-stack.yml, as `docker-compose config` and `docker stack config` read them (both
 * validate the file and need no engine), against the rules a deployment keeps (the services' environments are
 * generated: generated-files.test.ts). checks-fail.test.ts shows each check reporting a broken copy.
 */
let inputs: DeploymentInputs;
before(async () => {
  inputs = await loadDeploymentInputs();
});

for (const kind of ['compose', 'swarm'] as const) {
  describe(`${kind === 'compose' ? 'docker-compose.yml' : 'swarm-stack.yml'}`, () => {
    const file = () => inputs[kind];
    const oneShots = oneShotServicesOf(kind);

    it('runs every service of the native stack, the read model store, and the one-shots (init, k6)', () => {
      assert.deepEqual(missingServices(file(), [...inputs.fleet, ...readModelStoreOf(kind).nodes, ...oneShots]), []);
    });

    it('gives every long-running service a healthcheck', () => {
      assert.deepEqual(healthcheckProblems(file(), oneShots), []);
    });

    it('has Docker check our services’ liveness (/live), not their readiness (/health), here and in the images', () => {
      assert.deepEqual(
        livenessProblems(file(), inputs.fleet, readFileSync(resolve(repoRoot, 'Dockerfile'), 'utf8')),
        [],
      );
    });

    it('pins every image to a version, ours to badam/<service>:<package version>', () => {
      assert.deepEqual(imageProblems(file(), inputs.ownImages), []);
    });

    it('gives the services addresses of brokers, database and store that are services of this file', () => {
      assert.deepEqual(addressProblems(file()), []);
    });

    it('runs the read model store as an unpublished, pinned Valkey cache, the address of every READ_MODEL_URL', () => {
      assert.deepEqual(readModelStoreProblems(file()), []);
    });

    it('gives every ClickHouse client the cluster its tables span: none in compose, the swarm’s cluster there', () => {
      assert.deepEqual(clickhouseClusterProblems(file(), inputs.clusterFiles), []);
    });

    it('lets every service finish its shutdown before Docker kills it', () => {
      assert.deepEqual(shutdownProblems(file()), []);
    });

    it('routes the gateway to the services of this file, by the envoy.yaml cluster names', () => {
      assert.deepEqual(gatewayProblems(inputs.envoy, file(), inputs.routedServices), []);
    });

    it('publishes only Envoy’s public listener (in swarm on each node’s own port, where client addresses survive)', () => {
      assert.deepEqual(envoyPublishingProblems(file(), inputs.envoy), []);
    });

    it('delivers the gateway and observability files, and only files that exist', () => {
      assert.deepEqual(missingPaths(file()), []);
      assert.deepEqual(undeliveredFiles(file(), inputs.requiredFiles), []);
    });

    it('runs k6 from its pinned official image, only on demand, through the gateway, with every file it loads', () => {
      assert.deepEqual(loadRunnerProblems(file(), inputs.loadRunner), []);
    });

    it('writes no password: each is a secret, named by a *_FILE variable, mounted by its service, declared for the tool', () => {
      assert.deepEqual(passwordValueProblems(file()), []);
      assert.deepEqual(secretFileProblems(file(), inputs.secrets), []);
    });

    it('logs each service in to ClickHouse as its role; the server loads the roles and their passwords', () => {
      assert.deepEqual(clickhouseRoleProblems(file(), inputs.secrets), []);
    });

    it('has the read model store ask for its password, from its secret, and gives every client that secret', () => {
      assert.deepEqual(storePasswordProblems(file(), inputs.secrets), []);
    });

    it('drops every capability, forbids new privileges, mounts roots read-only and starts no image as root', () => {
      assert.deepEqual(confinementProblems(file()), []);
    });

    it('publishes to other machines only the gateway and Grafana, and encrypts the overlay network', () => {
      assert.deepEqual(publishedPortProblems(file()), []);
      assert.deepEqual(networkProblems(file()), []);
    });

    it('has Grafana ask everyone to log in, its admin password from its secret', () => {
      assert.deepEqual(grafanaProblems(file(), inputs.secrets), []);
    });
  });
}

describe('envoy/envoy.yaml', () => {
  it('forwards the public API only, keeps the admin on loopback, and lets Prometheus read only /stats/prometheus', () => {
    assert.deepEqual(envoyExposureProblems(inputs.envoy, inputs.routedServices), []);
    assert.deepEqual(envoyScrapeProblems(inputs.prometheus, inputs.envoy), []);
  });
});

describe('docker-compose.yml', () => {
  it('creates the topic with DEFAULT_PARTITIONS partitions on its one broker', () => {
    assert.deepEqual(topicProblems(inputs.compose, { partitions: inputs.partitions, replication: 1 }), []);
  });

  it('starts the services after init succeeded, and waits only on health it can see', () => {
    assert.deepEqual(
      composeOrderProblems(inputs.compose, { dependsOnInit: inputs.fleet, oneShot: oneShotServicesOf('compose') }),
      [],
    );
  });
});

describe('swarm-stack.yml', () => {
  it('runs three replicas of the producer, the consumer and each read app', () => {
    const expected = Object.fromEntries(inputs.fleet.map((service) => [service, 3]));
    assert.deepEqual(replicaProblems(inputs.swarm, expected), []);
  });

  it('creates the topic with DEFAULT_PARTITIONS partitions, replicated over three brokers', () => {
    assert.deepEqual(topicProblems(inputs.swarm, { partitions: inputs.partitions, replication: 3 }), []);
    assert.deepEqual(missingServices(inputs.swarm, ['redpanda-0', 'redpanda-1', 'redpanda-2']), []);
  });

  it('rolls stateless services start-first, static consumers stop-first, and runs init once', () => {
    const problems = swarmRolloutProblems(inputs.swarm, {
      startFirst: inputs.fleet.filter((service) => service !== 'consumer'),
      staticMembers: ['consumer'],
      oneShot: oneShotServicesOf('swarm'),
    });
    assert.deepEqual(problems, []);
  });

  it('pins every service that keeps a volume to its labelled node, and shares no volume', () => {
    assert.deepEqual(placementProblems(inputs.swarm), []);
  });

  it('runs the swarm’s brokers in production mode: nothing acknowledged before it is fsynced', () => {
    assert.deepEqual(brokerDurabilityProblems(inputs.swarm), []);
  });

  it('has the swarm’s ClickHouse servers fsync every inserted part before the insert returns', () => {
    assert.deepEqual(clickhouseDurabilityProblems(inputs.swarm, inputs.clusterFiles), []);
  });

  it('runs three Keeper nodes, at the servers’ version, each its raft id, all three in the raft config', () => {
    assert.deepEqual(keeperProblems(inputs.swarm, inputs.clusterFiles), []);
  });

  it('runs ClickHouse as 2 shards x 3 replicas: each in remote_servers, its own macros, volume and the secret; clients list every server', () => {
    assert.deepEqual(clickhouseClusterProblems(inputs.swarm, inputs.clusterFiles), []);
  });

  it('runs the read model as a Valkey cluster of named nodes, formed once by its one-shot', () => {
    assert.deepEqual(valkeyClusterProblems(inputs.swarm, inputs.clusterFiles), []);
  });
});
