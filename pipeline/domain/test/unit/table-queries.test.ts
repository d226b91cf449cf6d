import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterProbe,
  chunkGroups,
  emptyHeads,
  foldKeys,
  foldWindows,
  splitByWatermark,
} from '../../src/table/group-heads.js';
import { keysQuery, probeWhere, rangesWhere } from '../../src/table/heads-queries.js';
import {
  groupIdsAfterQuery,
  latestPagesQueries,
  readPageQuery,
  toPage,
  toPages,
} from '../../src/table/page-queries.js';
import { READ_WHOLE_UP_TO } from '../../src/table/query-limits.js';
import { totalsQuery } from '../../src/table/reconciliation-queries.js';
import { sourceKey, type StoredRow } from '../../src/table/rows.js';

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
const stored = (groupId: number, order: number): StoredRow => ({
  group_id: String(groupId),
  order: String(order),
  sender_id: '3',
  text: `m${order}`,
  created_at_ms: '1700000000000',
});

describe('the page queries (table/page-queries.ts)', () => {
  it('read one row more than the page, older than `before` when given', () => {
    assert.equal(
      oneLine(readPageQuery('messages', { groupId: 7, limit: 10, before: 40 })),
      'SELECT `group_id`, `order`, `sender_id`, `text`, `created_at_ms` FROM `messages` FINAL WHERE group_id = 7 AND `order` < 40 ORDER BY `order` DESC LIMIT 11',
    );
    assert.doesNotMatch(readPageQuery('messages', { groupId: 7, limit: 10, before: undefined }), /`order` </);
  });

  it('put only validated integers into SQL', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      assert.throws(
        () => readPageQuery('messages', { groupId: bad, limit: 10, before: undefined }),
        /non-negative safe integer/,
      );
      assert.throws(() => latestPagesQueries('messages', [bad], 10, new Map()), /non-negative safe integer/);
      assert.throws(() => groupIdsAfterQuery('messages', bad, 10), /non-negative safe integer/);
      assert.throws(() => keysQuery('messages', new Map([[1, [bad]]])), /non-negative safe integer/);
      assert.throws(() => totalsQuery('messages', bad), /non-negative safe integer/);
    }
  });

  it('read small groups whole and large ones by point lookups of their newest orders', () => {
    const large = READ_WHOLE_UP_TO + 100;
    const [small, lookups, ...rest] = latestPagesQueries(
      'messages',
      [1, 2, 3],
      2,
      new Map([
        [2, large],
        [3, 5],
      ]),
    );
    assert.match(
      oneLine(small ?? ''),
      /WHERE group_id IN \(1,3\) ORDER BY group_id, `order` DESC LIMIT 3 BY group_id$/,
    );
    assert.match(
      oneLine(lookups ?? ''),
      new RegExp(`WHERE \\(group_id, \`order\`\\) IN \\(\\(2,${large}\\),\\(2,${large - 1}\\),\\(2,${large - 2}\\)\\)`),
    );
    assert.deepEqual(rest, []);
  });

  it('make pages with has_more and next_before from one row too many', () => {
    const page = toPage(7, [stored(7, 5), stored(7, 4), stored(7, 3)], 2);
    assert.deepEqual(
      page.messages.map((m) => m.order),
      [5, 4],
    );
    assert.equal(page.has_more, true);
    assert.equal(page.next_before, 4);
    assert.equal(page.messages[0]?.time, '2023-11-14T22:13:20.000Z');
    const pages = toPages([stored(1, 2), stored(2, 1), stored(1, 1)], 2);
    assert.deepEqual([...pages.keys()], [1, 2]);
    assert.deepEqual(
      pages.get(1)?.messages.map((m) => m.order),
      [2, 1],
    );
    assert.equal(pages.get(1)?.has_more, false);
  });
});

describe('the group heads steps (table/group-heads.ts, table/heads-queries.ts)', () => {
  it('chunk groups by groups plus hashes, never splitting a group', () => {
    const chunks = chunkGroups(
      new Map([
        [1, [10, 11]],
        [2, []],
        [3, [12]],
        [4, [13, 14, 15]],
      ]),
      5,
    );
    assert.deepEqual(
      chunks.map((chunk) => [...chunk.keys()]),
      [[1, 2], [3], [4]],
    );
  });

  it('read watermarks and the asked hashes from the keys index, dropping pairs not asked for', () => {
    const heads = emptyHeads();
    const rows = [
      { group_id: '1', idempotency_hash: '0', order: '900' },
      { group_id: '1', idempotency_hash: '22', order: '900' },
      { group_id: '2', idempotency_hash: '11', order: '4' },
    ];
    const watermarks = foldKeys(
      new Map([
        [1, [11]],
        [2, [11]],
        [3, []],
      ]),
      rows,
      heads,
    );
    assert.deepEqual(
      [...watermarks],
      [
        [1, 900],
        [2, 0],
        [3, 0],
      ],
    );
    assert.deepEqual([...(heads.heads.get(2)?.storedIdempotencyHashes ?? [])], [11]);
    assert.equal(heads.heads.get(1), undefined, 'hash 22 was not asked for group 1');
  });

  it('probe large groups at w and w + 1, then read on from w or whole as the probe says', () => {
    const { probed, whole } = splitByWatermark(
      new Map([
        [1, READ_WHOLE_UP_TO + 1],
        [2, READ_WHOLE_UP_TO],
        [3, 900],
        [4, 1000],
      ]),
    );
    assert.deepEqual(whole, [2]);
    assert.equal(probeWhere([[3, 900]]), '(group_id, `order`) IN ((3,900),(3,901))');
    const rest = afterProbe(
      probed,
      new Map([
        [1, READ_WHOLE_UP_TO + 1],
        [3, 901],
      ]),
    );
    assert.deepEqual(rest, { after: [[3, 900]], whole: [4] }, 'group 1 is whole at w, 3 lags its index, 4 lost rows');
    assert.equal(rangesWhere(rest.after, [2, ...rest.whole]), '(group_id = 3 AND `order` > 900) OR group_id IN (2,4)');
    assert.equal(rangesWhere([], []), undefined);
  });

  it("fold window rows into each group's highest order, next offset per source, and hashes", () => {
    const heads = emptyHeads();
    const window = (partition: number, maxOrder: number, nextOffset: number, hashes: string[]) => ({
      group_id: '5',
      kafka_topic_id: 'T',
      kafka_partition: partition,
      max_order: String(maxOrder),
      next_offset: String(nextOffset),
      hashes,
    });
    const seen = foldWindows([window(0, 7, 41, ['9', '8']), window(1, 6, 3, [])], new Map([[5, [9]]]), heads);
    assert.deepEqual([...seen], [[5, 7]]);
    const head = heads.heads.get(5);
    assert.equal(head?.maxOrder, 7);
    assert.deepEqual(
      [...(head?.nextOffsets ?? [])],
      [
        [sourceKey('T', 0), 41],
        [sourceKey('T', 1), 3],
      ],
    );
    assert.deepEqual([...(head?.storedIdempotencyHashes ?? [])], [9]);
    assert.deepEqual(heads.unindexedHashes.get(5), [9, 8]);
  });
});
