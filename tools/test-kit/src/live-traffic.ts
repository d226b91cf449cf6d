import { setTimeout as sleep } from 'node:timers/promises';
import type { AcceptedSend } from '@badam/pipeline';
import { READ_APPS } from '@badam/stack/fleet';
import type { Cleanup } from './fixtures.js';
import { httpJson, receiptOf } from './http-client.js';

export type Api = 'send' | 'fastify' | 'hapi' | 'restify';

export interface LiveTrafficOptions {
  /** The gateway: sends go to /producer/messages, reads to /<app>/groups/<id>/messages. */
  gatewayUrl: string;
  groups: number;
  firstGroup: number;
  /** Workers sending, and workers reading, each one request at a time. */
  senders: number;
  readers: number;
  /** Pause between a worker's requests, ms. */
  pauseMs?: number;
  timeoutMs?: number;
  /**
   * As a careful client: every send carries an Idempotency-Key, and one whose outcome is unknown (no answer, 5xx) is
   * sent again with the same key until accepted. Every send then ends accepted and must be stored exactly once.
   */
  resendWithKey?: boolean;
}

export interface Outcome {
  api: Api;
  /** HTTP status, or 0 when no response came (connection error, timeout). */
  status: number;
  startedAt: number;
  latencyMs: number;
  retryAfter?: string;
  error?: string;
}

export interface LiveTrafficResult {
  /** Sends accepted at their first attempt, where Kafka put them. */
  accepted: AcceptedSend[];
  /** With resendWithKey: sends accepted only after a resend (the stored copy may be an earlier attempt's). */
  acceptedAfterResend: number;
  /** The text of every send that ended accepted; unique per send. */
  acceptedTexts: string[];
  /** Sends resent after a connection reset (HttpResult.resent): each may be stored twice, so it is unconfirmed. */
  resentSends: number;
  outcomes: Outcome[];
  /** Outcomes other than 2xx, for assertions and failure messages. */
  failures(filter?: (outcome: Outcome) => boolean): Outcome[];
}

// With resendWithKey, a send is tried for up to 20 s before the client gives up on it (and the test fails).
const MAX_SEND_ATTEMPTS = 100;
const RESEND_PAUSE_MS = 200;

/**
 * Sends and reads through the gateway until stopped, the way clients would during a fault: every answer is
 * recorded, and every accepted send kept for the reconciliation. Stopped after the test too, so a test that fails
 * before its stop() does not leave clients running (its file would never end).
 */
export function startLiveTraffic(t: Cleanup, options: LiveTrafficOptions): { stop(): Promise<LiveTrafficResult> } {
  const accepted: AcceptedSend[] = [];
  const acceptedTexts: string[] = [];
  const outcomes: Outcome[] = [];
  let resentSends = 0;
  let running = true;
  let sequence = 0;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pause = () => sleep(options.pauseMs ?? 5);

  const request = async (
    api: Api,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const startedAt = Date.now();
    try {
      const response = await httpJson(method, `${options.gatewayUrl}${path}`, body, { timeoutMs, headers });
      if (api === 'send' && response.resent === true) resentSends++;
      const retryAfter = response.headers['retry-after'];
      outcomes.push({
        api,
        status: response.status,
        startedAt,
        latencyMs: Date.now() - startedAt,
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      });
      return response;
    } catch (error) {
      outcomes.push({ api, status: 0, startedAt, latencyMs: Date.now() - startedAt, error: (error as Error).message });
      return undefined;
    }
  };

  const sender = async () => {
    while (running) {
      const index = sequence++;
      const groupId = options.firstGroup + (index % options.groups);
      const message = { group_id: groupId, sender_id: index + 1, text: `live ${index}` };
      const headers: Record<string, string> =
        options.resendWithKey === true ? { 'idempotency-key': `live-${index}` } : {};
      for (let attempt = 1; ; attempt++) {
        const response = await request('send', 'POST', '/producer/messages', message, headers);
        if (response?.status === 202) {
          acceptedTexts.push(message.text);
          // A 202 to a resend (ours, or the HTTP client's after a reset connection) may be for a record the consumer
          // skips as a duplicate of an earlier attempt's: with a key, only a first attempt's offset is certain.
          const resent = attempt > 1 || (options.resendWithKey === true && response.resent === true);
          if (!resent) accepted.push(receiptOf(groupId, response));
          break;
        }
        const unknownOutcome = response === undefined || response.status >= 500;
        if (options.resendWithKey !== true || !unknownOutcome || attempt >= MAX_SEND_ATTEMPTS) break;
        await sleep(RESEND_PAUSE_MS);
      }
      await pause();
    }
  };
  const reader = async (worker: number) => {
    for (let index = worker; running; index++) {
      const app = READ_APPS[index % READ_APPS.length] ?? 'fastify';
      const groupId = options.firstGroup + (index % options.groups);
      await request(app, 'GET', `/${app}/groups/${groupId}/messages`);
      await pause();
    }
  };

  const workers = [
    ...Array.from({ length: options.senders }, () => sender()),
    ...Array.from({ length: options.readers }, (_, i) => reader(i)),
  ];
  t.after(async () => {
    running = false;
    await Promise.all(workers);
  });
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return {
        accepted,
        acceptedAfterResend: acceptedTexts.length - accepted.length,
        acceptedTexts,
        resentSends,
        outcomes,
        failures: (filter = () => true) => outcomes.filter((o) => (o.status < 200 || o.status >= 300) && filter(o)),
      };
    },
  };
}

/** A short description of failures for assertion messages. */
export function describeOutcomes(outcomes: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const key = `${o.api} ${o.status}${o.error === undefined ? '' : ` (${o.error})`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${count}x ${key}`).join(', ') || 'none';
}
