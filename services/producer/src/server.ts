import { createLogger, createProducerMetrics, createServiceMetrics, kafkaConnection, onShutdown } from '@badam/pipeline';
import { buildProducerApp } from './app.js';
import { loadProducerConfig } from './config.js';
import { createMessageSender } from './message-sender.js';

const config = loadProducerConfig();
const logger = createLogger('producer', config.LOG_LEVEL);
const metrics = createServiceMetrics('producer');
const sender = await createMessageSender({
  ...kafkaConnection(config),
  topic: config.KAFKA_TOPIC,
  sendTimeoutMs: config.PRODUCER_SEND_TIMEOUT_MS,
  lingerMs: config.PRODUCER_LINGER_MS,
  metrics: createProducerMetrics(metrics.registry),
});
const app = buildProducerApp({ sender, logger, metrics, maxInFlight: config.MAX_IN_FLIGHT });

onShutdown(logger, config.SHUTDOWN_GRACE_MS, async () => {
  await app.close(); // stops accepting, waits for in-flight requests (and so their sends)
  await sender.close();
});

await app.listen({ host: config.HOST, port: config.PORT });
