import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import {
  createClickHouseClient,
  createMessagesRepository,
  keysTable,
  migrate,
  quoteIdentifier,
  type ClickHouseRole,
  type MessageRow,
} from '@badam/pipeline';
import type { ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { roleClickHouse } from '@badam/stack/infra/clickhouse';
import { READ_MODEL_PASSWORD_SECRET } from '@badam/stack/infra/stack-secrets';
import { createTestClickHouse, createTestTable, testInfra, uniqueName, type Cleanup } from '@badam/test-kit/fixtures';

/**
 * The ClickHouse roles (pipeline/runtime/src/clickhouse/roles.ts) as the test run's server has them, the same file the Docker
 * images load: each service's user can do its work and is refused the rest. (18.16 has no grants: what is proved here
 * is the profiles' part, readonly and allow_ddl; docs/DEPLOY.md, "Security".)
 */
function roleClient(t: Cleanup, role: ClickHouseRole): ClickHouseClient {
  const { clickhouse, secrets } = testInfra();
  const client = createClickHouseClient(roleClickHouse(clickhouse, role, secrets));
  t.after(() => client.close());
  return client;
}

function row(groupId: number, order: number): MessageRow {
  return {
    group_id: groupId,
    order,
    sender_id: 1,
    text: `message ${order}`,
    created_at_ms: 1_700_000_000_000,
    kafka_partition: 0,
    kafka_offset: order,
  };
}

const READ_ONLY = /readonly mode/i;
const NO_DDL = /DDL queries are prohibited/i;

describe('the ClickHouse roles', () => {
  it('reader (the read apps): reads, and is refused writes, DDL and leaving readonly', async (t) => {
    const admin = createTestClickHouse(t);
    const table = await createTestTable(t, admin);
    await createMessagesRepository(admin, table).insert([row(1, 1), row(1, 2)]);
    const reader = roleClient(t, 'reader');

    const page = await createMessagesRepository(reader, table).readPage({ groupId: 1, limit: 10, before: undefined });
    assert.deepEqual(
      page.messages.map((m) => m.order),
      [2, 1],
    );
    await assert.rejects(reader.insert({ table, values: [row(1, 3)], format: 'JSONEachRow' }), READ_ONLY);
    await assert.rejects(reader.command({ query: `DROP TABLE ${quoteIdentifier(table)}` }), READ_ONLY);
    await assert.rejects(
      reader.command({ query: `CREATE TABLE ${quoteIdentifier(uniqueName('reader'))} (a UInt8) ENGINE = Memory` }),
      READ_ONLY,
    );
    // As a URL parameter (how the client sends settings) and as a SET: readonly=1 allows no setting to change.
    await assert.rejects(reader.query({ query: 'SELECT 1', clickhouse_settings: { readonly: '0' } }), READ_ONLY);
    await assert.rejects(reader.command({ query: 'SET readonly = 0' }), READ_ONLY);
    assert.equal(await countRows(admin, table), 2);
  });

  it('writer (the consumers): reads and inserts, and is refused DROP, CREATE, ALTER, TRUNCATE and allow_ddl', async (t) => {
    const admin = createTestClickHouse(t);
    const table = await createTestTable(t, admin);
    const writer = roleClient(t, 'writer');
    const repository = createMessagesRepository(writer, table);

    await repository.insert([row(5, 1), row(5, 2)]);
    await repository.indexKeys([{ group_id: 5, idempotency_hash: 0, order: 2 }]);
    const { heads } = await repository.groupHeads(new Map([[5, []]]));
    assert.equal(heads.get(5)?.maxOrder, 2);

    const name = quoteIdentifier(table);
    await assert.rejects(writer.command({ query: `DROP TABLE ${name}` }), NO_DDL);
    await assert.rejects(writer.command({ query: `DROP TABLE ${quoteIdentifier(keysTable(table))}` }), NO_DDL);
    await assert.rejects(
      writer.command({ query: `CREATE TABLE ${quoteIdentifier(uniqueName('writer'))} (a UInt8) ENGINE = Memory` }),
      NO_DDL,
    );
    await assert.rejects(writer.command({ query: `ALTER TABLE ${name} ADD COLUMN extra UInt8` }), NO_DDL);
    await assert.rejects(writer.command({ query: `ALTER TABLE ${name} DELETE WHERE 1` }), NO_DDL);
    await assert.rejects(writer.command({ query: `TRUNCATE TABLE ${name}` }), NO_DDL);
    await assert.rejects(writer.command({ query: 'SET allow_ddl = 1' }), /Cannot modify 'allow_ddl'/);
    assert.equal(await countRows(admin, table), 2);
  });

  it('migrator (init): applies the migrations to a new table and again to a migrated one', async (t) => {
    const admin = createTestClickHouse(t);
    const table = uniqueName('messages_roles');
    t.after(async () => {
      await admin.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(table)}` });
      await admin.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(keysTable(table))}` });
    });
    const migrator = roleClient(t, 'migrator');
    await migrate(migrator, table);
    await migrate(migrator, table);
    const columns = await (
      await admin.query({ query: `DESCRIBE TABLE ${quoteIdentifier(table)}`, format: 'JSONEachRow' })
    ).json<{ name: string }>();
    assert.ok(
      columns.some((column) => column.name === 'kafka_topic_id'),
      'the last migration ran',
    );
  });

  it('refuse a wrong password, and the default user from anywhere but the server’s own machine', async (t) => {
    const { clickhouse, secrets } = testInfra();
    const wrong = createClickHouseClient({
      ...roleClickHouse(clickhouse, 'reader', secrets),
      password: 'not-the-password',
    });
    t.after(() => wrong.close());
    await assert.rejects(wrong.query({ query: 'SELECT 1' }), /Wrong password/i);
    // 127.0.0.2 is this machine too, but not an address the default user may come from: as another host would be.
    const url = new URL(clickhouse.url);
    assert.match(
      await postQuery(url, 'SELECT 1', 'default', '127.0.0.2'),
      /not allowed to connect from address 127\.0\.0\.2/,
    );
    assert.equal((await postQuery(url, 'SELECT 1', 'default', '127.0.0.1')).trim(), '1');
  });
});

describe('the read model store', () => {
  it('refuses a client without its password', async (t) => {
    // The store's server, or a cluster's first node.
    const readModelUrl = testInfra().readModelUrl.split(',')[0]!;
    const { secrets } = testInfra();
    // No ready check: it would fail on its own (INFO needs the password too) before the command under test.
    const anonymous = new Redis(readModelUrl, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    t.after(() => anonymous.disconnect());
    await anonymous.connect();
    await assert.rejects(anonymous.get('x'), /NOAUTH/);
    const client = new Redis(readModelUrl, { password: secrets.value(READ_MODEL_PASSWORD_SECRET), lazyConnect: true });
    t.after(() => client.disconnect());
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
  });
});

async function countRows(client: ClickHouseClient, table: string): Promise<number> {
  const result = await client.query({
    query: `SELECT count() AS rows FROM ${quoteIdentifier(table)}`,
    format: 'JSONEachRow',
  });
  const [first] = await result.json<{ rows: string }>();
  return Number(first?.rows);
}

/** A query over HTTP from a chosen local address (the client library cannot pick one); resolves with the body. */
function postQuery(url: URL, query: string, user: string, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: `/?user=${encodeURIComponent(user)}`, method: 'POST', localAddress },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end(query);
  });
}
