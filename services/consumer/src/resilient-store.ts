import { setTimeout } from 'node:timers/promises';
import { backoffDelays, type ConsumedRecord, type StoredBatch } from '@badam/pipeline/core';
import { causeChain, failureKind, isQuorumContention, type FailureKind } from './failure-kind.js';

/** Why a record was set aside; the dead-letter record carries it. */
export const DEAD_LETTER_REASONS = ['unreadable', 'unsupported_version', 'invalid', 'unstorable'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetter {
  partition: number;
  offset: number;
  reason: DeadLetterReason;
  error: string;
}

export interface ResilientStoreOptions {
  store(records: readonly ConsumedRecord[]): Promise<StoredBatch>;
  /** Resolves once the dead-letter topic has them (acks=all); rejects otherwise, and is retried. */
  deadLetter(letters: readonly DeadLetter[]): Promise<void>;
  /** Whether the database answers a trivial call: tells a heavy statement from a database that answers nothing. */
  databaseAnswers(): Promise<boolean>;
  /** Timeouts of one batch (while the database answers) before it is split. */
  timeoutsBeforeSplit: number;
  signal: AbortSignal;
  /** Each failed attempt, before its retry: of the store, or of setting records aside on the dead-letter topic. */
  onFailure(failure: {
    step: 'store' | 'dead-letter';
    error: unknown;
    kind: FailureKind;
    records: number;
    delayMs: number;
  }): void;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** The draw of each jittered delay (see backoffDelays); Math.random unless a test needs the delays known. */
  random?: () => number;
}

export interface ResilientOutcome extends StoredBatch {
  deadLettered: number;
}

/** Thrown when the consumer stops while a batch is still failing: nothing is committed, the next owner reads it again. */
export class StoppedWhileFailing extends Error {}

/**
 * Stores a batch, whatever it takes: transient failures are retried in place (a database outage only delays); a
 * batch the database refuses, or that keeps timing out while the database answers other calls, is split in halves
 * (stored in order, first half first, so a group's records keep their offset order), down to single records; a
 * single record that still cannot be stored goes to the dead-letter topic with the error. So a poison record costs a
 * few retries and log(n) splits, never a stuck partition, and is never dropped.
 */
export async function storeResiliently(
  records: readonly ConsumedRecord[],
  options: ResilientStoreOptions,
): Promise<ResilientOutcome> {
  const { signal } = options;
  const nextDelay = backoffDelays(options.minDelayMs ?? 100, options.maxDelayMs ?? 5000, options.random);
  let timeouts = 0;
  let contended = 0;
  for (;;) {
    try {
      return { ...(await options.store(records)), deadLettered: 0 };
    } catch (error) {
      if (signal.aborted) throw new StoppedWhileFailing('stopped while a batch was failing', { cause: error });
      const kind = failureKind(error);
      const persistent =
        kind === 'permanent' ||
        (kind === 'timeout' && ++timeouts >= options.timeoutsBeforeSplit && (await options.databaseAnswers()));
      if (persistent)
        return records.length > 1 ? storeHalves(records, options) : deadLetterOne(records[0]!, error, options);
      const delayMs =
        isQuorumContention(error) && ++contended <= QUICK_RETRIES ? quickRetryDelay(options) : nextDelay();
      options.onFailure({ step: 'store', error, kind, records: records.length, delayMs });
      await waitToRetry(delayMs, signal, error);
    }
  }
}

/** Quick retries of a batch that met another consumer's quorum insert, before the usual backoff (isQuorumContention). */
const QUICK_RETRIES = 5;

/** 10-50 ms, jittered so that consumers that met do not meet again (never above the usual first delay). */
function quickRetryDelay(options: Pick<ResilientStoreOptions, 'minDelayMs' | 'random'>): number {
  return Math.min(options.minDelayMs ?? 100, 10 + Math.floor((options.random ?? Math.random)() * 40));
}

async function storeHalves(
  records: readonly ConsumedRecord[],
  options: ResilientStoreOptions,
): Promise<ResilientOutcome> {
  const middle = Math.ceil(records.length / 2);
  const first = await storeResiliently(records.slice(0, middle), options);
  const second = await storeResiliently(records.slice(middle), options);
  const maxOrders = new Map(first.maxOrders);
  for (const [groupId, order] of second.maxOrders) maxOrders.set(groupId, Math.max(order, maxOrders.get(groupId) ?? 0));
  return {
    stored: first.stored + second.stored,
    alreadyStored: first.alreadyStored + second.alreadyStored,
    duplicates: first.duplicates + second.duplicates,
    deadLettered: first.deadLettered + second.deadLettered,
    maxOrders,
  };
}

async function deadLetterOne(
  record: ConsumedRecord,
  error: unknown,
  options: ResilientStoreOptions,
): Promise<ResilientOutcome> {
  await deadLetterWithRetry(
    [{ partition: record.partition, offset: record.offset, reason: 'unstorable', error: describe(error) }],
    options,
  );
  return { stored: 0, alreadyStored: 0, duplicates: 0, deadLettered: 1, maxOrders: new Map() };
}

/** Retries until the dead-letter topic has the letters: a record leaves the partition only once it is somewhere. */
export async function deadLetterWithRetry(
  letters: readonly DeadLetter[],
  options: Pick<ResilientStoreOptions, 'deadLetter' | 'signal' | 'onFailure' | 'minDelayMs' | 'maxDelayMs' | 'random'>,
): Promise<void> {
  const nextDelay = backoffDelays(options.minDelayMs ?? 100, options.maxDelayMs ?? 5000, options.random);
  for (;;) {
    try {
      await options.deadLetter(letters);
      return;
    } catch (error) {
      if (options.signal.aborted) throw new StoppedWhileFailing('stopped while dead-lettering', { cause: error });
      const delayMs = nextDelay();
      options.onFailure({ step: 'dead-letter', error, kind: 'transient', records: letters.length, delayMs });
      await waitToRetry(delayMs, options.signal, error);
    }
  }
}

/** The pause before the next attempt; a stop cuts it short and ends the retries (nothing of the batch is committed). */
async function waitToRetry(delayMs: number, signal: AbortSignal, lastError: unknown): Promise<void> {
  try {
    await setTimeout(delayMs, undefined, { signal });
  } catch {
    throw new StoppedWhileFailing('stopped while a batch was failing', { cause: lastError });
  }
}

/** The error and its causes in one line, for the dead-letter record and the logs. */
export function describe(error: unknown): string {
  return causeChain(error)
    .map((cause) => (cause instanceof Error ? cause.message : String(cause)))
    .join(': ')
    .slice(0, 2000);
}
