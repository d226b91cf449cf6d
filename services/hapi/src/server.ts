import { runReadApp } from '@badam/pipeline/read-app';
import { buildHapiApp } from './app.js';

await runReadApp('hapi', async ({ reader, logger, metrics, config }) => {
  const server = buildHapiApp({ reader, logger, metrics, host: config.HOST, port: config.PORT });
  await server.start();
  return { close: () => server.stop({ timeout: config.SHUTDOWN_GRACE_MS }) };
});
