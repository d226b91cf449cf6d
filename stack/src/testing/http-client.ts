import type { MessagePage } from '@badam/pipeline';

/** Small HTTP helpers for tests and benchmarks, on Node's fetch. */
export async function send(producerUrl: string, body: unknown, timeoutMs = 10_000) {
  const response = await fetch(`${producerUrl}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function readGroup(appUrl: string, groupId: number, query = ''): Promise<MessagePage> {
  const response = await fetch(`${appUrl}/groups/${groupId}/messages${query}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`read of group ${groupId} answered ${response.status}`);
  return (await response.json()) as MessagePage;
}
