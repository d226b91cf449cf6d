import { setTimeout } from 'node:timers/promises';
import {
  createConsumerMetrics,
  createLogger,
  createServiceMetrics,
  type ConsumedRecord,
  type StoredBatch,
} from '@badam/pipeline/core';
import { createBatchStorer } from '../../src/batch-storer.js';
import type { DeadRecord } from '../../src/dead-letters.js';
import { createStoreLoop, type StoreLoopOptions } from '../../src/store-loop.js';
import { createFakeSource } from './fake-source.js';

export const TOPIC_ID = 'T1';

export interface StoredRow {
  groupId: number;
  order: number;
  partition: number;
  offset: number;
  text: string;
}

/**
 * The messages table in memory, as storeBatch treats it: a record already stored (same topic id, partition and
 * offset) is skipped, every other one gets its group's highest order + 1. `refuse` fails a write as ClickHouse would;
 * after `hold()`, every write waits until `release()`.
 */
export function createFakeStore() {
  const rows: StoredRow[] = [];
  const state = {
    refuse: undefined as undefined | ((records: readonly ConsumedRecord[]) => Error | undefined),
    writes: 0,
  };
  let gate: ReturnType<typeof deferred> | undefined;
  async function write(records: readonly ConsumedRecord[]): Promise<StoredBatch> {
    state.writes++;
    await gate?.promise;
    const error = state.refuse?.(records);
    if (error !== undefined) throw error;
    let stored = 0;
    let alreadyStored = 0;
    const maxOrders = new Map<number, number>();
    for (const { partition, offset, message } of records) {
      const groupId = message.group_id;
      if (rows.some((row) => row.partition === partition && row.offset === offset)) alreadyStored++;
      else {
        const order = Math.max(0, ...rows.filter((row) => row.groupId === groupId).map((row) => row.order)) + 1;
        rows.push({ groupId, order, partition, offset, text: message.text });
        stored++;
      }
      maxOrders.set(groupId, Math.max(0, ...rows.filter((row) => row.groupId === groupId).map((row) => row.order)));
    }
    return { stored, alreadyStored, duplicates: 0, maxOrders };
  }
  return {
    rows,
    state,
    write,
    hold() {
      gate = deferred();
    },
    release() {
      gate?.resolve();
      gate = undefined;
    },
  };
}

/** A store loop on a fake source and a fake store, with the real storer, resilience and settling between them. */
export function createLoopHarness(
  overrides: Partial<Pick<StoreLoopOptions, 'maxBatch' | 'lingerMs'>> & { partitions?: number[] } = {},
) {
  const fake = createFakeSource(overrides.partitions ?? [0, 1]);
  const store = createFakeStore();
  const deadLetters: DeadRecord[] = [];
  const pages = { refreshes: [] as ReadonlyMap<number, number>[], answer: true, pending: 0 };
  let topicGate: ReturnType<typeof deferred> | undefined;
  /** The topic's id as the broker answers it; `checks` counts the questions; after `hold()`, answers wait for `release()`. */
  const topic = {
    id: TOPIC_ID,
    checks: 0,
    hold() {
      topicGate = deferred();
    },
    release() {
      topicGate?.resolve();
      topicGate = undefined;
    },
  };
  const fatal: Error[] = [];
  const metrics = createConsumerMetrics(createServiceMetrics('consumer-test').registry);
  const logger = createLogger('consumer-test', 'silent');
  const loop = createStoreLoop({
    source: fake.source,
    storer: createBatchStorer({
      write: store.write,
      databaseAnswers: async () => true,
      deadLetters: {
        async send(records) {
          deadLetters.push(...records);
        },
        async close() {},
      },
      timeoutsBeforeSplit: 2,
      logger,
      metrics,
      minDelayMs: 1,
      maxDelayMs: 5,
    }),
    pages: {
      async refresh(maxOrders) {
        pages.refreshes.push(maxOrders);
        return pages.answer;
      },
      pendingGroups: () => pages.pending,
    },
    topic: 'messages',
    topicIdentity: {
      async current() {
        topic.checks++;
        await topicGate?.promise;
        return topic.id;
      },
      close: async () => {},
    },
    maxBatch: overrides.maxBatch ?? 100,
    lingerMs: overrides.lingerMs ?? 0,
    logger,
    metrics,
    onFatal: (error) => fatal.push(error),
  });
  /** Stops the loop, first letting any held write or topic check go (a failed assertion must not leave the test hanging). */
  async function close() {
    store.release();
    topic.release();
    await loop.stop();
  }
  return { loop, fake, store, deadLetters, pages, topic, fatal, metrics, close };
}

/** Polls until `condition` holds, failing the test after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await setTimeout(2);
  }
}

/** A promise and the function that resolves it. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
