import type { ReadQuery } from '../contract/read-query.js';
import type { IndexedKey, MessageRow } from './rows.js';

// What the pipeline asks of the messages table, whatever runs the queries (clickhouse/messages-repository.ts).

/** What the store says about a group before a batch: read fresh for every batch, never carried between batches. */
export interface GroupHead {
  /** Highest order stored for the group (0 when it has none). */
  maxOrder: number;
  /**
   * Per source (sourceKey: topic id and partition) of the group's newest rows: one past the highest offset stored
   * from it (lower offsets are stored). A group lives in one partition unless the topic was ever repartitioned.
   */
  nextOffsets: ReadonlyMap<string, number>;
  /** Of the idempotency hashes the batch carries for the group, those already stored with one of its messages. */
  storedIdempotencyHashes: ReadonlySet<number>;
}

/** One message as every read API returns it. */
export interface MessageView {
  group_id: number;
  order: number;
  sender_id: number;
  text: string;
  /** ISO-8601 with milliseconds, UTC. */
  time: string;
}

export interface MessagePage {
  group_id: number;
  messages: MessageView[];
  has_more: boolean;
  /** Pass as `before` to get the next (older) page; null when there is none. */
  next_before: number | null;
}

export interface MessagesRepository {
  readPage(query: ReadQuery): Promise<MessagePage>;
  /**
   * The latest page of `limit` messages of each group that has messages, in one query. With a known highest order
   * per group (a lower bound is enough) it reads only the newest rows, not the group's whole history.
   */
  latestPages(
    groupIds: readonly number[],
    limit: number,
    knownMaxOrders?: ReadonlyMap<number, number>,
  ): Promise<Map<number, MessagePage>>;
  /** Up to `limit` group ids above `after` that have messages, ascending: to walk every group. */
  groupIdsAfter(after: number, limit: number): Promise<number[]>;
  /**
   * For each group that has messages: its highest order, per source the next offset to store, and which of the
   * given idempotency hashes (per group) it already has; with the keys the keys index still lacks. The cost depends on
   * the number of groups and hashes asked for, not on how many messages the groups have (see schema.ts, keys index).
   */
  groupHeads(hashesByGroup: ReadonlyMap<number, readonly number[]>): Promise<GroupHeads>;
  insert(rows: readonly MessageRow[]): Promise<void>;
  /** Adds keys to the keys index and moves watermarks up (the watermark rows have idempotency_hash 0). */
  indexKeys(keys: readonly IndexedKey[]): Promise<void>;
  isReachable(): Promise<boolean>;
}

export interface GroupHeads {
  heads: Map<number, GroupHead>;
  /** Per group, the hashes of its rows at or above its watermark: index them before moving the watermark past them. */
  unindexedHashes: Map<number, number[]>;
}
