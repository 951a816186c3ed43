/**
 * Classification of an HTTP status with its rate-limit headers. GitHub's rules for its limits, from
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit:
 * - primary limit: 403 or 429 with `x-ratelimit-remaining: 0`, so wait until `x-ratelimit-reset`;
 * - secondary limit: 403 or 429 with a message naming it, so wait `retry-after` seconds when present,
 *   else until `x-ratelimit-reset` when the remaining count is 0, else at least one minute.
 * Other services (model providers, Resend, webhook hosts) use 429 and optional `Retry-After`.
 */
import type { DependencyName, FailureClassification } from "./failure.js";
import { type HeaderReader, parseRetryAfterSeconds, secondsUntilRateLimitReset } from "./headers.js";

/** GitHub's documented minimum wait after a secondary rate limit that names no delay. */
export const SECONDARY_RATE_LIMIT_SECONDS = 60;

const RATE_LIMIT_MESSAGE = /rate limit/i;

export interface StatusFacts {
  status: number;
  headers: HeaderReader;
  message: string;
  dependency: DependencyName | undefined;
  now: Date;
  /** A delay the caller already parsed (for example `DeliveryError.retryAfterSeconds`). */
  explicitRetryAfter: number | undefined;
}

/** Classifies a failed HTTP response by its status and headers. */
export function classifyStatus(facts: StatusFacts): FailureClassification {
  const { status, headers, now } = facts;
  const source = facts.dependency === undefined ? "" : ` from ${facts.dependency}`;
  const retryAfter = facts.explicitRetryAfter ?? parseRetryAfterSeconds(headers("retry-after"), now);
  const resetIn = secondsUntilRateLimitReset(headers, now);
  const delay = retryAfter ?? resetIn;

  if (status === 429 || (status === 403 && (delay !== undefined || RATE_LIMIT_MESSAGE.test(facts.message)))) {
    const retryAfterSeconds =
      delay ?? (status === 403 || facts.dependency === "github" ? SECONDARY_RATE_LIMIT_SECONDS : undefined);
    return {
      kind: "rate-limited",
      status,
      reason: `HTTP ${status}${source}: rate limited`,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  if (status === 401 || status === 403 || status === 407) {
    return { kind: "authentication", status, reason: `HTTP ${status}${source}: credentials rejected` };
  }
  if (status === 408 || status === 409 || status === 425) {
    return { kind: "transient", status, reason: `HTTP ${status}${source}` };
  }
  if (status >= 500 && status <= 599 && status !== 501 && status !== 505) {
    if (retryAfter !== undefined) {
      // A 503 with Retry-After is the service telling us when it is back; no retry should be spent.
      return {
        kind: "rate-limited",
        status,
        retryAfterSeconds: retryAfter,
        reason: `HTTP ${status}${source} with Retry-After`,
      };
    }
    return { kind: "transient", status, reason: `HTTP ${status}${source}` };
  }
  if (status >= 300 && status <= 399) {
    return { kind: "permanent", status, reason: `HTTP ${status}${source}: redirect not followed` };
  }
  if (status >= 400) {
    return { kind: "permanent", status, reason: `HTTP ${status}${source}: request rejected` };
  }
  // 1xx or 2xx reported as a failure: the call did not complete in a way a retry cannot fix.
  return { kind: "transient", status, reason: `unexpected HTTP ${status}${source}` };
}
