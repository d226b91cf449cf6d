import type { KeyRow, WindowRow } from './heads-queries.js';
import { READ_WHOLE_UP_TO } from './query-limits.js';
import type { GroupHeads } from './repository.js';
import { sourceKey } from './rows.js';

// The steps of a group heads read (MessagesRepository.groupHeads), between its queries (heads-queries.ts): which
// groups each query reads, and what its rows say. A batch's groups are read in chunks (chunkGroups); per chunk:
// 1. the keys index (keysQuery): each group's watermark w, and the batch's hashes it has (foldKeys);
// 2. the rows at or above w (windowQuery), normally just the newest. Orders are gapless, so one point lookup of
//    (w, w + 1) per group tells all (probeWhere): w alone is the whole window; w + 1 too means the index lags (a crash
//    between insert and indexing), and only those groups are read as a range; no w means the table lost rows the index
//    still counts, and that group is read whole, so the answer is right even then, only slower (afterProbe). Small
//    groups (watermark up to READ_WHOLE_UP_TO) and groups without one (new, or stored before the index existed: once)
//    are read whole (splitByWatermark).

export function emptyHeads(): GroupHeads {
  return { heads: new Map(), unindexedHashes: new Map() };
}

/** Splits groups (each counted once, plus once per hash it carries) into chunks of at most `maxTuples`. */
export function chunkGroups(
  hashesByGroup: ReadonlyMap<number, readonly number[]>,
  maxTuples: number,
): Map<number, readonly number[]>[] {
  const chunks: Map<number, readonly number[]>[] = [];
  let current = new Map<number, readonly number[]>();
  let tuples = 0;
  for (const [groupId, hashes] of hashesByGroup) {
    if (current.size > 0 && tuples + 1 + hashes.length > maxTuples) {
      chunks.push(current);
      current = new Map();
      tuples = 0;
    }
    current.set(groupId, hashes);
    tuples += 1 + hashes.length;
  }
  if (current.size > 0) chunks.push(current);
  return chunks;
}

/** Adds the hashes the groups asked for have to `into`; returns each group's watermark (0: none yet). */
export function foldKeys(
  asked: ReadonlyMap<number, readonly number[]>,
  rows: readonly KeyRow[],
  into: GroupHeads,
): Map<number, number> {
  const watermarks = new Map([...asked.keys()].map((groupId) => [groupId, 0]));
  const wanted = askedSets(asked);
  for (const row of rows) {
    const groupId = Number(row.group_id);
    const hash = Number(row.idempotency_hash);
    if (hash === 0) watermarks.set(groupId, Number(row.order));
    else if (wanted.get(groupId)?.has(hash)) headOf(into, groupId).storedIdempotencyHashes.add(hash);
  }
  return watermarks;
}

/** Groups whose watermark makes them worth probing, and groups read whole. */
export function splitByWatermark(watermarks: ReadonlyMap<number, number>): {
  probed: [number, number][];
  whole: number[];
} {
  const probed = [...watermarks].filter(([, watermark]) => watermark > READ_WHOLE_UP_TO);
  const whole = [...watermarks].filter(([, watermark]) => watermark <= READ_WHOLE_UP_TO).map(([groupId]) => groupId);
  return { probed, whole };
}

/** After the probe (`seen`: each probed group's highest order found): the groups still to read, from w or whole. */
export function afterProbe(
  probed: readonly [number, number][],
  seen: ReadonlyMap<number, number>,
): { after: [number, number][]; whole: number[] } {
  const after: [number, number][] = [];
  const whole: number[] = [];
  for (const [groupId, w] of probed) {
    const newest = seen.get(groupId);
    if (newest === undefined) whole.push(groupId);
    else if (newest > w) after.push([groupId, w]);
  }
  return { after, whole };
}

/** Adds window rows to the heads; returns each group's highest order among them. */
export function foldWindows(
  rows: readonly WindowRow[],
  asked: ReadonlyMap<number, readonly number[]>,
  into: GroupHeads,
): Map<number, number> {
  const seen = new Map<number, number>();
  const wantedByGroup = askedSets(asked);
  for (const row of rows) {
    const groupId = Number(row.group_id);
    seen.set(groupId, Math.max(Number(row.max_order), seen.get(groupId) ?? 0));
    const head = headOf(into, groupId);
    head.maxOrder = Math.max(head.maxOrder, Number(row.max_order));
    head.nextOffsets.set(sourceKey(row.kafka_topic_id, row.kafka_partition), Number(row.next_offset));
    const wanted = wantedByGroup.get(groupId);
    const unindexed = into.unindexedHashes.get(groupId) ?? [];
    for (const hash of row.hashes.map(Number)) {
      if (wanted?.has(hash)) head.storedIdempotencyHashes.add(hash);
      unindexed.push(hash);
    }
    into.unindexedHashes.set(groupId, unindexed);
  }
  return seen;
}

/** The keys each group asked about, as sets: a lookup per stored key, not a scan of the asked list. */
function askedSets(asked: ReadonlyMap<number, readonly number[]>): Map<number, Set<number>> {
  return new Map([...asked].map(([groupId, hashes]) => [groupId, new Set(hashes)]));
}

type MutableHead = { maxOrder: number; nextOffsets: Map<string, number>; storedIdempotencyHashes: Set<number> };

function headOf(into: GroupHeads, groupId: number): MutableHead {
  let head = into.heads.get(groupId) as MutableHead | undefined;
  if (head === undefined) {
    head = { maxOrder: 0, nextOffsets: new Map(), storedIdempotencyHashes: new Set() };
    into.heads.set(groupId, head);
  }
  return head;
}
