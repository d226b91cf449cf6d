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
export function settleBatch<T extends Delivered>(delivered: readonly T[], owned: ReadonlySet<number>): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const record of delivered) {
    const id = `${record.partition}:${record.offset}`;
    if (!owned.has(record.partition) || seen.has(id)) continue;
    seen.add(id);
    kept.push(record);
  }
  return kept.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
