import { runReadApp } from '@badam/pipeline/read-app';
import { buildFastifyApp } from './app.js';

await runReadApp('fastify', async ({ reader, logger, metrics, config }) => {
  const app = buildFastifyApp({ reader, logger, metrics });
  await app.listen({ host: config.HOST, port: config.PORT });
  return { close: () => app.close() };
});
