/** Nearest-rank percentiles of a sample, in the sample's unit; NaN for an empty sample. */
export function percentiles(sample: readonly number[], ranks: readonly number[]): number[] {
  const sorted = [...sample].sort((a, b) => a - b);
  return ranks.map((rank) => {
    if (sorted.length === 0) return Number.NaN;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1));
    return sorted[index] ?? Number.NaN;
  });
}
