/**
 * What a failed store says about retrying it:
 * - permanent: the server refused the data itself (a value it cannot parse or fit, a statement its records made too
 *   large: DATA_CODES): retrying the same batch can only fail again, so it is split, and a single record that still
 *   fails goes to the dead-letter topic;
 * - timeout: no answer in time: load, or a statement too heavy ever to finish; retried, and split if it keeps
 *   timing out while the server answers other calls;
 * - transient: everything else, known or not: the database unreachable, busy, not ready (schema, credentials), a
 *   replica or ZooKeeper away, a setting or syntax a server of another version does not know (a mixed cluster during
 *   a rolling upgrade), a response cut mid-stream, a bug of ours. Retried as it is, however long that takes: such an
 *   error would refuse any record alike, so setting records aside for it would dead-letter healthy ones. A batch
 *   failing that long shows on `/health` (`stuck`) and in the `BadamConsumerStuck` alert instead.
 */
export type FailureKind = 'transient' | 'timeout' | 'permanent';

/**
 * ClickHouse codes that are about the rows sent, never about the server or the statement's shape: cannot parse a
 * value (6, 26, 27, 38, 41, 72, 117), a value of the wrong type or out of range (53, 69, 70, 321, 349), too large a
 * string or array (128, 131, 190). Only these may set a record aside.
 */
const DATA_CODES: ReadonlySet<number> = new Set([6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 128, 131, 190, 321, 349]);
const SYNTAX_ERROR = 62;
/** A statement over max_query_size is a syntax error on 18.16 and later: the batch carried too much, a half fits. */
const QUERY_TOO_LARGE = /max query size exceeded/i;
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
    const server = serverCode(cause);
    if (Number.isInteger(server)) {
      if (server === SERVER_TIMEOUT) return 'timeout';
      const aboutData = DATA_CODES.has(server) || (server === SYNTAX_ERROR && QUERY_TOO_LARGE.test(cause.message));
      return aboutData ? 'permanent' : 'transient';
    }
    if (cause.message === 'Timeout error.' || cause.name === 'TimeoutError' || cause.name === 'AbortError')
      return 'timeout';
  }
  return 'transient';
}
