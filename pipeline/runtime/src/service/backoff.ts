/**
 * The delays of a retry loop against a dependency that is down, with "decorrelated jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter", https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): each
 * delay is drawn between `initialMs` and three times the previous one, and never exceeds `maxMs`. Without the
 * draw, every process that met the same outage would retry at the same moments, and once the dependency is back
 * they would all hit it at once (consumers colliding on quorum inserts into one shard) and fail together again.
 * `random` (uniform in [0, 1)) is Math.random unless a test needs the delays known.
 */
export function backoffDelays(initialMs: number, maxMs: number, random: () => number = Math.random): () => number {
  let previous = initialMs;
  return () => {
    const ceiling = Math.max(initialMs, previous * 3);
    previous = Math.min(maxMs, initialMs + Math.floor(random() * (ceiling - initialMs)));
    return previous;
  };
}
