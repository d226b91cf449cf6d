import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolsDir } from '@badam/stack/paths';

/** Built by scripts/setup.sh from tools/load/many-clients.c. */
const MANY_CLIENTS_LIB = join(toolsDir, 'lib/many-clients.so');

/**
 * The environment for a load generator (Locust, wrk) to connect from many loopback addresses, one per connection
 * (127.1.0.1 onwards), instead of all from 127.0.0.1: the gateway limits requests per client address
 * (BADAM_GATEWAY_CLIENT_RATE_LIMIT), and the thousand users a run stands for are a thousand clients, not one.
 */
export function manyClientsEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!existsSync(MANY_CLIENTS_LIB)) throw new Error(`${MANY_CLIENTS_LIB} is missing: run bash scripts/setup.sh`);
  const preload = [MANY_CLIENTS_LIB, env.LD_PRELOAD].filter((lib) => lib !== undefined && lib !== '').join(' ');
  return { ...env, LD_PRELOAD: preload };
}
