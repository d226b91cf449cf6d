import type { MessagePage } from '@badam/domain/table/repository';
import type { PageEntry } from './page-store.js';
import { DEFAULT_PAGE_SIZE } from '@badam/domain/contract/read-query';

/**
 * How many of a group's latest messages the read model holds: the default page, so the common read (no `limit`, no
 * `before`) is answered with the stored bytes as they are.
 */
export const MODEL_PAGE_SIZE = DEFAULT_PAGE_SIZE;

/**
 * An entry is the page's version, 16 decimal digits (orders stay below 2^53 < 10^16), followed by the page rendered
 * as JSON once, at write time. The store's script compares the prefix; a read sends the rest without parsing it.
 */
const VERSION_DIGITS = 16;

/** A group's page version is its highest order: a newer page of the same group always has a higher one. */
export function pageVersion(page: MessagePage): number {
  return page.messages[0]?.order ?? 0;
}

export function encodeEntry(page: MessagePage): Buffer {
  return Buffer.from(`${String(pageVersion(page)).padStart(VERSION_DIGITS, '0')}${JSON.stringify(page)}`);
}

/**
 * Whether a latest page is whole. Orders are gapless from 1 (each is its group's max + 1), so the latest page of
 * version v holds exactly orders v, v - 1, ... down to max(1, v - size + 1), and has an older page when v > size. A
 * page read from a replica that lacks some of the group's parts breaks this (a hole, or fewer messages under the same
 * version), and the store's compare-and-set would then keep it over the whole page of that version: such a page is
 * never written to the store.
 */
export function isWholeLatestPage(page: MessagePage, size = MODEL_PAGE_SIZE): boolean {
  const version = pageVersion(page);
  const older = version > size;
  return (
    page.messages.length === Math.min(size, version) &&
    page.messages.every((message, back) => message.order === version - back) &&
    page.has_more === older &&
    page.next_before === (older ? version - size + 1 : null)
  );
}

/** What the store's compare-and-set takes for a page: its group, its version, and the entry. */
export function toPageEntry(page: MessagePage): PageEntry {
  return { groupId: page.group_id, version: pageVersion(page), entry: encodeEntry(page) };
}

/** The response body: the bytes the read model holds after the version. */
export function entryBody(entry: Buffer): Buffer {
  return entry.subarray(VERSION_DIGITS);
}

export function entryVersion(entry: Buffer): number {
  return Number(entry.subarray(0, VERSION_DIGITS).toString('latin1'));
}

/**
 * A shorter latest page cut from the stored one (a `limit` below MODEL_PAGE_SIZE): the rare read that parses.
 * Older messages exist if the stored page had more than `limit` or had more itself.
 */
export function shortenPage(page: MessagePage, limit: number): MessagePage {
  if (page.messages.length <= limit) return page;
  const messages = page.messages.slice(0, limit);
  return { group_id: page.group_id, messages, has_more: true, next_before: messages.at(-1)?.order ?? null };
}

export function renderPage(page: MessagePage): Buffer {
  return Buffer.from(JSON.stringify(page));
}
