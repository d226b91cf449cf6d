import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServerGracefully } from '@badam/pipeline/core';
import { readAppContract, type ContractResponse } from '@badam/pipeline/read-app-contract';
import { buildRestifyApp } from '../../src/app.js';

// The shared read app contract over a stub reader (no ClickHouse, no read model). restify has no injection: the app
// listens on a port of its own on loopback, and each request goes out with its path as written (fetch would
// normalise it) on a connection of its own.
readAppContract('restify', async (t, options) => {
  const server = buildRestifyApp(options);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => closeServerGracefully(server.server));
  const { port } = server.server.address() as AddressInfo;
  return { get: (path) => get(port, path) };
});

function get(port: number, path: string): Promise<ContractResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
