/**
 * A consumer sets a record aside each time it is delivered until its offset is committed, and it cannot cheaply know
 * it already did: a consumer restarted while the read model was down (offsets held), or a partition handed back,
 * sets the same record aside again. So the dead-letter topic can hold several copies of one record; they carry the
 * same badam-source header (topic/topic id/partition/offset). The replay sends only the first copy of each source,
 * so one bad record becomes at most one message again.
 */
export interface SourceCopies {
  /** Offset on the dead-letter topic of the source's first copy: the one listed and replayed. */
  first: number;
  /** How many copies of the source the dead-letter topic holds. */
  copies: number;
}

/** What identifies a dead letter: its source, or its own offset for one that names none (written by hand). */
export function copyKey(source: string, offset: number): string {
  return source === '' ? `offset ${offset}` : source;
}

export interface DeadLetterCopies {
  /** Counts a dead letter; call in offset order, so the first one added for a source is its first copy. */
  add(source: string, offset: number): void;
  /** The source's copies, when the dead letter at `offset` is its first copy; undefined for a later copy. */
  firstCopy(source: string, offset: number): SourceCopies | undefined;
}

/** Per source, its first copy and the number of copies. */
export function createDeadLetterCopies(): DeadLetterCopies {
  const bySource = new Map<string, SourceCopies>();
  return {
    add(source, offset) {
      const key = copyKey(source, offset);
      const seen = bySource.get(key);
      if (seen === undefined) bySource.set(key, { first: offset, copies: 1 });
      else seen.copies++;
    },
    firstCopy(source, offset) {
      const seen = bySource.get(copyKey(source, offset));
      return seen?.first === offset ? seen : undefined;
    },
  };
}
