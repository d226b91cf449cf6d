import { Agent, request, type IncomingMessage } from 'node:http';
import type { AcceptedSend, MessagePage } from '@badam/pipeline';

/**
 * Small HTTP helpers for tests and benchmarks, on node:http with keep-alive: cheaper per request than fetch, which
 * matters when the load generator shares two cores with the system it measures.
 */
// Idle sockets are dropped after 4 s, well before the gateway's (30 s) and the services' (65 s) keep-alive limits, so
// a pooled socket is never reused just as the server closes it.
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** Sent a second time after a reused connection was reset before any answer (see exchange). */
  resent?: boolean;
}

export interface RequestOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export async function httpJson(
  method: string,
  url: string,
  body?: unknown,
  { timeoutMs = 10_000, headers = {} }: RequestOptions = {},
): Promise<HttpResult> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const { hostname, port, pathname, search } = new URL(url);
  const answer = await exchange({
    hostname,
    port,
    method,
    path: pathname + search,
    timeoutMs,
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: payload,
  });
  return {
    status: answer.status,
    headers: answer.headers,
    body: answer.text === '' ? {} : JSON.parse(answer.text),
    ...resentFlag(answer),
  };
}

interface Exchange {
  hostname: string;
  port: string;
  method: string;
  /** Sent as written: not normalised. */
  path: string;
  timeoutMs: number;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

interface Answer {
  status: number;
  headers: HttpResult['headers'];
  text: string;
  resent: boolean;
}

const resentFlag = (answer: Answer) => (answer.resent ? { resent: true } : {});

/**
 * One request and its whole answer, on the shared keep-alive agent. A kept-alive connection the server closed just as
 * it was reused, before any answer, is sent again once on a new connection, as browsers do (Node's http docs,
 * "reusedSocket"). For a POST that is only probably safe (the peer may have read it), so the answer says so: a caller
 * that counts sends treats it as unconfirmed.
 */
async function exchange(request: Exchange): Promise<Answer> {
  try {
    return await attemptOnce(request);
  } catch (error) {
    if ((error as { reusedSocket?: boolean }).reusedSocket !== true) throw error;
    return { ...(await attemptOnce(request)), resent: true };
  }
}

function attemptOnce({ hostname, port, method, path, timeoutMs, headers, body }: Exchange): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        method,
        path,
        agent,
        timeout: timeoutMs,
        headers: { ...(body === undefined ? {} : { 'content-length': String(body.length) }), ...headers },
      },
      (res) =>
        readText(res).then(
          (text) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, resent: false }),
          reject,
        ),
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path.slice(0, 80)} timed out after ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(Object.assign(error, { reusedSocket: req.reusedSocket && error.code === 'ECONNRESET' })),
    );
    if (body !== undefined && body.length > LARGE_BODY_BYTES) {
      // As a well-behaved client uploads a large body: it asks first, so a server that refuses (413) answers before
      // the upload instead of cutting the connection in the middle of it.
      req.setHeader('expect', '100-continue');
      req.once('continue', () => req.end(body));
      req.flushHeaders();
    } else {
      req.end(body);
    }
  });
}

/** Where Kafka put an accepted send, from the producer's 202. */
export function receiptOf(groupId: number, response: HttpResult): AcceptedSend {
  return { groupId, partition: Number(response.body.partition), offset: Number(response.body.offset) };
}

export function send(
  producerUrl: string,
  body: unknown,
  { idempotencyKey }: { idempotencyKey?: string } = {},
): Promise<HttpResult> {
  return httpJson(
    'POST',
    `${producerUrl}/messages`,
    body,
    idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': idempotencyKey } },
  );
}

export async function readGroup(appUrl: string, groupId: number, query = ''): Promise<MessagePage> {
  const response = await httpJson('GET', `${appUrl}/groups/${groupId}/messages${query}`);
  if (response.status !== 200) throw new Error(`read of group ${groupId} answered ${response.status}`);
  return response.body as unknown as MessagePage;
}

/**
 * One request exactly as given: the path is not normalised (`..`, `%2F` reach the server as written) and the body
 * is raw bytes, for hostile-input tests. The answer's body is parsed as JSON when it is JSON.
 */
export async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult & { contentType: string; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  const answer = await exchange({
    hostname,
    port,
    method,
    path,
    timeoutMs: options.timeoutMs ?? 10_000,
    headers: options.headers ?? {},
    body: options.body === undefined ? undefined : Buffer.from(options.body),
  });
  const contentType = String(answer.headers['content-type'] ?? '');
  let parsed: Record<string, unknown> = {};
  try {
    parsed = contentType.includes('json') ? JSON.parse(answer.text) : {};
  } catch {
    // left empty: the test's JSON assertions report it
  }
  return {
    status: answer.status,
    headers: answer.headers,
    body: parsed,
    contentType,
    text: answer.text,
    ...resentFlag(answer),
  };
}

const LARGE_BODY_BYTES = 256 * 1024;

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
