import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { kafkaLibsDir } from '../paths.js';
import { ManagedProcess, run } from '../process/managed-process.js';
import { portOpen } from '../process/wait.js';

export interface KafkaOptions {
  dataDir: string;
  port: number;
  /** The KRaft controller listener; the broker is its own single-node quorum. */
  controllerPort: number;
  heapMb?: number;
}

/**
 * Apache Kafka in KRaft mode, one node, from the jars scripts/setup.sh resolves from Maven Central. It stands in
 * for Redpanda, which has no build for these machines; the services only speak the Kafka protocol.
 */
export async function startKafka(options: KafkaOptions): Promise<ManagedProcess> {
  if (!existsSync(kafkaLibsDir)) throw new Error(`Kafka jars missing in ${kafkaLibsDir}: run scripts/setup.sh`);
  const dir = join(options.dataDir, 'kafka');
  const logDir = join(dir, 'data');
  mkdirSync(logDir, { recursive: true });
  const properties = join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${options.port},CONTROLLER://127.0.0.1:${options.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${options.port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${logDir}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // Topics are created by the stack with their partition count; a typo in a topic name must fail, not create.
      'auto.create.topics.enable=false',
      // Two cores are shared with everything else.
      'num.network.threads=2',
      'num.io.threads=2',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaRaftServer=INFO',
      '',
    ].join('\n'),
  );
  const java = ['-cp', `${kafkaLibsDir}/*`, `-Dlog4j.configuration=file:${log4j}`];
  if (!existsSync(join(logDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    // `--cluster-id=` form: a base64url id can start with '-', which the tool would take for an option.
    await run('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', properties]);
  }
  const heap = `${options.heapMb ?? 512}m`;
  const broker = new ManagedProcess({
    name: 'kafka',
    command: 'java',
    args: [`-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseG1GC', ...java, 'kafka.Kafka', properties],
    logFile: join(options.dataDir, 'logs/kafka.log'),
  }).start();
  return broker.ready(`Kafka on port ${options.port}`, () => portOpen(options.port), 90_000);
}
