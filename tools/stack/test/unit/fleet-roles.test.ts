import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceEnvironment, type FleetOptions } from '../../src/fleet.js';
import { stackSecrets } from '../../src/infra/stack-secrets.js';

describe('the fleet’s services', () => {
  const secrets = stackSecrets('/stack-data');
  const options: FleetOptions = {
    dataDir: '/stack-data',
    infra: {
      kafka: { brokers: ['127.0.0.1:1'], clientId: 'x' },
      clickhouse: { url: 'http://127.0.0.1:2', database: 'default' },
      readModelUrl: 'redis://127.0.0.1:3',
      readModelMode: 'standalone',
      secrets,
    },
    topic: 'messages',
    table: 'messages',
    basePort: 4000,
    replicas: 1,
    consumers: 1,
  };

  it('log in to ClickHouse as their role, with the file of that role’s password (as in Docker)', () => {
    for (const [service, role] of [
      ['fastify', 'reader'],
      ['hapi', 'reader'],
      ['restify', 'reader'],
      ['consumer', 'writer'],
    ] as const) {
      const env = serviceEnvironment(options, service, 0, 4001);
      assert.equal(env.CLICKHOUSE_USER, role, service);
      assert.equal(env.CLICKHOUSE_PASSWORD_FILE, secrets.path(`clickhouse_${role}_password`), service);
      assert.equal(env.READ_MODEL_PASSWORD_FILE, secrets.path('read_model_password'), service);
      assert.equal(env.CLICKHOUSE_PASSWORD, undefined, service);
    }
  });

  it('give the producer, which never reaches ClickHouse or the store, no credentials', () => {
    const env = serviceEnvironment(options, 'producer', 0, 4001);
    assert.deepEqual(
      Object.keys(env).filter((key) => /CLICKHOUSE|READ_MODEL/.test(key)),
      [],
    );
  });
});
