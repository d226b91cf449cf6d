import { readAppContract } from '@badam/pipeline/read-app-contract';
import { buildHapiApp } from '../../src/app.js';

// The shared read app contract, requests injected (no port), over a stub reader (no ClickHouse, no read model).
readAppContract('hapi', async (t, options) => {
  const server = buildHapiApp(options);
  await server.initialize();
  t.after(() => server.stop());
  return {
    async get(path) {
      const response = await server.inject({ method: 'GET', url: path });
      return { status: response.statusCode, headers: response.headers, body: response.payload };
    },
  };
});
