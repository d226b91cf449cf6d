import type { SendMessage } from '../contract/send-message.js';
import { parseSendMessage } from '../contract/send-message.js';

/**
 * Partitions bound the consumer fleet: each partition is read by one consumer, so a fleet larger than this idles.
 * 12 splits evenly over 1, 2, 3, 4 and 6 consumers. Changing it on a live topic moves groups between partitions;
 * the consumers' exactly-once check is per (partition, offset), so do it only with the topic drained.
 */
export const DEFAULT_PARTITIONS = 12;

/**
 * What travels on the topic: the validated message, when the producer accepted it (for end-to-end delay), and the
 * hash of its Idempotency-Key when the client sent one (see idempotencyHash).
 */
export interface TopicMessage extends SendMessage {
  accepted_at_ms: number;
  idempotency_hash?: number;
}

/**
 * The key is the group id, so the partitioner (murmur2, like the Java client's, in librdkafka and Redpanda clients
 * alike) sends every message of a group to one partition, hence to one consumer, in send order.
 */
export function messageKey(groupId: number): string {
  return String(groupId);
}

export function encodeMessage(message: SendMessage, acceptedAtMs: number, idempotencyHash?: number): Buffer {
  const value: TopicMessage = { ...message, accepted_at_ms: acceptedAtMs };
  if (idempotencyHash !== undefined) value.idempotency_hash = idempotencyHash;
  return Buffer.from(JSON.stringify(value));
}

/** Decodes and re-validates a record: the topic may hold records written by something other than our producer. */
export function decodeMessage(value: Buffer | null): TopicMessage {
  if (value === null) throw new Error('record has no value');
  const parsed: unknown = JSON.parse(value.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('record value is not a JSON object');
  const { accepted_at_ms: acceptedAt, idempotency_hash: hash, ...message } = parsed as Record<string, unknown>;
  if (typeof acceptedAt !== 'number' || !Number.isSafeInteger(acceptedAt)) {
    throw new Error('record has no accepted_at_ms');
  }
  const decoded: TopicMessage = { ...parseSendMessage(message), accepted_at_ms: acceptedAt };
  if (hash !== undefined) {
    if (typeof hash !== 'number' || !Number.isSafeInteger(hash) || hash < 1) {
      throw new Error('record has an idempotency_hash that is not a positive integer');
    }
    decoded.idempotency_hash = hash;
  }
  return decoded;
}
