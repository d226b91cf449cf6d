/**
 * What a failed store says about retrying it:
 * - transient: the database is unreachable, busy, or not ready (schema, credentials): the same batch will succeed
 *   later, so it is retried as it is, however long that takes;
 * - timeout: no answer in time: load, or a statement too heavy ever to finish; retried, and split if it keeps
 *   timing out while the server answers other calls;
 * - permanent: the server rejected the statement or the data, or our own code threw: retrying the same batch can
 *   only fail again, so it is split, and a single record that still fails goes to the dead-letter topic.
 */
export type FailureKind = 'transient' | 'timeout' | 'permanent';

const NETWORK_ERRORS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/**
 * ClickHouse error codes that go away by themselves or by an operator's fix that needs no change of the batch:
 * overload and limits (202, 203, 241, 252, 173), network and shutdown (209, 210, 236, 394, 3, 23, 24, 32), storage
 * (243, 425), schema or access not there yet (16, 47, 60, 81, 164, 192, 193, 497, 516), and a cluster's replication
 * (REPLICATION_CODES). Every other server error is the server refusing this statement.
 */
const TRANSIENT_SERVER_CODES: ReadonlySet<number> = new Set([
  3, 16, 23, 24, 32, 47, 60, 81, 164, 173, 192, 193, 202, 203, 209, 210, 236, 241, 243, 252, 394, 425, 497, 516,
]);

/**
 * A replicated table that cannot take or serve a write safely right now (shared/CONVENTIONS.md, measured on 18.16):
 * ZooKeeper down or lost (225, 242 read-only, 244, 999), too few live replicas for the quorum (285), the previous
 * quorum insert still unconfirmed (286), a replica lacking a quorum-written part refusing a sequentially consistent
 * read (289), a quorum insert timed out with its outcome unknown (319: the retry reads the same heads, since
 * unconfirmed parts are hidden, and writes the same block, which is deduplicated; see clickhouse/store-consistency.ts),
 * a shard with no reachable replica (279). The batch waits and is retried whole, uncommitted: never split, never
 * ordered from a replica that may be stale.
 */
const REPLICATION_CODES: ReadonlySet<number> = new Set([225, 242, 244, 279, 285, 286, 289, 319, 999]);
const SERVER_TIMEOUT = 159;

/** Both the HTTP client's form (`code: '62'`) and 18.16's message text (`Code: 62, e.displayText() = ...`). */
const SERVER_CODE = /^Code: (\d+)[.,]/;

/** An error and the errors it wraps (`cause`), outermost first; at most five deep. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let cause = error;
    cause !== undefined && chain.length < 5;
    cause = cause instanceof Error ? cause.cause : undefined
  )
    chain.push(cause);
  return chain;
}

/**
 * Whether the store met another quorum insert into the same table and shard (Code 286): 18.16 linearizes quorum
 * inserts, so consumers writing one shard take turns, each turn a few tens of ms. Worth a quick retry; the same code
 * also says a replica is missing (the earlier quorum cannot complete), which the usual backoff then takes over.
 */
export function isQuorumContention(error: unknown): boolean {
  return causeChain(error).some((cause) => cause instanceof Error && serverCode(cause) === 286);
}

function serverCode(cause: Error): number {
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' && /^\d+$/.test(code)
    ? Number(code)
    : Number(SERVER_CODE.exec(cause.message)?.[1] ?? NaN);
}

export function failureKind(error: unknown): FailureKind {
  for (const cause of causeChain(error)) {
    if (!(cause instanceof Error)) break;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERRORS.has(code)) return 'transient';
    const server = serverCode(cause);
    if (Number.isInteger(server)) {
      if (server === SERVER_TIMEOUT) return 'timeout';
      return TRANSIENT_SERVER_CODES.has(server) || REPLICATION_CODES.has(server) ? 'transient' : 'permanent';
    }
    if (cause.message === 'Timeout error.' || cause.name === 'TimeoutError' || cause.name === 'AbortError')
      return 'timeout';
  }
  return 'permanent';
}
