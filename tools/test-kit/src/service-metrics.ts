/** A service's metrics in Prometheus' text format, from the /metrics it serves. */
export async function scrapeMetrics(serviceUrl: string, timeoutMs = 2000): Promise<string> {
  const response = await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${serviceUrl}/metrics answered ${response.status}`);
  return response.text();
}

/**
 * The sum of a metric's samples over every series whose labels include all of `labels` (e.g. a counter by result,
 * whatever its service or instance labels). 0 when no series matches.
 */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelBlock = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.lastIndexOf('}')) : '';
    const present = labelBlock.split(',');
    if (wanted.every((pair) => present.includes(pair))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
