import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clickhouseUrlOf, serviceEnvironment, type FleetInfra, type FleetOptions } from '../../src/fleet.js';
import { clusterConfig } from '../../src/infra/clickhouse/server-config.js';
import { clickhouseNodes, clusterOf } from '../../src/infra/clickhouse/topology.js';
import { stackSecrets } from '../../src/infra/stack-secrets.js';

const base = { httpPort: 31123, tcpPort: 31900 };

describe('ClickHouse topologies', () => {
  it('single is one server on the base ports, in the folder it always had, with no cluster', () => {
    assert.deepEqual(clickhouseNodes('single', base), [
      { name: 'clickhouse', shard: 1, replica: 1, httpPort: 31123, tcpPort: 31900, interserverPort: 31128 },
    ]);
    assert.equal(clusterOf('single'), '');
  });

  it('replicated is one shard of three replicas; sharded two shards of three, shard by shard', () => {
    const place = (topology: 'replicated' | 'sharded') =>
      clickhouseNodes(topology, base).map((n) => [n.name, n.shard, n.replica]);
    assert.deepEqual(place('replicated'), [
      ['clickhouse', 1, 1],
      ['clickhouse-2', 1, 2],
      ['clickhouse-3', 1, 3],
    ]);
    assert.deepEqual(place('sharded'), [
      ['clickhouse', 1, 1],
      ['clickhouse-2', 1, 2],
      ['clickhouse-3', 1, 3],
      ['clickhouse-4', 2, 1],
      ['clickhouse-5', 2, 2],
      ['clickhouse-6', 2, 3],
    ]);
    assert.equal(clusterOf('sharded'), 'badam');
  });

  it('gives server i the base ports + 10 i and distinct interserver ports', () => {
    const nodes = clickhouseNodes('sharded', base);
    assert.deepEqual(
      nodes.map((n) => n.httpPort),
      [31123, 31133, 31143, 31153, 31163, 31173],
    );
    assert.deepEqual(
      nodes.map((n) => n.tcpPort),
      [31900, 31910, 31920, 31930, 31940, 31950],
    );
    const all = nodes.flatMap((n) => [n.httpPort, n.tcpPort, n.interserverPort]);
    assert.equal(new Set(all).size, all.length);
  });

  it('lists every server in the badam cluster, grouped by shard, and gives each its own macros', () => {
    const nodes = clickhouseNodes('sharded', base);
    const xml = clusterConfig(nodes[4] as (typeof nodes)[number], nodes, 31181);
    assert.equal(xml.match(/<shard>\s*<internal_replication>true/g)?.length, 2);
    assert.match(
      xml,
      /<replica><host>127.0.0.1<\/host><port>31930<\/port><\/replica>\s*<replica><host>127.0.0.1<\/host><port>31940<\/port><\/replica>\s*<replica><host>127.0.0.1<\/host><port>31950<\/port>/,
    );
    assert.match(xml, /<macros>\s*<shard>2<\/shard>\s*<replica>2<\/replica>/);
    assert.match(xml, /<port>31181<\/port>/);
    assert.match(xml, /<session_timeout_ms>10000<\/session_timeout_ms>/, 'a dead server leaves ZooKeeper within 10 s');
    assert.match(xml, /<interserver_http_port>31168<\/interserver_http_port>/);
  });
});

describe('the fleet on a cluster', () => {
  const servers = ['http://127.0.0.1:1', 'http://127.0.0.1:2'].map((url) => ({ url }));
  const infra: FleetInfra = {
    kafka: { brokers: ['127.0.0.1:9'], clientId: 'x' },
    clickhouse: { url: 'http://127.0.0.1:1', database: 'default' },
    clickhouseCluster: 'badam',
    clickhouseServers: servers,
    readModelUrl: 'redis://127.0.0.1:3',
    readModelMode: 'standalone',
    secrets: stackSecrets('/stack-data'),
  };

  it('deals the servers out round robin: consumer i on server i, each read app one further, the others after', () => {
    assert.deepEqual(
      [0, 1, 2].map((replica) => clickhouseUrlOf(infra, 'consumer', replica)),
      [
        'http://127.0.0.1:1,http://127.0.0.1:2',
        'http://127.0.0.1:2,http://127.0.0.1:1',
        'http://127.0.0.1:1,http://127.0.0.1:2',
      ],
    );
    assert.deepEqual(
      (['fastify', 'hapi', 'restify'] as const).map((app) => clickhouseUrlOf(infra, app, 0)),
      [
        'http://127.0.0.1:2,http://127.0.0.1:1',
        'http://127.0.0.1:1,http://127.0.0.1:2',
        'http://127.0.0.1:2,http://127.0.0.1:1',
      ],
    );
  });

  it('uses the one server when given no list', () => {
    const { clickhouseServers: _, ...single } = infra;
    assert.equal(clickhouseUrlOf(single, 'consumer', 1), 'http://127.0.0.1:1');
  });

  it('tells the services the cluster (CLICKHOUSE_CLUSTER), and nothing for the producer', () => {
    const options: FleetOptions = {
      dataDir: '/stack-data',
      infra,
      topic: 't',
      table: 'messages',
      basePort: 4000,
      replicas: 1,
      consumers: 2,
    };
    assert.equal(serviceEnvironment(options, 'consumer', 1, 4042).CLICKHOUSE_CLUSTER, 'badam');
    assert.equal(
      serviceEnvironment(options, 'consumer', 1, 4042).CLICKHOUSE_URL,
      'http://127.0.0.1:2,http://127.0.0.1:1',
    );
    assert.equal(serviceEnvironment(options, 'hapi', 0, 4021).CLICKHOUSE_CLUSTER, 'badam');
    assert.equal(serviceEnvironment(options, 'producer', 0, 4001).CLICKHOUSE_CLUSTER, undefined);
  });
});
