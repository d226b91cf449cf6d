// How large a query on the messages table may grow, and when a group is read whole rather than by point lookups.
// Measured on ClickHouse 18.16 (docs/BENCHMARKS.md); 25.8 runs the same queries.

/**
 * A group with at most this many rows is read whole rather than by point lookups of its sort key: on 18.16 a tuple IN
 * costs several times more per group than reading a small group's granules. Larger groups are read by point lookups,
 * so no read costs more than about this many rows, whatever a group's history.
 */
export const READ_WHOLE_UP_TO = 512;

/** Large groups per page query: limit + 1 pairs of up to 16 + 16 digits each keep a query below 200 KB. */
export const LARGE_GROUPS_PER_QUERY = 400;

/**
 * Groups plus hashes per chunk of a heads read: at most 2,000 ids in the keys lookup, and two (group, order) pairs per
 * large group in the probe (about 150 KB of SQL at 16 digits each), below 18.16's 256 KiB max_query_size, whatever
 * CONSUMER_MAX_BATCH is.
 */
export const HEADS_PER_QUERY = 2000;
