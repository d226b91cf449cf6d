import type { EventEmitter } from 'node:events';

/** librdkafka's code for "the client is unusable" (RD_KAFKA_RESP_ERR__FATAL, ErrorCodes.ERR__FATAL). */
const ERR_FATAL = -150;

/**
 * Whether a Kafka client error means the client is unusable (INTRODUCTION.md of @confluentinc/kafka-javascript: "the
 * error may be fatal, and the client becomes unusable ... terminate the client and create a new one"): an idempotent
 * producer's broken sequence, or a static consumer fenced by another process with its `group.instance.id`. A send's
 * KafkaJSError carries `fatal` and the code; librdkafka's error event reaches JavaScript as a bare Error whose message
 * is err2str(ERR__FATAL), "Local: Fatal error" (src/callbacks.cc), parsed into LibrdKafkaError's lower-cased message.
 * No retry heals one: the process must exit and be started again.
 */
export function isFatalKafkaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, fatal, isFatal, message } = error as {
    code?: unknown;
    fatal?: unknown;
    isFatal?: unknown;
    message?: unknown;
  };
  return (
    code === ERR_FATAL ||
    fatal === true ||
    isFatal === true ||
    (typeof message === 'string' && /^(local: )?fatal error\b/i.test(message))
  );
}

/** Calls `onFatal` once, at the client's first fatal error event; other error events (a broker down) are not fatal. */
export function watchFatalErrors(client: Pick<EventEmitter, 'on'>, onFatal: (error: unknown) => void): void {
  let seen = false;
  client.on('event.error', (error: unknown) => {
    if (seen || !isFatalKafkaError(error)) return;
    seen = true;
    onFatal(error);
  });
}
