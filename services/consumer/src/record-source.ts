/** A record as the store loop sees it: where it came from, and its bytes exactly as consumed (a dead letter keeps them). */
export interface SourceRecord {
  partition: number;
  offset: number;
  key?: Buffer | string | null | undefined;
  value: Buffer | null | undefined;
}

export interface RebalanceListener {
  /**
   * Partitions are being taken from this member. The source releases them only once this settles, so the batch in
   * progress is stored and committed first and the next owner does not race a writer about to finish.
   */
  revoking(partitions: readonly number[]): Promise<void>;
}

/**
 * What the store loop needs from Kafka, and no more: kafka-record-source.ts is the real one (a member of the
 * consumer group), the unit tests use one in memory.
 */
export interface RecordSource {
  /** Connects and joins the group; the listener hears of every revocation from then on. */
  start(listener: RebalanceListener): Promise<void>;
  /**
   * Up to `max` records of the partitions this member owns: waits up to `timeoutMs` for the first, then returns what
   * is ready (an empty array when nothing came). Rejects only when it read nothing, so no record is ever dropped.
   */
  fetch(max: number, timeoutMs: number): Promise<SourceRecord[]>;
  /** The partitions this member owns now. */
  ownedPartitions(): ReadonlySet<number>;
  /** Commits, per partition, the next offset to read. Throws when the client refuses. */
  commit(offsets: ReadonlyMap<number, number>): void;
  /** Leaves the group. */
  stop(): Promise<void>;
}
