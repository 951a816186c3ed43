/**
 * Parsers for the duration and time formats QStash accepts in headers.
 *
 * QStash is written in Go and accepts Go-style durations (`1h30m`, `10s`, `1.5h`) plus a `d` unit for
 * days. These are a few lines of regular expressions, so no duration library is pulled in.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a Go-style duration with an optional `d` unit (`1d10h30m`, `500ms`) into milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (!DURATION_PATTERN.test(value)) return undefined;
  let total = 0;
  for (const match of value.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? 0);
  }
  return Math.round(total);
}

/** Parses a duration that may also be a bare number of seconds (`Upstash-Timeout: 10`). */
export function parseSecondsOrDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  return parseDurationMs(value);
}

/**
 * Parses a `Retry-After`-style value into a delay in ms from `now`: a number of seconds, an HTTP date,
 * or a Go duration. Returns undefined for anything else.
 */
export function parseRetryAfterMs(text: string, now: number): number | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const duration = parseDurationMs(value);
  if (duration !== undefined) return duration;
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}
