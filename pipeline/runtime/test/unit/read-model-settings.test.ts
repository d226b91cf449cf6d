import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, readConfig } from '../../src/config/env.js';
import { pageStoreConnection } from '../../src/config/page-store-connection.js';
import { readModelSettings } from '../../src/config/shared-settings.js';

function connection(env: Record<string, string>) {
  return pageStoreConnection({ ...readConfig(readModelSettings, env), CLICKHOUSE_TABLE: 'messages' });
}

describe('the read model settings', () => {
  it('default to one standalone server, as before clusters', () => {
    assert.deepEqual(connection({}), {
      urls: ['redis://127.0.0.1:16379'],
      mode: 'standalone',
      password: '',
      keyPrefix: 'messages:',
      commandTimeoutMs: 100,
    });
  });

  it('take a cluster as comma-separated seed nodes', () => {
    const seeds = 'redis://valkey-1:6379, redis://valkey-2:6379,redis://valkey-3:6379';
    const { urls, mode } = connection({ READ_MODEL_URL: seeds, READ_MODEL_MODE: 'cluster' });
    assert.deepEqual(urls, ['redis://valkey-1:6379', 'redis://valkey-2:6379', 'redis://valkey-3:6379']);
    assert.equal(mode, 'cluster');
  });

  it('keep a standalone database number', () => {
    assert.deepEqual(connection({ READ_MODEL_URL: 'redis://store:6379/3' }).urls, ['redis://store:6379/3']);
  });

  it('refuse what is not redis://host:port[/db], and an unknown mode, naming the variable', () => {
    for (const [env, message] of [
      [
        { READ_MODEL_URL: 'http://store:6379' },
        /READ_MODEL_URL: must be redis:\/\/host:port\[\/db\] \(or several, comma-separated\), got "http:/,
      ],
      [
        { READ_MODEL_URL: 'redis://a:1,store:6379' },
        /READ_MODEL_URL: must be redis:\/\/host:port\[\/db\] \(or several, comma-separated\), got "store:6379"/,
      ],
      [{ READ_MODEL_URL: 'redis://store:6379/x' }, /READ_MODEL_URL: must be redis/],
      [{ READ_MODEL_MODE: 'sentinel' }, /READ_MODEL_MODE: must be one of standalone, cluster, got "sentinel"/],
    ] as const) {
      assert.throws(
        () => connection(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });

  it('refuse several servers in standalone mode, and a database other than 0 in a cluster', () => {
    assert.throws(
      () => connection({ READ_MODEL_URL: 'redis://a:6379,redis://b:6379' }),
      (error: unknown) =>
        error instanceof ConfigError && /names 2 servers, but READ_MODEL_MODE is standalone/.test(error.message),
    );
    assert.throws(
      () => connection({ READ_MODEL_URL: 'redis://a:6379,redis://b:6379/1', READ_MODEL_MODE: 'cluster' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /redis:\/\/b:6379\/1 names database 1, but a cluster \(READ_MODEL_MODE=cluster\) has only database 0/.test(
          error.message,
        ),
    );
  });
});
