/** Summary statistics of benchmark samples, through mathjs so the quantile definition is a known one. */
import { median, quantileSeq } from "mathjs";

export interface Distribution {
  count: number;
  median: number;
  /** 99th percentile, interpolated between the two nearest samples (mathjs `quantileSeq`). */
  p99: number;
  max: number;
}

/** Rounds to 0.01 so results files stay readable; benchmark noise is far larger. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Summarises `samples`; throws on an empty list because a median of nothing would hide a broken run. */
export function distribution(samples: number[]): Distribution {
  if (samples.length === 0) throw new Error("cannot summarise an empty sample list");
  return {
    count: samples.length,
    median: round(Number(median(samples))),
    p99: round(Number(quantileSeq(samples, 0.99))),
    max: round(Math.max(...samples)),
  };
}

/** Median of repeated measurements of one quantity. */
export function medianOf(values: number[]): number {
  if (values.length === 0) throw new Error("cannot take the median of an empty list");
  return round(Number(median(values)));
}
