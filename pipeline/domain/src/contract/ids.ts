import { BadamError } from './errors.js';

/**
 * Group and sender ids are stored as UInt64, but JavaScript numbers are exact only up to 2^53 - 1, and every client
 * of a JSON API parses numbers as doubles. So an id is a positive integer no larger than Number.MAX_SAFE_INTEGER;
 * anything larger would silently change on its way through JSON.
 */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Validates an id given as a JSON number. */
export function parseIdValue(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new BadamError('invalid_request', `${field} must be a positive integer`, { field });
  }
  if (value < 1 || value > MAX_ID) {
    throw new BadamError('invalid_request', `${field} must be between 1 and ${MAX_ID}`, { field });
  }
  return value;
}

const DIGITS = /^[0-9]{1,16}$/;

/** Validates a positive integer given as text (a path or query parameter): digits only, no sign, no exponent. */
export function parseIntegerParam(
  raw: string | undefined,
  field: string,
  { min, max }: { min: number; max: number },
): number {
  const range = `an integer between ${min} and ${max}`;
  if (raw === undefined || !DIGITS.test(raw)) {
    throw new BadamError('invalid_request', `${field} must be ${range}`, { field });
  }
  const value = Number(raw);
  if (value < min || value > max) throw new BadamError('invalid_request', `${field} must be ${range}`, { field });
  return value;
}
