import type { MessageReader } from '../../src/service/message-reader.js';
import type { MessagePage } from '@badam/domain/table/repository';
import { parseReadQuery, type ReadQuery } from '@badam/domain/contract/read-query';
import { renderPage } from '../../src/read-model/page-entry.js';

/** A MessageReader without a database: records what the app handed it and answers as it is told. */
export interface StubReader extends MessageReader {
  /** The raw arguments of each readPage call, query copied onto a plain object. */
  readonly calls: { groupId: string | undefined; query: Record<string, unknown> }[];
  /** Thrown by readPage after validation while set, as the real reader throws when ClickHouse is unreachable. */
  failure: unknown;
  healthStatus: 'ok' | 'degraded' | 'unavailable' | 'draining';
}

export function createStubReader(): StubReader {
  const reader: StubReader = {
    calls: [],
    failure: undefined,
    healthStatus: 'ok',
    async readPage(groupId, query) {
      reader.calls.push({ groupId, query: Object.fromEntries(Object.entries(query)) });
      const parsed = parseReadQuery(groupId, query);
      if (reader.failure !== undefined) throw reader.failure;
      return stubPageBody(parsed);
    },
    async health() {
      return reader.healthStatus === 'unavailable' || reader.healthStatus === 'draining'
        ? { status: 503, body: { status: reader.healthStatus } }
        : { status: 200, body: { status: reader.healthStatus } };
    },
  };
  return reader;
}

/** The page the stub answers for a query: `limit` messages counting down from below `before` (or from 1000). */
export function stubPageBody({ groupId, limit, before }: ReadQuery): Buffer {
  const newest = (before ?? 1001) - 1;
  const messages = Array.from({ length: Math.min(limit, newest) }, (_, i) => ({
    group_id: groupId,
    order: newest - i,
    sender_id: 9,
    text: `stub ${newest - i} ✓`,
    time: new Date(1_750_000_000_000 + newest - i).toISOString(),
  }));
  const page: MessagePage = {
    group_id: groupId,
    messages,
    has_more: newest > limit,
    next_before: messages.at(-1)?.order ?? null,
  };
  return renderPage(page);
}
