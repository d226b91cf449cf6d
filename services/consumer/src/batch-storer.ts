import {
  decodeMessage,
  secondsSince,
  UndecodableRecordError,
  type ConsumedRecord,
  type ConsumerMetrics,
  type Logger,
  type StoredBatch,
} from '@badam/pipeline/core';
import type { DeadLetterSender, DeadRecord } from './dead-letters.js';
import type { SourceRecord } from './record-source.js';
import {
  DEAD_LETTER_REASONS,
  deadLetterWithRetry,
  describe,
  StoppedWhileFailing,
  storeResiliently,
  type ResilientOutcome,
  type ResilientStoreOptions,
} from './resilient-store.js';

export interface BatchStorerOptions {
  /** Orders and writes decoded records: storeBatch (max(order)+1 per group, read from ClickHouse) on the repository. */
  write(records: readonly ConsumedRecord[]): Promise<StoredBatch>;
  /** Whether the database answers a trivial call: see storeResiliently. */
  databaseAnswers(): Promise<boolean>;
  /** Where records that cannot be stored go, so their offsets can be committed without losing them. */
  deadLetters: DeadLetterSender;
  /** Timeouts of one batch (with the database answering pings) before it is split: see storeResiliently. */
  timeoutsBeforeSplit: number;
  logger: Logger;
  metrics: ConsumerMetrics;
  /** The retry delays of storeResiliently; its defaults unless a test needs them shorter. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface BatchStorer {
  /**
   * Stores what can be stored and sets aside the rest (dead letters carry the topic's id). Undefined when stopped
   * while failing: nothing of the batch is then committed, and whoever owns the partition next reads it again.
   */
  store(
    batch: readonly SourceRecord[],
    context: { topicId: string; signal: AbortSignal },
  ): Promise<ResilientOutcome | undefined>;
  /** Since when (epoch ms) the batch in progress has been failing, with the last error; undefined while all is well. */
  failing(): { sinceMs: number; error: string } | undefined;
}

/** Decodes a batch, stores it through storeResiliently, sets its poison aside, and keeps the metrics of each step. */
export function createBatchStorer(options: BatchStorerOptions): BatchStorer {
  const { logger, metrics } = options;
  let failure: { sinceMs: number; error: string } | undefined;
  // Every reason's series exists from the start, so the first dead letter is an increase Prometheus can see.
  for (const reason of DEAD_LETTER_REASONS) metrics.deadLetters.inc({ reason }, 0);

  /** Splits a batch into records to store and records to set aside (with why). */
  function decode(
    batch: readonly SourceRecord[],
    topicId: string,
  ): { records: ConsumedRecord[]; undecodable: DeadRecord[] } {
    const records: ConsumedRecord[] = [];
    const undecodable: DeadRecord[] = [];
    for (const { partition, offset, key, value } of batch) {
      try {
        records.push({ topicId, partition, offset, message: decodeMessage(value ?? null) });
      } catch (error) {
        const reason = error instanceof UndecodableRecordError ? error.reason : 'invalid';
        logger.error(
          { err: error, partition, offset, reason },
          'record cannot be decoded: sending it to the dead-letter topic',
        );
        undecodable.push({ key, value, topicId, letter: { partition, offset, reason, error: describe(error) } });
      }
    }
    return { records, undecodable };
  }

  /** How a batch is stored and its poison set aside; the dead letters carry the batch's own key and value bytes. */
  function resilienceFor(batch: readonly SourceRecord[], topicId: string, signal: AbortSignal): ResilientStoreOptions {
    // Built only when a batch has poison (rare), not for every batch.
    let byOffset: Map<string, SourceRecord> | undefined;
    return {
      store: options.write,
      deadLetter: (letters) => {
        byOffset ??= new Map(batch.map((record) => [`${record.partition}:${record.offset}`, record]));
        return options.deadLetters.send(
          letters.map((letter) => {
            const record = byOffset?.get(`${letter.partition}:${letter.offset}`);
            return { key: record?.key, value: record?.value, topicId, letter };
          }),
        );
      },
      databaseAnswers: options.databaseAnswers,
      timeoutsBeforeSplit: options.timeoutsBeforeSplit,
      signal,
      onFailure({ step, error, kind, records, delayMs }) {
        metrics.batches.inc({ result: 'error' });
        const now = Date.now();
        failure = { sinceMs: failure?.sinceMs ?? now, error: describe(error) };
        metrics.failingSeconds.set((now - failure.sinceMs) / 1000);
        logger.warn(
          { err: error, step, kind, records, delayMs },
          step === 'store' ? 'storing a batch failed, retrying' : 'setting records aside failed, retrying',
        );
      },
      minDelayMs: options.minDelayMs,
      maxDelayMs: options.maxDelayMs,
    };
  }

  function recordStored(records: ConsumedRecord[], result: ResilientOutcome, seconds: number) {
    failure = undefined;
    metrics.failingSeconds.set(0);
    metrics.batches.inc({ result: 'ok' });
    metrics.batchSize.observe(records.length);
    metrics.batchDuration.observe(seconds);
    metrics.messages.inc({ result: 'stored' }, result.stored);
    if (result.alreadyStored > 0) metrics.messages.inc({ result: 'already_stored' }, result.alreadyStored);
    if (result.duplicates > 0) metrics.messages.inc({ result: 'duplicate' }, result.duplicates);
    const now = Date.now();
    for (const record of records)
      metrics.endToEndDelay.observe(Math.max(0, now - record.message.accepted_at_ms) / 1000);
  }

  return {
    async store(batch, { topicId, signal }) {
      const { records, undecodable } = decode(batch, topicId);
      const resilience = resilienceFor(batch, topicId, signal);
      const start = process.hrtime.bigint();
      try {
        if (undecodable.length > 0) {
          await deadLetterWithRetry(
            undecodable.map((dead) => dead.letter),
            resilience,
          );
          for (const dead of undecodable) metrics.deadLetters.inc({ reason: dead.letter.reason });
        }
        const outcome = await storeResiliently(records, resilience);
        if (outcome.deadLettered > 0) {
          metrics.deadLetters.inc({ reason: 'unstorable' }, outcome.deadLettered);
          logger.error(
            { records: outcome.deadLettered },
            'records the database refuses were sent to the dead-letter topic',
          );
        }
        recordStored(records, outcome, secondsSince(start));
        return outcome;
      } catch (error) {
        if (error instanceof StoppedWhileFailing) return undefined;
        throw error;
      }
    },
    failing: () => failure,
  };
}
