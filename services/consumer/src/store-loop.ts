import { pause, type ConsumerMetrics, type Logger, type PageRefresher } from '@badam/pipeline/core';
import type { TopicIdentity } from '@badam/pipeline/topic-admin';
import type { BatchStorer } from './batch-storer.js';
import type { RecordSource, SourceRecord } from './record-source.js';
import { settleBatch } from './settle-batch.js';
import { confirmSameTopic } from './topic-check.js';

export interface StoreLoopOptions {
  source: RecordSource;
  storer: BatchStorer;
  /** Rewrites the read model's page of every group in a stored batch, before the batch's offsets are committed. */
  pages: PageRefresher;
  topic: string;
  topicIdentity: TopicIdentity;
  maxBatch: number;
  lingerMs: number;
  logger: Logger;
  metrics: ConsumerMetrics;
  /** Consuming cannot safely go on in this process (the topic was recreated under it): exit, and be restarted. */
  onFatal(error: Error): void;
}

export interface StoreLoop {
  start(): Promise<void>;
  /** Stops fetching, lets the batch in progress store and commit, then leaves the group. */
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Since when (epoch ms) the batch in progress has been failing, with the last error; undefined while all is well. */
  failing(): { sinceMs: number; error: string } | undefined;
}

/**
 * Takes whatever the source's partitions have ready, up to maxBatch records or lingerMs after the first, and stores
 * it (the storer: a few bounded lookups and one insert, poison to the dead-letter topic): few large inserts, as
 * ClickHouse wants, whatever the number of partitions. Each partition (so each group id) has one owner at a time.
 *
 * The store is the source of truth for what has been processed (each row carries its topic id, partition and
 * offset); the committed Kafka offset only saves re-reading. So a crash anywhere re-reads at most the uncommitted
 * records, and the store skips those already stored.
 *
 * Offsets are committed by topic name, so the topic's id is checked twice per batch: before the insert (records of a
 * recreated topic must not be stored as the old one's) and again right before the commit (the old topic's offsets
 * must not become the recreated one's, whose first records would then be skipped).
 *
 * Offsets are committed only once the batch's pages are refreshed in the read model. While the read model is
 * unavailable, batches are still stored (reads fall back to ClickHouse) and their groups wait in the refresher; their
 * offsets are held back, so a consumer that dies meanwhile leaves them to be redelivered, skipped as already stored,
 * and refreshed by the next owner: a page can be missing or late, never left behind for good.
 */
export function createStoreLoop(options: StoreLoopOptions): StoreLoop {
  const { source, storer, pages, logger, metrics } = options;
  /** Per partition, the next offset to commit once the pages of everything stored up to it are refreshed. */
  const heldOffsets = new Map<number, number>();
  const stopping = new AbortController();
  let running = false;
  /** The topic's id when consuming began: every record consumed since belongs to it while the topic still has it. */
  let topicId = '';
  let loopDone: Promise<void> = Promise.resolve();
  /** The batch from the moment it is settled until its offsets are committed: a revocation waits for it. */
  let inFlight: Promise<void> = Promise.resolve();

  async function fillBatch(): Promise<SourceRecord[]> {
    const batch = await source.fetch(options.maxBatch, 200);
    const deadline = Date.now() + options.lingerMs;
    while (batch.length > 0 && batch.length < options.maxBatch && Date.now() < deadline && !stopping.signal.aborted) {
      try {
        batch.push(...(await source.fetch(options.maxBatch - batch.length, Math.max(1, deadline - Date.now()))));
      } catch (error) {
        // The records gathered so far are past the fetch position: dropping them would lose them. Store them now.
        logger.warn({ err: error }, 'consume failed');
        break;
      }
    }
    return batch;
  }

  /** Whether the topic still has the id consuming began with; if not, `onFatal` has been told. */
  function sameTopic(): Promise<boolean> {
    const check = {
      topic: options.topic,
      topicId,
      topicIdentity: options.topicIdentity,
      logger,
      signal: stopping.signal,
    };
    return confirmSameTopic(check, options.onFatal);
  }

  /**
   * Refreshes the pages of the groups given and of any left over; commits every held offset once that succeeds.
   * False when consuming must end: the topic was recreated (or stopped before that was known); nothing is committed.
   */
  async function refreshThenCommit(maxOrders: ReadonlyMap<number, number>): Promise<boolean> {
    if (!(await pages.refresh(maxOrders))) {
      logger.warn(
        { pendingGroups: pages.pendingGroups() },
        'read model refresh failed; offsets held until it succeeds',
      );
      return true;
    }
    if (heldOffsets.size === 0) return true;
    // Checked here, not only before the insert: the insert and the refresh (or a read model outage) can take long.
    if (!(await sameTopic())) return false;
    try {
      source.commit(heldOffsets);
    } catch (error) {
      // Harmless: the records are stored, and a redelivery is recognised by its offset and skipped.
      logger.warn({ err: error }, 'offset commit failed');
    }
    heldOffsets.clear();
    return true;
  }

  /** Checks, stores and commits a settled batch; false when consuming must end (see refreshThenCommit). */
  async function checkStoreCommit(batch: readonly SourceRecord[]): Promise<boolean> {
    if (!(await sameTopic())) return false;
    const outcome = await storer.store(batch, { topicId, signal: stopping.signal });
    if (outcome === undefined) return true; // stopped while failing: the loop ends on the aborted signal
    for (const { partition, offset } of batch)
      heldOffsets.set(partition, Math.max(heldOffsets.get(partition) ?? 0, offset + 1));
    // Every group of the batch, also those whose records were all skipped as already stored: that is how a crash
    // between the insert and the refresh heals on redelivery.
    return refreshThenCommit(outcome.maxOrders);
  }

  async function loop() {
    while (!stopping.signal.aborted) {
      let delivered: SourceRecord[];
      try {
        delivered = await fillBatch();
      } catch (error) {
        logger.warn({ err: error }, 'consume failed');
        await pause(500, stopping.signal);
        continue;
      }
      const { records: batch, moved, redelivered } = settleBatch(delivered, source.ownedPartitions());
      if (moved > 0) metrics.settled.inc({ result: 'partition_moved' }, moved);
      if (redelivered > 0) metrics.settled.inc({ result: 'redelivered_in_batch' }, redelivered);
      if (batch.length === 0) {
        // Idle: retry the pages a failed refresh left behind, so they heal without waiting for new records.
        if (pages.pendingGroups() > 0 && !(await refreshThenCommit(new Map()))) return;
        continue;
      }
      // Stopped while the batch filled: it is left to the next owner, uncommitted.
      if (stopping.signal.aborted) return;
      // Set in the same step as the batch is settled against the partitions owned, so a revocation arriving during
      // the topic check, the insert or the refresh waits for the commit: otherwise this member would store and commit
      // a partition it no longer owns, setting back the new owner's committed offset.
      const batchDone = checkStoreCommit(batch);
      inFlight = batchDone.then(
        () => undefined,
        () => undefined, // the loop itself fails on the error; the revocation need not
      );
      if (!(await batchDone)) return;
    }
  }

  return {
    async start() {
      topicId = await options.topicIdentity.current();
      await source.start({
        // Offsets held for a page refresh are the next owner's to redeliver; committing them later, after the
        // partition moved on, would only set its committed offset back.
        revoking: (partitions) =>
          inFlight.finally(() => {
            for (const partition of partitions) heldOffsets.delete(partition);
          }),
      });
      running = true;
      loopDone = loop();
    },
    async stop() {
      stopping.abort();
      await loopDone;
      running = false;
      await source.stop();
    },
    isRunning: () => running,
    failing: () => storer.failing(),
  };
}
