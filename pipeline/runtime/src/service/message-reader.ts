import { parseReadQuery } from '@badam/domain/contract/read-query';
import { MODEL_PAGE_SIZE, entryBody, renderPage, shortenPage } from '../read-model/page-entry.js';
import type { PageCache } from '../read-model/page-cache.js';
import type { Admission } from './admission.js';
import { DRAINING_HEALTH, type GatewayDrain } from './gateway-drain.js';
import type { MessagePage, MessagesRepository } from '@badam/domain/table/repository';

/**
 * The whole job of a read app, framework aside: validate the raw path and query parameters, read the page.
 * fastify, hapi and restify each call this and only send the bytes or translate the BadamError it throws.
 */
export interface MessageReader {
  /** The page as its JSON body: the read model's stored bytes on a hit, rendered from ClickHouse otherwise. */
  readPage(groupIdParam: string | undefined, query: Record<string, unknown>): Promise<Buffer>;
  /**
   * 200 `ok` with ClickHouse answering; 200 `degraded` with only the read model answering (latest pages are still
   * served, so the gateway keeps the app in rotation); 503 `unavailable` with neither, and `draining` while the
   * process leaves the gateway's rotation to stop.
   */
  health(): Promise<{ status: 200 | 503; body: { status: 'ok' | 'degraded' | 'unavailable' | 'draining' } }>;
}

export function createMessageReader(
  repository: MessagesRepository,
  pages: PageCache,
  admission: Admission,
  drain: Pick<GatewayDrain, 'draining'> = { draining: false },
): MessageReader {
  return {
    readPage: async (groupIdParam, query) => {
      const { groupId, limit, before } = parseReadQuery(groupIdParam, query);
      return admission.run(async () => {
        // History, and pages longer than the model holds, come from the system of record.
        if (before !== undefined || limit > MODEL_PAGE_SIZE)
          return renderPage(await repository.readPage({ groupId, limit, before }));
        const entry = await pages.get(groupId);
        if (entry !== undefined) {
          const body = entryBody(entry);
          return limit === MODEL_PAGE_SIZE
            ? body
            : renderPage(shortenPage(JSON.parse(body.toString()) as MessagePage, limit));
        }
        const page = await repository.readPage({ groupId, limit: MODEL_PAGE_SIZE, before: undefined });
        pages.fill(page);
        return renderPage(shortenPage(page, limit));
      });
    },
    async health() {
      if (drain.draining) return DRAINING_HEALTH;
      const [database, readModel] = await Promise.all([repository.isReachable(), pages.isReachable()]);
      if (database) return { status: 200, body: { status: 'ok' } };
      return readModel
        ? { status: 200, body: { status: 'degraded' } }
        : { status: 503, body: { status: 'unavailable' } };
    },
  };
}
