import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { zookeeperLibsDir } from '../paths.js';
import { ManagedProcess } from '../process/managed-process.js';
import { processHandle, type ProcessHandle } from '../process/process-handle.js';

export interface ZooKeeperOptions {
  dataDir: string;
  port: number;
  heapMb?: number;
}

/**
 * Apache ZooKeeper, one standalone server from the jars scripts/setup.sh resolves from Maven Central: the coordinator
 * of ClickHouse 18.16's replicated tables and ON CLUSTER DDL (the Docker deployments run ClickHouse Keeper). Private
 * to the stack: its own port on 127.0.0.1, its data under the stack's folder, stopped by pid.
 */
export interface ZooKeeperServer extends ProcessHandle {
  readonly port: number;
}

export async function startZooKeeper(options: ZooKeeperOptions): Promise<ZooKeeperServer> {
  if (!existsSync(zookeeperLibsDir))
    throw new Error(`ZooKeeper jars missing in ${zookeeperLibsDir}: run scripts/setup.sh`);
  const dir = join(options.dataDir, 'zookeeper');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    [
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${options.port}`,
      'clientPortAddress=127.0.0.1',
      'tickTime=2000',
      // Its admin server would take port 8080; srvr is the readiness check (ruok answers imok even when the server
      // thread has died, seen here without snappy-java).
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok',
      // Keep the transaction logs of a long stack run from filling the disk.
      'autopurge.snapRetainCount=3',
      'autopurge.purgeInterval=1',
      '',
    ].join('\n'),
  );
  const logback = join(dir, 'logback.xml');
  writeFileSync(
    logback,
    `<configuration>
  <appender name="console" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>[%d] %p %m (%c)%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="console"/></root>
</configuration>
`,
  );
  const heap = `${options.heapMb ?? 128}m`;
  const process = new ManagedProcess({
    name: 'zookeeper',
    command: 'java',
    args: [
      `-Xms${heap}`,
      `-Xmx${heap}`,
      '-cp',
      `${zookeeperLibsDir}/*`,
      `-Dlogback.configurationFile=${logback}`,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      config,
    ],
    logFile: join(options.dataDir, 'logs/zookeeper.log'),
  });
  const handle = processHandle(`ZooKeeper on port ${options.port}`, process, () => zooKeeperServing(options.port));
  await handle.start();
  return { ...handle, port: options.port };
}

/** True when `srvr` reports a mode (standalone, leader, follower): the server thread serves clients. */
export function zooKeeperServing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end('srvr'));
    socket.setTimeout(2000);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.once('close', () => resolve(/^Mode: /m.test(answer)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => socket.destroy());
  });
}
