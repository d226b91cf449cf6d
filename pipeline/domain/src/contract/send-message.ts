import { BadamError } from './errors.js';
import { parseIdValue } from './ids.js';

/**
 * The text limit counts Unicode code points (what a person calls characters), not UTF-16 units or bytes, so an
 * emoji counts once and the limit reads the same in every client language.
 */
export const MAX_TEXT_CHARACTERS = 3000;

/** Larger bodies are refused before parsing: 3000 code points of 4 bytes each, JSON-escaped, fit well below this. */
export const MAX_SEND_BODY_BYTES = 64 * 1024;

export interface SendMessage {
  group_id: number;
  sender_id: number;
  text: string;
}

const FIELDS = ['group_id', 'sender_id', 'text'] as const satisfies readonly (keyof SendMessage)[];
const KNOWN_FIELDS: ReadonlySet<string> = new Set(FIELDS);

// C0 controls other than tab, line feed and carriage return, DEL, and C1 controls have no place in chat text and
// are a classic way to corrupt logs and terminals.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this expression's job
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function parseText(value: unknown): string {
  if (typeof value !== 'string') {
    throw new BadamError('invalid_request', 'text must be a string', { field: 'text' });
  }
  if (value.trim().length === 0) {
    throw new BadamError('invalid_request', 'text must not be empty', { field: 'text' });
  }
  if (!value.isWellFormed()) {
    throw new BadamError('invalid_request', 'text must be valid Unicode (it has an unpaired surrogate)', {
      field: 'text',
    });
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new BadamError('invalid_request', 'text must not contain control characters', { field: 'text' });
  }
  const characters = countCharacters(value);
  if (characters > MAX_TEXT_CHARACTERS) {
    throw new BadamError(
      'invalid_request',
      `text must be at most ${MAX_TEXT_CHARACTERS} characters (got ${characters})`,
      { field: 'text' },
    );
  }
  return value;
}

/** Validates a parsed JSON body; the first problem found is reported, naming its field. */
export function parseSendMessage(body: unknown): SendMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadamError('invalid_request', 'body must be a JSON object with group_id, sender_id and text', {
      field: 'body',
    });
  }
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new BadamError('invalid_request', `unknown field ${JSON.stringify(key).slice(0, 80)}`, { field: key });
    }
  }
  const record = body as Record<string, unknown>;
  for (const field of FIELDS) {
    if (!(field in record)) throw new BadamError('invalid_request', `${field} is required`, { field });
  }
  return {
    group_id: parseIdValue(record.group_id, 'group_id'),
    sender_id: parseIdValue(record.sender_id, 'sender_id'),
    text: parseText(record.text),
  };
}
