/** Latency arithmetic: percentiles over every sample (no histogram buckets, no sampling). */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };

/** Nearest-rank percentiles of the finite values (ms). NaN entries (never answered) are left out. */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return { ...EMPTY_SUMMARY };
  const sorted = Float64Array.from(finite).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: round(sum / sorted.length),
    p50: round(rank(sorted, 0.5)),
    p90: round(rank(sorted, 0.9)),
    p99: round(rank(sorted, 0.99)),
    max: round(sorted[sorted.length - 1]!),
  };
}

function rank(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Three significant decimals are plenty for milliseconds. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
