import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DeploymentFile } from '../../../src/deployment/deployment-file.js';
import { loadDeploymentInputs, type DeploymentInputs } from '../../../src/deployment/deployment-inputs.js';
import { confinementProblems, networkProblems, publishedPortProblems } from '../../../src/deployment/hardening-checks.js';

/** How the containers are confined and what is reachable from other machines, in both files, and each rule failing. */
let inputs: DeploymentInputs;
before(async () => {
  inputs = await loadDeploymentInputs();
});

function broken(kind: 'compose' | 'swarm', change: (file: DeploymentFile) => void): DeploymentFile {
  const copy = structuredClone(inputs[kind]);
  change(copy);
  return copy;
}

for (const kind of ['compose', 'swarm'] as const) {
  describe(kind === 'compose' ? 'docker-compose.yml' : 'swarm-stack.yml', () => {
    it('drops every capability, forbids new privileges, mounts roots read-only and starts no image as root', () => {
      assert.deepEqual(confinementProblems(inputs[kind]), []);
    });

    it('publishes to other machines only the gateway and Grafana', () => {
      assert.deepEqual(publishedPortProblems(inputs[kind]), []);
    });

    it('encrypts the overlay network between nodes', () => {
      assert.deepEqual(networkProblems(inputs[kind]), []);
    });
  });
}

describe('the confinement checks report', () => {
  it('a capability kept, new privileges allowed, a writable root, an image started as root', () => {
    const file = broken('compose', (f) => {
      const { producer, clickhouse, valkey } = f.services;
      assert.ok(producer && clickhouse && valkey);
      producer.cap_drop = ['NET_RAW'];
      producer.security_opt = [];
      delete producer.read_only;
      delete clickhouse.user;
      valkey.user = '0';
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

  it('a port published to every address, in compose and in swarm', () => {
    const compose = broken('compose', (f) => {
      f.services.prometheus!.ports = ['9090:9090/tcp', '127.0.0.1:9091:9091/tcp'];
    });
    assert.deepEqual(publishedPortProblems(compose), ['prometheus: port 9090 is published to every address']);
    const swarm = broken('swarm', (f) => {
      f.services.prometheus!.ports = [{ mode: 'ingress', target: 9090, published: 9090, protocol: 'tcp' }];
    });
    assert.deepEqual(publishedPortProblems(swarm), ['prometheus: port 9090 is published to every address']);
  });

  it('an overlay network without encryption', () => {
    const swarm = broken('swarm', (f) => {
      for (const network of Object.values(f.networks ?? {})) delete network?.driver_opts;
    });
    assert.deepEqual(networkProblems(swarm), ['network badam: overlay is not encrypted']);
  });
});
