import { BadamError } from '@badam/domain/contract/errors';
import { checkStrictJson } from './strict-json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a request body strictly: invalid UTF-8 is refused rather than silently turned into U+FFFD, a JSON
 * syntax error names the body, and a repeated key or a number JSON.parse would round to an integer is refused
 * (checkStrictJson), so what is stored is what was sent.
 */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BadamError('invalid_request', 'body is not valid UTF-8', { field: 'body' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadamError('invalid_request', 'body is not valid JSON', { field: 'body' });
  }
  checkStrictJson(text);
  return value;
}

/** What the read apps send their pre-rendered JSON bodies as, the same from all three. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
