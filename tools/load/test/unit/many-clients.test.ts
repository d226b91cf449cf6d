import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LOCUST_PYTHON } from '../../src/locust.js';
import { manyClientsEnv } from '../../src/many-clients.js';

const run = promisify(execFile);

/**
 * The load generators, preloaded with many-clients.so, reach a loopback server from one address per connection
 * (127.1.x.y), where without it every connection comes from 127.0.0.1: what the gateway's per-client limit sees.
 */
describe('many-clients.so', () => {
  const seen = new Set<string>();
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      seen.add(req.socket.remoteAddress ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const wrk = (env: NodeJS.ProcessEnv) => run('wrk', ['-t', '1', '-c', '8', '-d', '1s', url], { env });

  it('gives each of wrk’s connections its own loopback address', async () => {
    seen.clear();
    await wrk(manyClientsEnv());
    assert.equal(seen.size, 8, [...seen].join(' '));
    assert.ok(
      [...seen].every((address) => /^127\.1\.\d+\.\d+$/.test(address)),
      [...seen].join(' '),
    );
  });

  it('does the same for Locust’s HTTP client (gevent, from Python)', async () => {
    seen.clear();
    const script = [
      'from gevent import monkey; monkey.patch_all()',
      'import gevent, sys',
      'from geventhttpclient import HTTPClient',
      'from geventhttpclient.url import URL',
      'def user():',
      '    client = HTTPClient.from_url(URL(sys.argv[1]))',
      '    for _ in range(3): client.get("/").read()',
      'gevent.joinall([gevent.spawn(user) for _ in range(5)])',
    ].join('\n');
    await run(LOCUST_PYTHON, ['-c', script, url], { env: manyClientsEnv() });
    assert.equal(seen.size, 5, [...seen].join(' '));
    assert.ok(
      [...seen].every((address) => address.startsWith('127.1.')),
      [...seen].join(' '),
    );
  });

  it('without it, every connection comes from 127.0.0.1 (the check above can fail)', async () => {
    seen.clear();
    await wrk({ ...process.env, LD_PRELOAD: '' });
    assert.deepEqual([...seen], ['127.0.0.1']);
  });
});
