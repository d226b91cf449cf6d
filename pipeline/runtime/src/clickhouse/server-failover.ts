import { REPLICA_BEHIND_CODE } from '@badam/domain/ordering/stored-floor';

/**
 * Which of a cluster's servers a process sends its next request to, and which errors mean "try another one".
 * Pure logic (no client): clickhouse/client.ts wraps one @clickhouse/client per server around it.
 *
 * Servers are tried in the listed order (the first is the process's own, so a fleet spreads over the servers), and a
 * server whose request failed for want of an answer is skipped for a short backoff, so the requests after the first
 * failure go straight to a live one. When every server is in backoff, all are tried anyway, in order: a request never
 * fails without having been offered to each.
 */

/** Errors of the connection itself: the request may never have reached the server. */
const UNREACHABLE: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Errors after the request was (maybe) sent: the server died or stopped answering mid-request. */
const CUT_OFF: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/**
 * What a failed request says about its server:
 * - unreachable: nothing was received, so any request may be sent again elsewhere;
 * - cut-off: no (whole) answer: the server is down or hung, but a write may have been applied, so only a read is sent
 *   again elsewhere; a write's caller must decide (the consumer re-reads its heads and relies on block deduplication);
 * - behind: a replica lacking a part written with quorum refused a sequentially consistent read (Code 289): alive,
 *   but another replica may have the part, so a read may be asked there (the refusing one is not skipped later: it
 *   catches up within tens of ms);
 * - answered: the server answered with any other error (a query error, another replication refusal): it is alive,
 *   and another server would give the same answer, so nothing is retried here.
 */
export type ServerFailure = 'unreachable' | 'cut-off' | 'behind' | 'answered';

export function serverFailure(error: unknown): ServerFailure {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return 'unreachable';
    if (typeof code === 'string' && CUT_OFF.has(code)) return 'cut-off';
    // @clickhouse/client's own request timeout, and a socket closed before any answer.
    if (cause.message === 'Timeout error.' || cause.name === 'TimeoutError' || cause.message === 'socket hang up')
      return 'cut-off';
    // The HTTP client's form (code '289') and 18.16's text (Code: 289, e.displayText() = ...).
    if (code === REPLICA_BEHIND_CODE || cause.message.startsWith(`Code: ${REPLICA_BEHIND_CODE},`)) return 'behind';
  }
  return 'answered';
}

export interface ServerRotation {
  /** Server indexes to try for the next request, in order: live ones first, then those in backoff. */
  order(now?: number): number[];
  /** The server did not answer: skip it for the backoff. */
  failed(index: number, now?: number): void;
  /** The server answered: try it first again (when it is ahead in the list). */
  answered(index: number): void;
  /** Whether the server is in backoff now. */
  isDown(index: number, now?: number): boolean;
}

export function createServerRotation(servers: number, backoffMs: number): ServerRotation {
  const downUntil = new Array<number>(servers).fill(0);
  const indexes = [...downUntil.keys()];
  return {
    order(now = Date.now()) {
      const live = indexes.filter((i) => (downUntil[i] ?? 0) <= now);
      return [...live, ...indexes.filter((i) => (downUntil[i] ?? 0) > now)];
    },
    failed(index, now = Date.now()) {
      downUntil[index] = now + backoffMs;
    },
    answered(index) {
      downUntil[index] = 0;
    },
    isDown(index, now = Date.now()) {
      return (downUntil[index] ?? 0) > now;
    },
  };
}
