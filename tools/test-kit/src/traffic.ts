import type { AcceptedSend } from '@badam/pipeline';
import { receiptOf, send } from './http-client.js';

export interface TrafficOptions {
  producerUrls: string[];
  messages: number;
  groups: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** First group id; groups are firstGroup .. firstGroup + groups - 1. */
  firstGroup?: number;
  /** The group of the index-th send, instead of round-robin over the groups. */
  groupOf?: (index: number) => number;
  /** Stops sending (what is in flight is still answered and counted) before `messages` are sent. */
  signal?: AbortSignal;
  /** Sends carry the Idempotency-Key `<prefix>-<index>` (unique per run: a key seen before is skipped); none without. */
  keyPrefix?: string;
  /** Called with each accepted send's latency, ms. */
  onAccepted?: (send: AcceptedSend, latencyMs: number, acceptedAt: number) => void;
}

export interface TrafficResult {
  accepted: AcceptedSend[];
  refused: number;
  elapsedMs: number;
}

/** Sends `messages` messages spread round-robin over the groups and producers, keeping `concurrency` in flight. */
export async function sendTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const accepted: AcceptedSend[] = [];
  let refused = 0;
  let next = 0;
  const firstGroup = options.firstGroup ?? 1;
  const started = Date.now();
  const worker = async () => {
    while (next < options.messages && options.signal?.aborted !== true) {
      const index = next++;
      const groupId = options.groupOf?.(index) ?? firstGroup + (index % options.groups);
      const producer = options.producerUrls[index % options.producerUrls.length] ?? '';
      const sentAt = Date.now();
      try {
        const response = await send(
          producer,
          { group_id: groupId, sender_id: index + 1, text: `message ${index}` },
          options.keyPrefix === undefined ? {} : { idempotencyKey: `${options.keyPrefix}-${index}` },
        );
        if (response.status !== 202) {
          refused++;
          continue;
        }
        const receipt = receiptOf(groupId, response);
        accepted.push(receipt);
        const now = Date.now();
        options.onAccepted?.(receipt, now - sentAt, now);
      } catch {
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { accepted, refused, elapsedMs: Date.now() - started };
}
