import { once } from 'node:events';
import { runReadApp } from '@badam/pipeline';
import { buildRestifyApp } from './app.js';

await runReadApp('restify', async ({ reader, logger, config }) => {
  const server = buildRestifyApp({ reader, logger });
  server.listen(config.PORT, config.HOST);
  await once(server, 'listening');
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
});
