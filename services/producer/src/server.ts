import {
  createLogger,
  createProducerMetrics,
  createServiceMetrics,
  kafkaConnection,
  createGatewayDrain,
  onShutdown,
} from '@badam/pipeline/core';
import { buildProducerApp } from './app.js';
import { loadProducerConfig } from './config.js';
import { createMessageSender } from './message-sender.js';

const config = loadProducerConfig();
const logger = createLogger('producer', config.LOG_LEVEL);
const metrics = createServiceMetrics('producer');
let leave: ((reason: string) => void) | undefined;
const sender = await createMessageSender({
  ...kafkaConnection(config),
  topic: config.KAFKA_TOPIC,
  sendTimeoutMs: config.PRODUCER_SEND_TIMEOUT_MS,
  lingerMs: config.PRODUCER_LINGER_MS,
  metrics: createProducerMetrics(metrics.registry),
  // An unusable Kafka client never recovers in this process: /health is already 503 (out of the gateway's rotation);
  // leave for good through the shutdown path (stop accepting, answer what is in flight, flush) and exit 1, so the
  // supervisor (tools/stack/src/process, Docker's restart policy) starts a new process with a new client.
  onFatal: (error) => {
    logger.fatal({ err: error }, 'Kafka client failed fatally; leaving');
    if (leave === undefined) process.exit(1);
    leave('fatal Kafka client error');
  },
});
const drain = createGatewayDrain(config);
const app = buildProducerApp({ sender, logger, metrics, maxInFlight: config.MAX_IN_FLIGHT, drain });

leave = onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
  await drain.leaveRotation();
  await app.close(); // stops accepting, waits for in-flight requests (and so their sends)
  await sender.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
