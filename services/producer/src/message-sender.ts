import type { EventEmitter } from 'node:events';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import {
  BadamError,
  baseClientConfig,
  encodeMessage,
  isFatalKafkaError,
  messageKey,
  watchFatalErrors,
  type KafkaConnection,
  type ProducerMetrics,
  type SendMessage,
} from '@badam/pipeline/core';
import { createBrokerHealth } from './broker-health.js';

export interface Receipt {
  partition: number;
  offset: number;
}

export interface MessageSender {
  /**
   * Resolves once the broker has the record (acks=all); rejects with broker_unavailable otherwise. The hash of the
   * client's Idempotency-Key travels with the record, for the consumer to store a resent message once.
   */
  send(message: SendMessage, idempotencyHash?: number): Promise<Receipt>;
  /**
   * Whether the broker answers a metadata request now (bounded by a timeout, cached for a second); false for good
   * once the client has failed fatally. What /health reports.
   */
  isReachable(): Promise<boolean>;
  /** True once the Kafka client has failed fatally: what /live reports (the process must be restarted). */
  failed(): boolean;
  close(): Promise<void>;
}

export interface MessageSenderOptions extends KafkaConnection {
  topic: string;
  sendTimeoutMs: number;
  lingerMs: number;
  metrics: ProducerMetrics;
  /**
   * Called once when the Kafka client fails fatally (librdkafka's fatal error, e.g. of the idempotent producer): it is
   * unusable from then on, and only a new process gets a new one (server.ts leaves rotation and exits).
   */
  onFatal: (error: unknown) => void;
}

export async function createMessageSender(options: MessageSenderOptions): Promise<MessageSender> {
  const producer = new KafkaJS.Kafka({}).producer({
    ...baseClientConfig(options),
    // Idempotence makes librdkafka use acks=all and retry without duplicating or reordering a partition's records.
    'enable.idempotence': true,
    'linger.ms': options.lingerMs,
    'compression.type': 'lz4',
    // A record not acknowledged in this time fails its send, so a request answers 503 instead of hanging while the
    // broker is down. Fail before the HTTP client or the gateway gives up.
    'message.timeout.ms': options.sendTimeoutMs,
    'request.timeout.ms': Math.min(options.sendTimeoutMs, 30000),
  });
  await producer.connect();
  // Shares the producer's connections: a health check opens none of its own.
  const admin = producer.dependentAdmin();
  await admin.connect();
  const health = createBrokerHealth({
    probe: (timeoutMs) => admin.fetchTopicMetadata({ topics: [options.topic], timeout: timeoutMs }),
  });
  const fatal = (error: unknown) => {
    if (health.fatalError !== undefined) return;
    health.markFatal(error);
    options.onFatal(error);
  };
  // The KafkaJS-compatible producer only logs librdkafka's error events (lib/kafkajs/_producer.js, #errorCb); the
  // client underneath emits them, so listen there.
  watchFatalErrors((producer as unknown as { _getInternalClient(): EventEmitter })._getInternalClient(), fatal);

  return {
    async send(message, idempotencyHash) {
      const endTimer = options.metrics.produceDuration.startTimer();
      try {
        const [metadata] = await producer.send({
          topic: options.topic,
          messages: [{ key: messageKey(message.group_id), value: encodeMessage(message, Date.now(), idempotencyHash) }],
        });
        const offset = metadata?.offset ?? metadata?.baseOffset;
        if (metadata === undefined || offset === undefined) throw new Error('broker returned no offset');
        endTimer({ result: 'ok' });
        return { partition: metadata.partition, offset: Number(offset) };
      } catch (error) {
        endTimer({ result: 'error' });
        if (isFatalKafkaError(error)) fatal(error);
        throw new BadamError('broker_unavailable', 'the message broker is unavailable, retry later', {
          cause: error,
        });
      }
    },
    isReachable: () => health.isReachable(),
    failed: () => health.fatalError !== undefined,
    async close() {
      await admin.disconnect();
      // Waits for records already handed to librdkafka, so an accepted request is never dropped on shutdown.
      await producer.flush({ timeout: options.sendTimeoutMs });
      await producer.disconnect();
    },
  };
}
