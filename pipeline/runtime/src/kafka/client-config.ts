/**
 * librdkafka settings shared by every Kafka client of the project, in the KafkaJS-compatible API of
 * @confluentinc/kafka-javascript (librdkafka keys at the top level, KafkaJS keys under `kafkaJS`).
 */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

export function baseClientConfig({ brokers, clientId }: KafkaConnection) {
  return {
    'bootstrap.servers': brokers.join(','),
    'client.id': clientId,
    // Reconnect quickly after a broker restart instead of backing off for up to 10 s.
    'reconnect.backoff.max.ms': 1000,
    // librdkafka logs every lost connection at error level; the services report faults through their own paths.
    log_level: 3,
  };
}
