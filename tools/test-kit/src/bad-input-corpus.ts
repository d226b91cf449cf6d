import { BAD_READ_REQUESTS } from '@badam/pipeline/read-app-contract';

/**
 * Hostile and malformed requests, each with what the answer must name. Sent through the gateway and straight to the
 * producer and every read app; every one must get a 4xx JSON error and store nothing, the same from each.
 */
export interface BadRequest {
  what: string;
  method: string;
  /** Path after the gateway prefix (/producer, /fastify...); `{app}` is replaced by each read app's prefix. */
  path: string;
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** The status, or the field the error must name (a 400), when one is expected. */
  status?: number;
  field?: string;
  /** Sent only through the gateway, or only to the services, and why. */
  only?: { to: 'gateway' | 'services'; why: string };
}

/** Over the services' URL limit (MAX_URL_BYTES, 8 KiB) but under their head limit: a 414 naming the url. */
const LONG_QUERY = `x=${'a'.repeat(9000)}`;
/** Past the request head limit (MAX_REQUEST_HEAD_BYTES, 16 KiB): Node's parser stops, a 431 naming the headers. */
const HUGE_QUERY = `x=${'a'.repeat(20_000)}`;
/** 5,000 query parameters (20 KB): past the head limit too, the one HAProxy 2.6 answered with its HTML 400. */
const MANY_PARAMETERS = Array.from({ length: 5000 }, () => 'a=1').join('&');
/** 100 header lines and the client's own, past the gateways' count (GATEWAY_POLICY.maxRequestHeaders, Envoy's default). */
const MANY_HEADERS = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-filler-${i}`, '1']));
const HEADER_COUNT = {
  to: 'gateway',
  why: 'the services take what Node takes (2,000 header lines); both gateways refuse past 100, Envoy’s default',
} as const;
const HAPROXY_BUFFER_GAP = {
  to: 'services',
  why: 'past twice the head limit, the most its buffer holds, HAProxy 2.6 answers its built-in HTML 400 whatever the config (haproxy#3032); Envoy answers the JSON 431',
} as const;
const UPLOAD_RESET = {
  to: 'gateway',
  why: 'a producer refusing a large upload closes the connection mid-upload; a client sending straight to it may see a reset before the 413',
} as const;

const valid = { group_id: 7, sender_id: 9, text: 'hi' };
const sendJson = (what: string, body: unknown, field: string): BadRequest => ({
  what,
  method: 'POST',
  path: '/producer/messages',
  body: JSON.stringify(body),
  status: 400,
  field,
});

// biome-ignore format: a table, one id per line
const BAD_IDS: [string, unknown][] = [
  ['zero', 0],
  ['negative', -5],
  ['fractional', 1.5],
  ['beyond 2^64', 18446744073709551617n.toString()],
  ['beyond Number.MAX_SAFE_INTEGER', 9007199254740993n.toString()],
  ['a string', '7'],
  ['a boolean', true],
  ['null', null],
  ['an array', [7]],
  ['an object', { id: 7 }],
  ['SQL', '7; DROP TABLE messages'],
];

function rawNumber(body: Record<string, unknown>, field: string, literal: string): string {
  // Big numbers must reach the server as JSON numbers, not strings: splice the literal in.
  return JSON.stringify({ ...body, [field]: '__N__' }).replace('"__N__"', literal);
}

// biome-ignore format: a table, one request per line
export const SEND_CORPUS: BadRequest[] = [
  { what: 'malformed JSON', method: 'POST', path: '/producer/messages', body: '{"group_id":', status: 400, field: 'body' },
  { what: 'an empty body', method: 'POST', path: '/producer/messages', body: '', status: 400 },
  { what: 'a JSON array', method: 'POST', path: '/producer/messages', body: '[1,2]', status: 400, field: 'body' },
  { what: 'JSON null', method: 'POST', path: '/producer/messages', body: 'null', status: 400, field: 'body' },
  { what: 'text/plain', method: 'POST', path: '/producer/messages', body: JSON.stringify(valid), contentType: 'text/plain', status: 415 },
  { what: 'form-encoded', method: 'POST', path: '/producer/messages', body: 'group_id=1', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { what: 'no content type', method: 'POST', path: '/producer/messages', body: JSON.stringify(valid), contentType: '', status: 415 },
  ...(['group_id', 'sender_id', 'text'] as const).map((field) => {
    const { [field]: _, ...rest } = valid;
    return sendJson(`missing ${field}`, rest, field);
  }),
  sendJson('an extra field', { ...valid, order: 1 }, 'order'),
  sendJson('an extra field with SQL for a name', { ...valid, 'x; DROP TABLE messages': 1 }, 'x; DROP TABLE messages'),
  ...(['group_id', 'sender_id'] as const).flatMap((field) =>
    BAD_IDS.map(([what, value]): BadRequest =>
      what.startsWith('beyond')
        ? { what: `${field} ${what}`, method: 'POST', path: '/producer/messages', body: rawNumber(valid, field, String(value)), status: 400, field }
        : sendJson(`${field} ${what}`, { ...valid, [field]: value }, field),
    ),
  ),
  // JSON.parse reads these as a valid send (group 1, the last of two keys): the stored message would not be the one sent.
  ...(['group_id', 'sender_id'] as const).flatMap((field): BadRequest[] => [
    { what: `${field} 1.0000000000000001 (rounds to 1)`, method: 'POST', path: '/producer/messages', body: rawNumber(valid, field, '1.0000000000000001'), status: 400, field },
    { what: `${field} 1e-400 (rounds to 0)`, method: 'POST', path: '/producer/messages', body: rawNumber(valid, field, '1e-400'), status: 400, field },
  ]),
  { what: 'group_id twice', method: 'POST', path: '/producer/messages', body: '{"group_id":1,"group_id":2,"sender_id":9,"text":"hi"}', status: 400, field: 'group_id' },
  { what: 'text twice', method: 'POST', path: '/producer/messages', body: '{"group_id":1,"sender_id":9,"text":"a","text":"b"}', status: 400, field: 'text' },
  { what: 'sender_id twice, once escaped', method: 'POST', path: '/producer/messages', body: '{"group_id":1,"sender_id":9,"sender\\u005fid":8,"text":"hi"}', status: 400, field: 'sender_id' },
  { what: 'an over-long URL', method: 'POST', path: `/producer/messages?${LONG_QUERY}`, body: JSON.stringify(valid), status: 414, field: 'url' },
  { what: 'a request head past the limit', method: 'POST', path: `/producer/messages?${HUGE_QUERY}`, body: JSON.stringify(valid), status: 431, field: 'headers' },
  { what: '5,000 query parameters', method: 'POST', path: `/producer/messages?${MANY_PARAMETERS}`, body: JSON.stringify(valid), status: 431, field: 'headers' },
  { what: 'over 100 header lines', method: 'POST', path: '/producer/messages', body: JSON.stringify(valid), headers: MANY_HEADERS, status: 431, field: 'headers', only: HEADER_COUNT },
  sendJson('empty text', { ...valid, text: '' }, 'text'),
  sendJson('3001 characters', { ...valid, text: 'x'.repeat(3001) }, 'text'),
  sendJson('3001 four-byte characters', { ...valid, text: '😀'.repeat(3001) }, 'text'),
  sendJson('text as a number', { ...valid, text: 42 }, 'text'),
  sendJson('text with a NUL', { ...valid, text: 'a\u0000b' }, 'text'),
  sendJson('text with a bell', { ...valid, text: 'a\u0007b' }, 'text'),
  sendJson('text with an escape sequence', { ...valid, text: '\u001b[31mred' }, 'text'),
  {
    what: 'a lone surrogate',
    method: 'POST',
    path: '/producer/messages',
    body: '{"group_id":7,"sender_id":9,"text":"a\\ud800b"}',
    status: 400,
    field: 'text',
  },
  {
    what: 'invalid UTF-8',
    method: 'POST',
    path: '/producer/messages',
    body: Buffer.concat([Buffer.from('{"group_id":7,"sender_id":9,"text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
    status: 400,
  },
  ...[
    ['an empty Idempotency-Key', ''],
    ['an Idempotency-Key of 129 characters', 'k'.repeat(129)],
    ['an Idempotency-Key with SQL', "k'); DROP TABLE messages; --"],
    ['an Idempotency-Key with a slash', 'a/b'],
  ].map(([what, key]): BadRequest => ({
    what: what ?? '',
    method: 'POST',
    path: '/producer/messages',
    body: JSON.stringify(valid),
    headers: { 'idempotency-key': key ?? '' },
    status: 400,
    field: 'idempotency-key',
  })),
  { what: 'a 1 MB body', method: 'POST', path: '/producer/messages', body: JSON.stringify({ ...valid, text: 'x'.repeat(1 << 20) }), status: 413, only: UPLOAD_RESET },
  { what: 'a 4 MB body', method: 'POST', path: '/producer/messages', body: 'x'.repeat(4 << 20), status: 413, only: UPLOAD_RESET },
  { what: 'GET on the send route', method: 'GET', path: '/producer/messages', status: 404 },
  { what: 'PUT on the send route', method: 'PUT', path: '/producer/messages', body: JSON.stringify(valid) },
  { what: 'DELETE on the send route', method: 'DELETE', path: '/producer/messages' },
  { what: 'an unknown producer route', method: 'POST', path: '/producer/admin', body: JSON.stringify(valid), status: 404 },
  { what: 'traversal out of the producer prefix', method: 'POST', path: '/producer/../fastify/groups/1/messages', body: JSON.stringify(valid) },
];

/** Sent to each read app: `{app}` becomes /fastify, /hapi, /restify. */
// biome-ignore format: a table, one request per line
export const READ_CORPUS: BadRequest[] = [
  // The refusals the read apps' unit tests also check, over a stub reader.
  ...BAD_READ_REQUESTS.map(({ what, path, field }): BadRequest => ({ what, method: 'GET', path: `{app}${path}`, status: 400, field })),
  { what: 'an over-long URL', method: 'GET', path: `{app}/groups/1/messages?${LONG_QUERY}`, status: 414, field: 'url' },
  {
    what: 'an over-long URL on an unknown route',
    method: 'GET',
    path: `{app}/admin?${LONG_QUERY}`,
    status: 414,
    field: 'url',
    only: { to: 'services', why: 'the gateway answers a path outside the public API itself, with its JSON 404' },
  },
  { what: 'a request head past the limit', method: 'GET', path: `{app}/groups/1/messages?${HUGE_QUERY}`, status: 431, field: 'headers' },
  { what: '5,000 query parameters', method: 'GET', path: `{app}/groups/1/messages?${MANY_PARAMETERS}`, status: 431, field: 'headers' },
  { what: 'a header past the limit', method: 'GET', path: '{app}/groups/1/messages', headers: { 'x-filler': 'a'.repeat(20_000) }, status: 431, field: 'headers' },
  { what: 'over 100 header lines', method: 'GET', path: '{app}/groups/1/messages', headers: MANY_HEADERS, status: 431, field: 'headers', only: HEADER_COUNT },
  { what: 'a head past twice the limit', method: 'GET', path: '{app}/groups/1/messages', headers: { 'x-filler': 'a'.repeat(40_000) }, status: 431, field: 'headers', only: HAPROXY_BUFFER_GAP },
  { what: 'path traversal', method: 'GET', path: '{app}/groups/../../etc/passwd' },
  { what: 'encoded traversal', method: 'GET', path: '{app}/groups/%2e%2e%2f%2e%2e%2fetc%2fpasswd/messages' },
  { what: 'an encoded slash in the id', method: 'GET', path: '{app}/groups/1%2F2/messages' },
  { what: 'a double slash', method: 'GET', path: '{app}//groups/1/messages' },
  { what: 'a NUL in the path', method: 'GET', path: '{app}/groups/1%00/messages' },
  { what: 'an unknown route', method: 'GET', path: '{app}/admin', status: 404 },
  { what: 'a group without /messages', method: 'GET', path: '{app}/groups/1', status: 404 },
  { what: 'POST on a read route', method: 'POST', path: '{app}/groups/1/messages', body: '{}' },
  { what: 'DELETE on a read route', method: 'DELETE', path: '{app}/groups/1/messages' },
  { what: 'an unknown prefix', method: 'GET', path: '/nothing/groups/1/messages', status: 404 },
];
