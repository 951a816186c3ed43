/**
 * Reading of the response headers that failure classification needs, whatever shape they arrive in:
 * a fetch `Headers`, or a plain record as `@octokit/request` and the AI SDK store them.
 */

/** Response headers as a fetch `Headers` object or a record (values may be numbers or arrays). */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | number | readonly string[] | undefined>;

/** Returns the value of a header by case-insensitive name, or undefined when it is absent. */
export type HeaderReader = (name: string) => string | undefined;

/** Creates a case-insensitive reader over any header shape. Unknown shapes read as no headers. */
export function createHeaderReader(headers: unknown): HeaderReader {
  if (typeof headers !== "object" || headers === null) return () => undefined;

  if ("get" in headers && typeof headers.get === "function") {
    const getter = headers as { get(name: string): string | null };
    return (name) => getter.get(name) ?? undefined;
  }

  const lowercased = new Map<string, string>();
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    lowercased.set(key.toLowerCase(), text);
  }
  return (name) => lowercased.get(name.toLowerCase());
}

/**
 * Parses `Retry-After` (RFC 9110, section 10.2.3) as whole seconds from `now`: either delay-seconds or
 * an HTTP date. Returns undefined when the value is absent or invalid, and 0 for a date in the past.
 */
export function parseRetryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);

  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/**
 * Returns the seconds until GitHub's primary rate limit resets, when `x-ratelimit-remaining` is `0`
 * and `x-ratelimit-reset` (UTC epoch seconds) is present. Otherwise returns undefined. The result is
 * at least 1, because the reset second itself may still be limited.
 */
export function secondsUntilRateLimitReset(headers: HeaderReader, now: Date): number | undefined {
  if (headers("x-ratelimit-remaining")?.trim() !== "0") return undefined;
  const reset = headers("x-ratelimit-reset");
  if (reset === undefined || !/^\d+$/.test(reset.trim())) return undefined;

  const resetMs = Number.parseInt(reset.trim(), 10) * 1000;
  return Math.max(1, Math.ceil((resetMs - now.getTime()) / 1000));
}
