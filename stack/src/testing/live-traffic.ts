import type { AcceptedSend } from '@badam/pipeline';
import { httpJson } from './http-client.js';

export type Api = 'send' | 'fastify' | 'hapi' | 'restify';
const READ_APIS = ['fastify', 'hapi', 'restify'] as const;

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
  accepted: AcceptedSend[];
  /** Sends resent after a connection reset (HttpResult.resent): each may be stored twice, so it is unconfirmed. */
  resentSends: number;
  outcomes: Outcome[];
  /** Outcomes other than 2xx, for assertions and failure messages. */
  failures(filter?: (outcome: Outcome) => boolean): Outcome[];
}

/**
 * Sends and reads through the gateway until stopped, the way clients would during a fault: every answer is
 * recorded, and every accepted send kept for the reconciliation.
 */
export function startLiveTraffic(options: LiveTrafficOptions): { stop(): Promise<LiveTrafficResult> } {
  const accepted: AcceptedSend[] = [];
  const outcomes: Outcome[] = [];
  let resentSends = 0;
  let running = true;
  let sequence = 0;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 5));

  const request = async (api: Api, method: string, path: string, body?: unknown) => {
    const startedAt = Date.now();
    try {
      const response = await httpJson(method, `${options.gatewayUrl}${path}`, body, { timeoutMs });
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
      const response = await request('send', 'POST', '/producer/messages', {
        group_id: groupId,
        sender_id: index + 1,
        text: `live ${index}`,
      });
      if (response?.status === 202) {
        accepted.push({ groupId, partition: Number(response.body.partition), offset: Number(response.body.offset) });
      }
      await pause();
    }
  };
  const reader = async (worker: number) => {
    for (let index = worker; running; index++) {
      const app = READ_APIS[index % READ_APIS.length] ?? 'fastify';
      const groupId = options.firstGroup + (index % options.groups);
      await request(app, 'GET', `/${app}/groups/${groupId}/messages`);
      await pause();
    }
  };

  const workers = [
    ...Array.from({ length: options.senders }, () => sender()),
    ...Array.from({ length: options.readers }, (_, i) => reader(i)),
  ];
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return {
        accepted,
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
