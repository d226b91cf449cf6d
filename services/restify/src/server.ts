import { once } from 'node:events';
import { closeServerGracefully } from '@badam/pipeline/core';
import { runReadApp } from '@badam/pipeline/read-app';
import { buildRestifyApp } from './app.js';

await runReadApp('restify', async ({ reader, logger, metrics, config }) => {
  const server = buildRestifyApp({ reader, logger, metrics });
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  return { close: () => closeServerGracefully(server.server) };
});
