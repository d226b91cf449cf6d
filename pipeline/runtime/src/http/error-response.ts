import {
  BadamError,
  RETRY_AFTER_SECONDS,
  errorBody,
  toBadamError,
  type ErrorBody,
} from '@badam/domain/contract/errors';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/**
 * The one mapping from a failure to what an HTTP client sees, used by all four HTTP services whatever their
 * framework. A framework's own 4xx (malformed JSON, body too large, wrong content type) keeps its status.
 */
export function errorResponse(error: unknown): ErrorResponse {
  const badam = fromFrameworkError(error) ?? toBadamError(error);
  const headers: Record<string, string> = {};
  if (badam.httpStatus === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return { status: badam.httpStatus, headers, body: errorBody(badam) };
}

function fromFrameworkError(error: unknown): BadamError | undefined {
  if (!(error instanceof Error) || error.name === 'BadamError') return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (status) {
    case 413:
      return new BadamError('payload_too_large', 'request body is too large', { field: 'body' });
    case 415:
      return new BadamError('unsupported_media_type', 'content type must be application/json', {
        field: 'content-type',
      });
    case 414:
      return new BadamError('uri_too_long', 'the URL is too long', { field: 'url' });
    case 404:
      return new BadamError('not_found', 'no such route');
    case 405:
      return new BadamError('method_not_allowed', 'method not allowed on this route');
    default:
      return new BadamError('invalid_request', 'malformed request body', { field: 'body' });
  }
}
