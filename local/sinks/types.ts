/**
 * Records and settings shared by the parts of the notification sink server.
 *
 * Every request to a channel endpoint is an attempt. An attempt that the stand-in accepted is a
 * delivery: the point at which the real service would have sent the email, posted to Slack or let
 * the webhook receiver process the body.
 */
import { z } from "zod";

export const SINK_CHANNELS = ["webhook", "email", "slack"] as const;

/** Notification channel that a sink endpoint replaces. */
export type SinkChannel = (typeof SINK_CHANNELS)[number];

/**
 * Result of one attempt:
 * - `delivered`: accepted, counts as a delivery;
 * - `replayed`: a Resend request that repeated an earlier `Idempotency-Key` and body. The response
 *   carries the first email's id and nothing is sent again;
 * - `rejected`: invalid request (bad key, invalid body), given the service's error response;
 * - `faulted`: given an injected failure response before validation.
 */
export type SinkOutcome = "delivered" | "replayed" | "rejected" | "faulted";

/** One request to a channel endpoint, as recorded. */
export interface SinkAttempt {
  /** Record id, `att_<uuid>`. */
  id: string;
  /** Arrival time, ISO 8601 in UTC. */
  time: string;
  channel: SinkChannel;
  /**
   * Destination within the channel: the webhook name, `team/channel` for Slack, and the bare `to`
   * addresses joined by commas for email (empty when the body named none).
   */
  target: string;
  method: string;
  /** Request path, e.g. `/webhooks/alerts`. */
  path: string;
  /** Request headers with lower-case names. `authorization` is replaced by `[redacted]`. */
  headers: Record<string, string>;
  /** Raw request body as UTF-8 text, so receivers can check a signature over the exact bytes. */
  body: string;
  outcome: SinkOutcome;
  /** HTTP status the sink responded with. */
  status: number;
  /** Error code sent back for `rejected` and `faulted` attempts, e.g. `invalid_payload`. */
  error?: string;
  /** Email id from the Resend response, for `delivered` and `replayed` email attempts. */
  emailId?: string;
}

/** An attempt that the stand-in accepted. */
export type SinkDelivery = SinkAttempt & { outcome: "delivered" };

/** Selection of recorded attempts; every field that is set must match. */
export interface SinkFilter {
  channel?: SinkChannel;
  /** Exact target; for email, one recipient address also matches. */
  target?: string;
}

export const sinkFilterSchema = z.object({
  channel: z.enum(SINK_CHANNELS).optional(),
  target: z.string().min(1).optional(),
});

/** Reports whether `attempt` matches every field set in `filter`. */
export function matchesFilter(attempt: SinkAttempt, filter: SinkFilter): boolean {
  if (filter.channel !== undefined && attempt.channel !== filter.channel) return false;
  if (filter.target === undefined) return true;
  if (attempt.target === filter.target) return true;
  return attempt.channel === "email" && attempt.target.split(",").includes(filter.target);
}

/**
 * Fault injection settings. Each request to a matching channel draws from a PRNG seeded with `seed`.
 * With probability `rate` the request is delayed by `delayMs`. When `status` is set, the response then
 * has that status and the request is not handled. A delay alone still delivers, late.
 */
export const sinkFaultsSchema = z
  .object({
    /** HTTP status of a faulted response, 400 to 599. Default 500 unless only `delayMs` is set. */
    status: z.number().int().min(400).max(599).optional(),
    /** Share of matching requests that get the fault, 0 to 1. Default 1. */
    rate: z.number().min(0).max(1).default(1),
    /** Delay before responding, in milliseconds. Default 0. */
    delayMs: z.number().int().min(0).max(120_000).default(0),
    /** PRNG seed; the same seed and the same request order give the same faults. Default 1. */
    seed: z.number().int().default(1),
    /** Channel the faults apply to. Default: all channels. */
    channel: z.enum(SINK_CHANNELS).optional(),
    /** `Retry-After` header value in seconds on faulted responses. Default: no header. */
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .strict()
  .transform((faults) => ({
    ...faults,
    status: faults.status ?? (faults.delayMs > 0 ? undefined : 500),
  }));

/** Fault injection settings as accepted by `setFaults` and `POST /_sink/faults`. */
export type SinkFaults = z.input<typeof sinkFaultsSchema>;

/** Fault injection settings with defaults applied. */
export type ResolvedSinkFaults = z.output<typeof sinkFaultsSchema>;
