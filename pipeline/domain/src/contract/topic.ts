import { parseIdValue } from './ids.js';
import type { SendMessage } from './send-message.js';
import { parseText } from './send-message.js';

/**
 * Partitions bound the consumer fleet: each partition is read by one consumer, so a fleet larger than this idles.
 * 12 splits evenly over 1, 2, 3, 4 and 6 consumers. Changing it on a live topic moves groups between partitions;
 * the consumers' exactly-once check is per (topic id, partition, offset), so do it only with the topic drained.
 */
export const DEFAULT_PARTITIONS = 12;

/**
 * The record format's major version. Adding an optional field keeps it: consumers keep the fields they know and
 * ignore the rest, so producers can be upgraded before consumers. Only a change an older consumer would get wrong
 * (a field changing meaning, a required field added) raises it; an older consumer then sets such records aside on
 * the dead-letter topic instead of guessing, to be replayed once it is upgraded. Records without `v` are version 1.
 */
export const RECORD_FORMAT_VERSION = 1;

/**
 * What travels on the topic: the validated message, when the producer accepted it (the message's time, so every
 * copy of a stored row is identical whoever stores it), and the hash of its Idempotency-Key when the client sent one
 * (see idempotencyHash).
 */
export interface TopicMessage extends SendMessage {
  accepted_at_ms: number;
  idempotency_hash?: number;
}

/** Why a record could not be decoded: the dead-letter topic files it under this reason. */
export type UndecodableReason = 'unreadable' | 'unsupported_version' | 'invalid';

export class UndecodableRecordError extends Error {
  constructor(
    readonly reason: UndecodableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UndecodableRecordError';
  }
}

/**
 * The key is the group id, so the partitioner (murmur2, like the Java client's, in librdkafka and Redpanda clients
 * alike) sends every message of a group to one partition, hence to one consumer, in send order.
 */
export function messageKey(groupId: number): string {
  return String(groupId);
}

/** The group id a record's key names; undefined for a key our producers do not write. */
export function groupIdOfKey(key: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(key)) return undefined;
  const groupId = Number(key);
  return Number.isSafeInteger(groupId) ? groupId : undefined;
}

export function encodeMessage(message: SendMessage, acceptedAtMs: number, idempotencyHash?: number): Buffer {
  const value: TopicMessage & { v: number } = { v: RECORD_FORMAT_VERSION, ...message, accepted_at_ms: acceptedAtMs };
  if (idempotencyHash !== undefined) value.idempotency_hash = idempotencyHash;
  return Buffer.from(JSON.stringify(value));
}

/**
 * Decodes and re-validates a record (the topic may hold records written by something other than our producer, or by
 * a newer one). Fields this version does not know are ignored; throws UndecodableRecordError otherwise.
 */
export function decodeMessage(value: Buffer | null): TopicMessage {
  if (value === null) throw new UndecodableRecordError('unreadable', 'record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new UndecodableRecordError('unreadable', 'record value is not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UndecodableRecordError('unreadable', 'record value is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  const version = record.v ?? 1;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new UndecodableRecordError('invalid', 'record has a format version that is not a positive integer');
  }
  if ((version as number) > RECORD_FORMAT_VERSION) {
    throw new UndecodableRecordError(
      'unsupported_version',
      `record format version ${String(version)} is newer than this consumer's (${RECORD_FORMAT_VERSION})`,
    );
  }
  try {
    return validFields(record);
  } catch (error) {
    throw new UndecodableRecordError('invalid', `record is invalid: ${(error as Error).message}`, { cause: error });
  }
}

function validFields(record: Record<string, unknown>): TopicMessage {
  const { accepted_at_ms: acceptedAt, idempotency_hash: hash } = record;
  if (typeof acceptedAt !== 'number' || !Number.isSafeInteger(acceptedAt) || acceptedAt < 0) {
    throw new Error('accepted_at_ms must be a non-negative integer');
  }
  const decoded: TopicMessage = {
    group_id: parseIdValue(record.group_id, 'group_id'),
    sender_id: parseIdValue(record.sender_id, 'sender_id'),
    text: parseText(record.text),
    accepted_at_ms: acceptedAt,
  };
  if (hash !== undefined) {
    if (typeof hash !== 'number' || !Number.isSafeInteger(hash) || hash < 1) {
      throw new Error('idempotency_hash must be a positive integer');
    }
    decoded.idempotency_hash = hash;
  }
  return decoded;
}

/**
 * The dead-letter topic of a topic: records its consumers could not store, with their key and value unchanged, kept
 * for a replay (`npm run dead-letters`).
 */
export function deadLetterTopic(topic: string): string {
  return `${topic}-dead-letter`;
}

/** Headers of a dead-letter record: why it was set aside, and which record it was (topic/topic id/partition/offset). */
export const DEAD_LETTER_HEADERS = {
  reason: 'badam-reason',
  error: 'badam-error',
  source: 'badam-source',
} as const;

/** The record a dead letter was: the badam-source header's fields. */
export interface DeadLetterSource {
  topic: string;
  /** The broker's id of the topic when the record was read (a recreated topic reuses offsets under a new id). */
  topicId: string;
  partition: number;
  offset: number;
}

/** The badam-source header: topic/topic id/partition/offset (a topic name cannot hold a slash; a base64 id can). */
export function formatDeadLetterSource({ topic, topicId, partition, offset }: DeadLetterSource): string {
  return `${topic}/${topicId}/${partition}/${offset}`;
}

/** A badam-source header read back; undefined when it is not one (written by hand, or by something else). */
export function parseDeadLetterSource(header: string): DeadLetterSource | undefined {
  const match = /^([^/]+)\/(.+)\/(\d{1,15})\/(\d{1,15})$/.exec(header);
  if (match === null) return undefined;
  const [, topic = '', topicId = '', partition = '', offset = ''] = match;
  return { topic, topicId, partition: Number(partition), offset: Number(offset) };
}
