import { BadamError } from '@badam/domain/contract/errors';
import { isExactNumber } from './exact-number.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * What JSON.parse hides: a repeated key (`{"group_id":1,"group_id":2}`, the last one silently wins, while other
 * parsers keep the first) and a number it rounds to an integer (`1.0000000000000001` becomes 1, and
 * `9007199254740993` becomes 9007199254740992). Either way the message stored is not the one sent, so both are
 * refused, naming the top-level field they sit in ('body' for a body that is not an object).
 *
 * Runs on text JSON.parse has just accepted, so it only has to find keys and numbers, not check the syntax: strings
 * are skipped with indexOf (a 3000-character text costs one native scan), structure is walked character by
 * character. Numbers that are not integers are left alone: the contract refuses them where it wants an integer.
 */
export function checkStrictJson(text: string): void {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let topField: string | undefined;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      let next = end + 1;
      while (next < length && isWhitespace(text.charCodeAt(next))) next++;
      const keys = open[open.length - 1];
      if (keys && text.charCodeAt(next) === COLON) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (open.length === 1) topField = key;
        if (keys.has(key)) {
          throw new BadamError('invalid_request', `duplicate key ${JSON.stringify(key).slice(0, 80)}`, {
            field: topField ?? 'body',
          });
        }
        keys.add(key);
        i = next + 1;
      } else {
        i = end + 1;
      }
    } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < length && isNumberPart(text.charCodeAt(end))) end++;
      const literal = text.slice(i, end);
      if (!isExactNumber(literal)) {
        const field = topField ?? 'body';
        throw new BadamError(
          'invalid_request',
          `${field} must be an exact integer: ${literal.slice(0, 40)} is not one (it would be read as ${Number(literal)})`,
          { field },
        );
      }
      i = end;
    } else {
      if (c === OPEN_OBJECT) open.push(new Set());
      else if (c === OPEN_ARRAY) open.push(null);
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) open.pop();
      i++;
    }
  }
}

/** The index of the quote that closes the string opening at `start`: the first one not escaped by a backslash. */
function closingQuote(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNumberPart(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}
