import {
  admissionSettings,
  gatewayMemberSettings,
  httpSettings,
  int,
  kafkaSettings,
  readConfig,
} from '@badam/pipeline/core';

export const producerSettings = {
  ...httpSettings,
  ...admissionSettings,
  ...gatewayMemberSettings,
  ...kafkaSettings,
  PRODUCER_SEND_TIMEOUT_MS: int('how long a send waits for the broker before answering 503, ms', {
    default: 3000,
    min: 100,
    max: 60000,
  }),
  PRODUCER_LINGER_MS: int('how long the producer waits to batch records, ms', { default: 5, min: 0, max: 1000 }),
} as const;

export type ProducerConfig = ReturnType<typeof loadProducerConfig>;

export function loadProducerConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(producerSettings, env);
}
