import type { ClickHouseClient } from '@clickhouse/client';
import { groupIdOfKey, parseDeadLetterSource, storedTopicIdsQuery } from '@badam/pipeline/core';

/**
 * Whether the record a dead letter was is in the table after all: set aside, then redelivered before its offset was
 * committed and stored that time (its cause fixed meanwhile, e.g. the consumers upgraded). Replaying it would store
 * it twice. False when the dead letter names no record of ours (no source, or a key that is not a group id).
 */
export function createStoredAfterAll(client: ClickHouseClient, table: string) {
  return async (sourceHeader: string, key: Buffer | string | null | undefined): Promise<boolean> => {
    const source = parseDeadLetterSource(sourceHeader);
    const groupId = key === null || key === undefined ? undefined : groupIdOfKey(key.toString());
    if (source === undefined || groupId === undefined) return false;
    const result = await client.query({
      query: storedTopicIdsQuery(table, groupId, source.partition, source.offset),
      format: 'JSONEachRow',
    });
    return (await result.json<{ topic_id: string }>()).some((row) => row.topic_id === source.topicId);
  };
}
