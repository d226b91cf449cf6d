import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouseClient } from '@badam/pipeline';
import { localClickHouse } from '@badam/stack/infra/clickhouse';
import type { ClickHouseServers } from '@badam/stack/infra/clickhouse/servers';
import { repoRoot } from '@badam/stack/paths';
import { testInfra, uniqueName, type Cleanup } from '@badam/test-kit/fixtures';
import { startTestClickHouse } from '@badam/test-kit/test-clickhouse';

// init on a cluster (CLICKHOUSE_CLUSTER): the tables matching the cluster's shape on every server, again and again
// without harm; a cluster the server does not know stops it at once, saying so.

const INIT = join(repoRoot, 'services/init/dist/src/main.js');

function runInit(servers: ClickHouseServers, table: string, cluster: string) {
  return promisify(execFile)(process.execPath, [INIT], {
    env: {
      ...process.env,
      KAFKA_BROKERS: testInfra().kafka.brokers.join(','),
      KAFKA_TOPIC: uniqueName('init-topic'),
      KAFKA_TOPIC_PARTITIONS: '2',
      CLICKHOUSE_URL: servers.servers[0]?.url ?? '',
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_TABLE: table,
      CLICKHOUSE_CLUSTER: cluster,
      INIT_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'info',
    },
  });
}

async function tablesOn(t: Cleanup, url: string, table: string): Promise<string[]> {
  const client: ClickHouseClient = createClickHouseClient(localClickHouse(url));
  t.after(() => client.close());
  const rows = await (
    await client.query({
      query: `SELECT name, engine FROM system.tables WHERE database = 'default' AND name LIKE '${table}%' ORDER BY name`,
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine: string }>();
  return rows.map((row) => `${row.name} ${row.engine}`);
}

describe('init on a ClickHouse cluster', () => {
  it('sharded: replicated tables and Distributed ones over them on every server; a second run changes nothing', async (t) => {
    const servers = await startTestClickHouse(t, 'sharded');
    const table = uniqueName('init');
    await runInit(servers, table, 'badam');
    await runInit(servers, table, 'badam');
    for (const server of servers.servers) {
      assert.deepEqual(
        await tablesOn(t, server.url, table),
        [
          `${table} Distributed`,
          `${table}_keys Distributed`,
          `${table}_keys_local ReplicatedReplacingMergeTree`,
          `${table}_local ReplicatedReplacingMergeTree`,
        ],
        server.url,
      );
    }
  });

  it('a cluster the server does not know: exits at once, naming it', async (t) => {
    const servers = await startTestClickHouse(t, 'replicated');
    const started = Date.now();
    await assert.rejects(runInit(servers, uniqueName('init'), 'nope'), (error: Error & { stderr?: string }) => {
      assert.match(error.stderr ?? '', /ClickHouse knows no cluster "nope"/);
      return true;
    });
    assert.ok(Date.now() - started < 30_000, 'not retried until the deadline');
  });
});
