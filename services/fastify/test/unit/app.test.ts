import { readAppContract } from '@badam/pipeline/read-app-contract';
import { buildFastifyApp } from '../../src/app.js';

// The shared read app contract, requests injected (no port), over a stub reader (no ClickHouse, no read model).
readAppContract('fastify', async (t, options) => {
  const app = buildFastifyApp(options);
  t.after(() => app.close());
  return {
    async get(path) {
      const response = await app.inject({ method: 'GET', url: path });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    },
  };
});
