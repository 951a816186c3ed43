import type { ChannelType } from "../../shared/domain/index.js";

/**
 * Why a delivery attempt failed:
 * - `http-status`: the target responded with a non-2xx status (see `status`).
 * - `timeout`: no complete response within `timeoutMs`.
 * - `network`: the request never got a response (DNS, refused connection, reset).
 * - `invalid-response`: a 2xx response whose body breaks the provider's contract (Resend without `id`).
 */
export type DeliveryFailureReason = "http-status" | "timeout" | "network" | "invalid-response";

export interface DeliveryErrorFacts {
  channel: ChannelType;
  /** Host (and port) of the target. Never the full URL: webhook and Slack URLs carry secrets in the path. */
  targetHost: string;
  reason: DeliveryFailureReason;
  /** HTTP status of the response, or null when no response arrived. */
  status?: number | null;
  /** Seconds from the `Retry-After` header (delta or HTTP date), when the target sent one. */
  retryAfterSeconds?: number | null;
  /** First characters of the response body, for the log and the failure record. */
  bodySnippet?: string;
  cause?: unknown;
}

/**
 * A failed delivery with the raw facts of the attempt. Senders throw it and never retry: the step that
 * called them fails, and the retry policy decides from these facts whether QStash should retry the step.
 * Code in another bundle should test `isDeliveryError` (the stable `name`) rather than `instanceof`.
 */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly channel: ChannelType;
  readonly targetHost: string;
  readonly reason: DeliveryFailureReason;
  readonly status: number | null;
  readonly retryAfterSeconds: number | null;
  readonly timedOut: boolean;
  readonly bodySnippet: string;

  constructor(facts: DeliveryErrorFacts) {
    super(describeFailure(facts), { cause: facts.cause });
    this.channel = facts.channel;
    this.targetHost = facts.targetHost;
    this.reason = facts.reason;
    this.status = facts.status ?? null;
    this.retryAfterSeconds = facts.retryAfterSeconds ?? null;
    this.timedOut = facts.reason === "timeout";
    this.bodySnippet = facts.bodySnippet ?? "";
  }
}

function describeFailure(facts: DeliveryErrorFacts): string {
  const target = `${facts.channel} delivery to ${facts.targetHost}`;
  switch (facts.reason) {
    case "http-status":
      return `${target} failed with HTTP ${facts.status ?? "?"}`;
    case "timeout":
      return `${target} timed out`;
    case "network":
      return `${target} failed before a response arrived`;
    case "invalid-response":
      return `${target} returned HTTP ${facts.status ?? "?"} with a body that breaks the provider's contract`;
  }
}

export function isDeliveryError(value: unknown): value is DeliveryError {
  return value instanceof Error && value.name === "DeliveryError";
}

/**
 * Parses a `Retry-After` header value (RFC 9110 section 10.2.3): either whole seconds or an HTTP date.
 * Returns whole seconds from `now` (0 for a date in the past), or null when the header is absent or invalid.
 */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number.parseInt(trimmed, 10);
  // An HTTP date always names the weekday and month. Without this check Date.parse reads "-5" as a year.
  if (!/[A-Za-z]/.test(trimmed)) return null;

  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
