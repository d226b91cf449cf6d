import { runReadApp } from '@badam/pipeline';
import { buildFastifyApp } from './app.js';

await runReadApp('fastify', async ({ reader, logger, config }) => {
  const app = buildFastifyApp({ reader, logger });
  await app.listen({ host: config.HOST, port: config.PORT });
  return { close: () => app.close() };
});
