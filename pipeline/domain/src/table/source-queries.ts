import { quoteIdentifier, sqlInteger } from './identifiers.js';

/**
 * The topic ids of a group's rows stored from one partition and offset (rows: { topic_id }): whether a record set
 * aside was stored after all, by a redelivery that found its cause fixed. Bounded by the group (the sort key's
 * prefix); the id is compared by the caller, so only integers reach the SQL text.
 */
export function storedTopicIdsQuery(table: string, groupId: number, partition: number, offset: number): string {
  return `SELECT DISTINCT kafka_topic_id AS topic_id FROM ${quoteIdentifier(table)}
    WHERE group_id = ${sqlInteger(groupId)} AND kafka_partition = ${sqlInteger(partition)} AND kafka_offset = ${sqlInteger(offset)}`;
}
