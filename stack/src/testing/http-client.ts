import { Agent, request } from 'node:http';
import type { MessagePage } from '@badam/pipeline';

/**
 * Small HTTP helpers for tests and benchmarks, on node:http with keep-alive: cheaper per request than fetch, which
 * matters when the load generator shares two cores with the system it measures.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export function httpJson(method: string, url: string, body?: unknown, timeoutMs = 10_000): Promise<HttpResult> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? {} : JSON.parse(text) });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export function send(producerUrl: string, body: unknown, timeoutMs = 10_000): Promise<HttpResult> {
  return httpJson('POST', `${producerUrl}/messages`, body, timeoutMs);
}

export async function readGroup(appUrl: string, groupId: number, query = ''): Promise<MessagePage> {
  const response = await httpJson('GET', `${appUrl}/groups/${groupId}/messages${query}`);
  if (response.status !== 200) throw new Error(`read of group ${groupId} answered ${response.status}`);
  return response.body as unknown as MessagePage;
}
