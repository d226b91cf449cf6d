/** One series of an instant query's answer. */
export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Instant query against Prometheus' HTTP API (/api/v1/query). Fails with Prometheus' own message when the
 * expression does not parse or cannot be evaluated, so a test names the broken query.
 */
export async function queryInstant(prometheusUrl: string, expr: string): Promise<InstantSample[]> {
  const data = await postQuery(`${prometheusUrl}/api/v1/query`, { query: expr });
  if (data?.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  return data?.result as InstantSample[];
}

/** A query POSTed to Prometheus' HTTP API: its `data`, or Prometheus' own message naming the expression. */
async function postQuery(url: string, params: Record<string, string> & { query: string }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(10_000),
  });
  const answer = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (answer.status !== 'success')
    throw new Error(`Prometheus refused ${JSON.stringify(params.query)}: ${answer.error}`);
  return answer.data;
}

export interface RuleState {
  name: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
}

/** Every loaded rule with its evaluation health (/api/v1/rules). */
export async function loadedRules(prometheusUrl: string): Promise<RuleState[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/rules`, { signal: AbortSignal.timeout(10_000) });
  const answer = (await response.json()) as { data: { groups: { rules: RuleState[] }[] } };
  return answer.data.groups.flatMap((group) => group.rules);
}

/** One series of a range query's answer: [unix seconds, value] pairs. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Range query (/api/v1/query_range) from `start` to `end` (unix seconds) every `stepSeconds`. */
export async function queryRange(
  prometheusUrl: string,
  expr: string,
  start: number,
  end: number,
  stepSeconds: number,
): Promise<RangeSeries[]> {
  const params = { query: expr, start: String(start), end: String(end), step: String(stepSeconds) };
  return ((await postQuery(`${prometheusUrl}/api/v1/query_range`, params))?.result as RangeSeries[] | undefined) ?? [];
}
