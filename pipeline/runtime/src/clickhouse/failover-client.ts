import type { ClickHouseClient } from '@clickhouse/client';
import { createServerRotation, serverFailure, type ServerFailure } from './server-failover.js';

export interface ServerClient {
  url: string;
  client: ClickHouseClient;
}

type FailoverEvent = { from: string; to: string; error: unknown };

/**
 * One client over a cluster's servers: each request goes to the first live server (server-failover.ts) and, when that
 * one gives no answer (or, for a read, is a replica behind: Code 289), to the next, as far as the request may be sent
 * twice: reads (query, ping) always, writes (insert, command, exec) only when the first server was unreachable,
 * since one cut off may have been applied.
 * Returned as a ClickHouseClient: it has the methods the project calls on one (query, insert, command, exec, ping,
 * close), with the same signatures, each delegated to a server's own client.
 */
export function failoverClient(
  servers: readonly ServerClient[],
  backoffMs: number,
  onFailover?: (event: FailoverEvent) => void,
): ClickHouseClient {
  const rotation = createServerRotation(servers.length, backoffMs);

  async function run<T>(resend: (failure: ServerFailure) => boolean, call: (client: ClickHouseClient) => Promise<T>) {
    const order = rotation.order();
    for (const [attempt, index] of order.entries()) {
      const server = servers[index] as ServerClient;
      try {
        const result = await call(server.client);
        rotation.answered(index);
        return result;
      } catch (error) {
        const failure = serverFailure(error);
        if (failure === 'answered') throw error;
        if (failure !== 'behind') rotation.failed(index);
        const next = order[attempt + 1];
        if (next === undefined || !resend(failure)) throw error;
        onFailover?.({ from: server.url, to: (servers[next] as ServerClient).url, error });
      }
    }
    throw new Error('no ClickHouse server listed');
  }

  const always = () => true;
  // A write refused as 'behind' cannot happen (289 answers reads only); a write cut off may have been applied.
  const whenUnsent = (failure: ServerFailure) => failure === 'unreachable';
  const client = {
    query: (params: Parameters<ClickHouseClient['query']>[0]) => run(always, (c) => c.query(params)),
    insert: (params: Parameters<ClickHouseClient['insert']>[0]) =>
      // A stream of values is used up by the first attempt: only an array can be sent again.
      run(
        (failure) => whenUnsent(failure) && Array.isArray(params.values),
        (c) => c.insert(params),
      ),
    command: (params: Parameters<ClickHouseClient['command']>[0]) => run(whenUnsent, (c) => c.command(params)),
    exec: (params: Parameters<ClickHouseClient['exec']>[0]) =>
      run(
        (failure) => whenUnsent(failure) && !('values' in params),
        (c) => c.exec(params),
      ),
    // ping answers { success: false } rather than throwing: the cluster answers when any server does.
    async ping(params?: Parameters<ClickHouseClient['ping']>[0]) {
      let last: Awaited<ReturnType<ClickHouseClient['ping']>> = { success: false, error: new Error('no server') };
      for (const index of rotation.order()) {
        last = await (servers[index] as ServerClient).client.ping(params);
        if (last.success) {
          rotation.answered(index);
          return last;
        }
        rotation.failed(index);
      }
      return last;
    },
    async close() {
      await Promise.all(servers.map((server) => server.client.close()));
    },
  };
  return client as unknown as ClickHouseClient;
}
