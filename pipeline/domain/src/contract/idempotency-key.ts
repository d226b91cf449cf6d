import { createHash } from 'node:crypto';
import { BadamError } from './errors.js';

/** The request header a client sets to make a retried send safe: the same key, the same message, stored once. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

// A UUID, a ULID or the client's own counter all fit; nothing that needs escaping anywhere.
const KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Validates the optional Idempotency-Key header. A send whose outcome the client does not know (a 503, a timeout,
 * a dropped connection) may still have reached the broker; resent with the same key, it is stored only once.
 */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY.test(value)) {
    throw new BadamError(
      'invalid_request',
      'Idempotency-Key must be 1 to 128 characters of letters, digits, ".", "_", ":" or "-", given once',
      { field: IDEMPOTENCY_KEY_HEADER },
    );
  }
  return value;
}

/**
 * What the store keeps of a key: a positive integer below 2^53 (exact in JSON and JavaScript, and an integer in SQL,
 * where text never goes), from the sender and the key, so two senders' keys never meet. The consumer compares it
 * only within one group, where a collision of two different keys (about n^2 / 2^54 for n keyed sends) is negligible.
 */
export function idempotencyHash(senderId: number, key: string): number {
  const digest = createHash('sha256').update(`${senderId}\n${key}`).digest();
  // 53 bits; 0 means "no key" in the table, so it is mapped to 1.
  return Number(digest.readBigUInt64BE(0) >> 11n) || 1;
}
