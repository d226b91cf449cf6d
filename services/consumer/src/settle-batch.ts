export interface Delivered {
  partition: number;
  offset: number;
}

/**
 * Makes a filled batch safe to store. While a batch fills, a partition can be revoked and handed back (its records
 * then arrive again from the committed offset, so the batch holds some offsets twice and out of order) or handed to
 * another member (its records are now that member's to store). Keeps the records of partitions still owned, each
 * offset once, in offset order within each partition; the order between partitions does not matter (a group lives
 * in one partition).
 */
export function settleBatch<T extends Delivered>(delivered: readonly T[], owned: ReadonlySet<number>): SettledBatch<T> {
  const seen = new Set<string>();
  const records: T[] = [];
  let moved = 0;
  let redelivered = 0;
  for (const record of delivered) {
    const id = `${record.partition}:${record.offset}`;
    if (!owned.has(record.partition)) moved++;
    else if (seen.has(id)) redelivered++;
    else {
      seen.add(id);
      records.push(record);
    }
  }
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return { records, moved, redelivered };
}

export interface SettledBatch<T> {
  records: T[];
  /** Dropped: their partition now belongs to another member. */
  moved: number;
  /** Dropped: delivered twice in this batch (their partition was handed back). */
  redelivered: number;
}
