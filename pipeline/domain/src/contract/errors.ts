/**
 * Every failure a service reports carries a stable `code` that callers branch on (never `instanceof` chains or
 * message text), and whether retrying the same request later can succeed.
 */
export const ERROR_CODES = [
  'invalid_request',
  'payload_too_large',
  'uri_too_long',
  'headers_too_large',
  'request_timeout',
  'unsupported_media_type',
  'not_found',
  'method_not_allowed',
  'broker_unavailable',
  'database_unavailable',
  'overloaded',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  payload_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  unsupported_media_type: 415,
  not_found: 404,
  method_not_allowed: 405,
  broker_unavailable: 503,
  database_unavailable: 503,
  overloaded: 503,
  internal: 500,
};

const RETRIABLE: ReadonlySet<ErrorCode> = new Set(['broker_unavailable', 'database_unavailable', 'overloaded']);

export interface BadamErrorOptions {
  /** The request field or parameter at fault, for 4xx errors. */
  field?: string;
  cause?: unknown;
}

export class BadamError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly canRetry: boolean;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options: BadamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BadamError';
    this.code = code;
    this.field = options.field;
    this.canRetry = RETRIABLE.has(code);
    this.httpStatus = HTTP_STATUS[code];
  }
}

export function isBadamError(value: unknown): value is BadamError {
  return value instanceof Error && (value as Partial<BadamError>).code !== undefined && value.name === 'BadamError';
}

/** How long a client should wait before retrying a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 1;

/** The JSON body every service answers with on error. 5xx details stay in the logs, not in the response. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  field?: string;
}

export function errorBody(error: BadamError): ErrorBody {
  const body: ErrorBody = { error: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  return body;
}

/** Maps anything thrown inside a request to the error the client sees; unknown errors become a 500 without details. */
export function toBadamError(error: unknown): BadamError {
  if (isBadamError(error)) return error;
  return new BadamError('internal', 'internal error', { cause: error });
}
