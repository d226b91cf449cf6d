import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import { serverUrls } from '../../src/clickhouse/client.js';
import { failoverClient } from '../../src/clickhouse/failover-client.js';
import { createServerRotation, serverFailure } from '../../src/clickhouse/server-failover.js';
import { httpUrls } from '../../src/config/env-vars.js';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}
const serverError = Object.assign(new Error('Code: 289, e.displayText() = DB::Exception: Replica lacks a part'), {
  code: '289',
});

/** A server's client whose every call answers `outcome` (a value, or an error thrown), counting the calls. */
function fakeServer(outcome: unknown) {
  const calls: string[] = [];
  const answer = async (method: string) => {
    calls.push(method);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const client = {
    query: () => answer('query'),
    insert: () => answer('insert'),
    command: () => answer('command'),
    exec: () => answer('exec'),
    ping: async () => {
      calls.push('ping');
      return outcome instanceof Error ? { success: false, error: outcome } : { success: true };
    },
    close: async () => {},
  };
  return { calls, client: client as unknown as ClickHouseClient };
}

function cluster(...outcomes: unknown[]) {
  const servers = outcomes.map((outcome, i) => ({ url: `http://s${i}`, ...fakeServer(outcome) }));
  const events: string[] = [];
  const client = failoverClient(servers, 60_000, ({ from, to }) => events.push(`${from}>${to}`));
  return { servers, client, events };
}

describe('which failures send a request to another ClickHouse server (server-failover.ts)', () => {
  it('unreachable: never received; cut off: no whole answer; answered: the server said no', () => {
    assert.equal(serverFailure(networkError('ECONNREFUSED')), 'unreachable');
    assert.equal(serverFailure(new Error('wrapped', { cause: networkError('EHOSTUNREACH') })), 'unreachable');
    assert.equal(serverFailure(networkError('ECONNRESET')), 'cut-off');
    assert.equal(serverFailure(new Error('Timeout error.')), 'cut-off');
    assert.equal(serverFailure(new Error('socket hang up')), 'cut-off');
    assert.equal(serverFailure(serverError), 'behind');
    assert.equal(
      serverFailure(new Error("Code: 289, e.displayText() = DB::Exception: Replica doesn't have part")),
      'behind',
    );
    assert.equal(serverFailure(Object.assign(new Error('Code: 62. Syntax error'), { code: '62' })), 'answered');
    assert.equal(serverFailure('not an error'), 'answered');
  });

  it('tries live servers in the listed order, a failed one last until its backoff ends', () => {
    const rotation = createServerRotation(3, 1000);
    assert.deepEqual(rotation.order(0), [0, 1, 2]);
    rotation.failed(0, 0);
    assert.deepEqual(rotation.order(500), [1, 2, 0]);
    assert.equal(rotation.isDown(0, 500), true);
    assert.deepEqual(rotation.order(1000), [0, 1, 2]);
    rotation.failed(1, 0);
    rotation.answered(1);
    assert.deepEqual(rotation.order(10), [1, 2, 0]);
  });
});

describe('one client over a cluster’s servers (failover-client.ts)', () => {
  it('a read the first server cannot answer goes to the next, which later requests then start with', async () => {
    const { servers, client, events } = cluster(networkError('ECONNRESET'), 'rows', 'other');
    assert.equal(await client.query({ query: 'SELECT 1' }), 'rows');
    assert.equal(await client.query({ query: 'SELECT 1' }), 'rows');
    assert.deepEqual(
      servers.map((s) => s.calls.length),
      [1, 2, 0],
    );
    assert.deepEqual(events, ['http://s0>http://s1']);
  });

  it('a server that answered with an error is alive: the error is the answer, nothing is retried', async () => {
    const syntax = Object.assign(new Error('Code: 62. Syntax error'), { code: '62' });
    const { servers, client } = cluster(syntax, 'rows');
    await assert.rejects(client.query({ query: 'SELECT 1' }), /Code: 62/);
    assert.deepEqual(
      servers.map((s) => s.calls.length),
      [1, 0],
    );
  });

  it('a replica behind (289) is asked no read it lacks the parts for: the next one is, and it stays first', async () => {
    const { servers, client } = cluster(serverError, 'rows');
    assert.equal(await client.query({ query: 'SELECT 1' }), 'rows');
    await client.query({ query: 'SELECT 1' });
    assert.deepEqual(
      servers.map((s) => s.calls.length),
      [2, 2],
    );
  });

  it('a write moves on only when the first server never got it: one cut off may have been applied', async () => {
    const refused = cluster(networkError('ECONNREFUSED'), 'stored');
    assert.equal(await refused.client.insert({ table: 't', values: [{ a: 1 }], format: 'JSONEachRow' }), 'stored');
    assert.equal(await refused.client.command({ query: 'INSERT INTO t VALUES (1)' }), 'stored');

    const cut = cluster(networkError('ECONNRESET'), 'stored');
    await assert.rejects(cut.client.insert({ table: 't', values: [{ a: 1 }], format: 'JSONEachRow' }), /ECONNRESET/);
    assert.deepEqual(
      cut.servers.map((s) => s.calls.length),
      [1, 0],
    );
    // ...but the caller's retry (the consumer's, after re-reading its heads) goes to the live server.
    assert.equal(await cut.client.insert({ table: 't', values: [{ a: 1 }], format: 'JSONEachRow' }), 'stored');
  });

  it('fails only when every server gave no answer, with the last error; ping answers when any server does', async () => {
    const { client } = cluster(networkError('ECONNREFUSED'), networkError('ETIMEDOUT'));
    await assert.rejects(client.query({ query: 'SELECT 1' }), /ETIMEDOUT/);
    assert.equal((await client.ping()).success, false);
    assert.equal((await cluster(networkError('ECONNREFUSED'), 'ok').client.ping()).success, true);
  });
});

describe('CLICKHOUSE_URL: one server or a list, checked at startup', () => {
  const spec = httpUrls('servers');
  it('takes comma-separated http(s) URLs, in order', () => {
    assert.deepEqual(spec.parse('http://a:8123, http://b:8123', 'CLICKHOUSE_URL'), ['http://a:8123', 'http://b:8123']);
    assert.deepEqual(serverUrls('http://a:8123,http://b:8123'), ['http://a:8123', 'http://b:8123']);
  });
  it('names what is wrong: not a URL, not http, a server twice', () => {
    assert.throws(
      () => spec.parse('http://a:8123,nope', 'CLICKHOUSE_URL'),
      /must be http\(s\):\/\/host:port \(or several, comma-separated\), got "nope"/,
    );
    assert.throws(() => spec.parse('redis://a:1', 'CLICKHOUSE_URL'), /must be http\(s\)/);
    assert.throws(() => spec.parse('http://a:1,http://a:1', 'CLICKHOUSE_URL'), /lists a server twice/);
    assert.throws(() => spec.parse(' , ', 'CLICKHOUSE_URL'), /at least one/);
  });
});
