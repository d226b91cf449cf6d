import { BadamError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a request body strictly: invalid UTF-8 is refused rather than silently turned into U+FFFD, and a JSON
 * syntax error names the body.
 */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BadamError('invalid_request', 'body is not valid UTF-8', { field: 'body' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BadamError('invalid_request', 'body is not valid JSON', { field: 'body' });
  }
}

/** What the read apps send their pre-rendered JSON bodies as, the same from all three. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
