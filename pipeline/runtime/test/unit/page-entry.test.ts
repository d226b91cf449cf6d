import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MODEL_PAGE_SIZE,
  encodeEntry,
  entryBody,
  entryVersion,
  pageVersion,
  shortenPage,
} from '../../src/read-model/page-entry.js';
import type { MessagePage } from '@badam/domain/table/repository';

function page(groupId: number, newest: number, count: number, hasMore: boolean): MessagePage {
  const messages = Array.from({ length: count }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 7,
    text: `m${newest - i} "quoted" é 🙂`,
    time: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  }));
  return {
    group_id: groupId,
    messages,
    has_more: hasMore,
    next_before: hasMore ? (messages.at(-1)?.order ?? null) : null,
  };
}

describe('read model entries', () => {
  it('hold the default page: the common read is answered from the entry as it is', () => {
    assert.equal(MODEL_PAGE_SIZE, 10);
  });

  it('carry the page version (the newest order) before the body, and the body is the page JSON, byte for byte', () => {
    const latest = page(42, 25, 10, true);
    const entry = encodeEntry(latest);
    assert.equal(entryVersion(entry), 25);
    assert.equal(entryBody(entry).toString(), JSON.stringify(latest));
    assert.deepEqual(JSON.parse(entryBody(entry).toString()), latest);
  });

  it('version an empty group 0, below any page with a message', () => {
    const empty = { group_id: 9, messages: [], has_more: false, next_before: null };
    assert.equal(pageVersion(empty), 0);
    assert.equal(entryVersion(encodeEntry(empty)), 0);
    assert.equal(entryBody(encodeEntry(empty)).toString(), JSON.stringify(empty));
  });

  it('keep versions up to 2^53 - 1 exact', () => {
    const big = page(1, 2 ** 53 - 1, 1, false);
    assert.equal(entryVersion(encodeEntry(big)), 2 ** 53 - 1);
  });

  it('order versions as numbers: the version prefix has a fixed width', () => {
    const prefix = (order: number) =>
      encodeEntry(page(1, order, 1, false))
        .subarray(0, 16)
        .toString();
    assert.ok(prefix(9) < prefix(10) && prefix(99) < prefix(100), 'compared as strings too');
  });
});

describe('shortenPage', () => {
  it('cuts the latest page to a smaller limit, pointing next_before at the last message kept', () => {
    const short = shortenPage(page(3, 12, 10, true), 4);
    assert.deepEqual(
      short.messages.map((m) => m.order),
      [12, 11, 10, 9],
    );
    assert.equal(short.has_more, true);
    assert.equal(short.next_before, 9);
  });

  it('says there is more when the cut drops messages, even if the stored page had no older one', () => {
    const short = shortenPage(page(3, 5, 5, false), 3);
    assert.deepEqual([short.has_more, short.next_before], [true, 3]);
  });

  it('leaves a page that already fits unchanged', () => {
    const full = page(3, 5, 5, false);
    assert.deepEqual(shortenPage(full, 5), full);
    assert.deepEqual(shortenPage(full, 10), full);
  });
});
