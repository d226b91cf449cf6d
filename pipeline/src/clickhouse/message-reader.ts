import { parseReadQuery } from '../contract/read-query.js';
import type { Admission } from '../runtime/admission.js';
import type { MessagePage, MessagesRepository } from './messages-repository.js';

/**
 * The whole job of a read app, framework aside: validate the raw path and query parameters, read the page.
 * fastify, hapi and restify each call this and only translate the result or the BadamError it throws.
 */
export interface MessageReader {
  readPage(groupIdParam: string | undefined, query: Record<string, unknown>): Promise<MessagePage>;
  isHealthy(): Promise<boolean>;
}

export function createMessageReader(repository: MessagesRepository, admission: Admission): MessageReader {
  return {
    readPage: async (groupIdParam, query) => {
      const readQuery = parseReadQuery(groupIdParam, query);
      return admission.run(() => repository.readPage(readQuery));
    },
    isHealthy: () => repository.isReachable(),
  };
}
