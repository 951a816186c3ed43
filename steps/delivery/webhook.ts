/**
 * Signed outbound webhooks. Each delivery is one POST of a JSON body with three headers:
 * - `X-Radar-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body bytes, keyed with the channel's
 *   secret. It is the same scheme GitHub uses for `X-Hub-Signature-256`, so it is built and checked with
 *   `@octokit/webhooks-methods`, which compares in constant time.
 * - `X-Radar-Delivery`: the delivery id. A retried step sends the same id again, so receivers drop
 *   a delivery id they have already processed.
 * - `X-Radar-Timestamp`: Unix seconds at sending. The signature does not cover headers, so the same
 *   instant is also in the signed body as `sentAt`, and receivers that reject stale requests should
 *   check that field.
 */
import { sign, verify } from "@octokit/webhooks-methods";
import { z } from "zod";
import type { Channel } from "../../shared/domain/index.js";
import { postJson } from "./http.js";
import type { NotificationPayload } from "./payload.js";

export const RADAR_SIGNATURE_HEADER = "X-Radar-Signature-256";
export const RADAR_DELIVERY_HEADER = "X-Radar-Delivery";
export const RADAR_TIMESTAMP_HEADER = "X-Radar-Timestamp";

const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/;

/** The JSON body of an outbound webhook, for receivers to validate what they get. */
export const RadarWebhookBodySchema = z.object({
  id: z.string().min(1),
  kind: z.enum(["alert", "digest"]),
  subscriberId: z.string().min(1),
  localDay: z.string(),
  /** ISO time of this attempt. A retry carries a later time. */
  sentAt: z.string().datetime(),
  opportunities: z
    .array(
      z.object({
        issueId: z.string(),
        repository: z.string(),
        number: z.number().int(),
        url: z.string(),
        title: z.string(),
        score: z.number(),
        difficulty: z.number().int(),
        estimatedHours: z.number(),
        requiredSkills: z.array(z.string()),
        firstSteps: z.array(z.string()),
        summary: z.string(),
        contributionType: z.string(),
        labels: z.array(z.string()),
      }),
    )
    .min(1),
});
export type RadarWebhookBody = z.infer<typeof RadarWebhookBodySchema>;

export function buildWebhookBody(payload: NotificationPayload, sentAt: Date): RadarWebhookBody {
  return {
    id: payload.id,
    kind: payload.kind,
    subscriberId: payload.subscriber.id,
    localDay: payload.localDay,
    sentAt: sentAt.toISOString(),
    opportunities: payload.opportunities.map((opportunity) => ({
      issueId: opportunity.issueId,
      repository: opportunity.repository,
      number: opportunity.number,
      url: opportunity.url,
      title: opportunity.title,
      score: opportunity.score,
      difficulty: opportunity.analysis.difficulty,
      estimatedHours: opportunity.analysis.estimatedHours,
      requiredSkills: opportunity.analysis.requiredSkills,
      firstSteps: opportunity.analysis.firstSteps,
      summary: opportunity.analysis.summary,
      contributionType: opportunity.analysis.contributionType,
      labels: opportunity.labels,
    })),
  };
}

/** Returns the `X-Radar-Signature-256` value for a raw body: `sha256=` and 64 lower-case hex digits. */
export async function signRadarBody(secret: string, rawBody: string): Promise<string> {
  return sign(secret, rawBody);
}

/**
 * Checks an `X-Radar-Signature-256` header against the raw body, in constant time. Returns false, and
 * never throws, for a missing or malformed header or an empty body.
 *
 * @example
 * const ok = await verifyRadarSignature(secret, await request.text(), request.headers.get("x-radar-signature-256"));
 */
export async function verifyRadarSignature(
  secret: string,
  rawBody: string,
  signatureHeader: string | null | undefined,
): Promise<boolean> {
  if (secret === "" || rawBody === "" || typeof signatureHeader !== "string") return false;
  if (!SIGNATURE_PATTERN.test(signatureHeader)) return false;
  return verify(secret, rawBody, signatureHeader);
}

export interface WebhookSendOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  now: Date;
}

/** POSTs one signed delivery and returns the target's 2xx status. Throws `DeliveryError` otherwise. */
export async function sendWebhook(
  channel: Extract<Channel, { type: "webhook" }>,
  payload: NotificationPayload,
  options: WebhookSendOptions,
): Promise<{ status: number }> {
  const rawBody = JSON.stringify(buildWebhookBody(payload, options.now));
  const signature = await signRadarBody(channel.secret, rawBody);

  const response = await postJson({
    channel: "webhook",
    url: channel.url,
    body: rawBody,
    headers: {
      "user-agent": "contribution-radar-webhooks",
      [RADAR_SIGNATURE_HEADER]: signature,
      [RADAR_DELIVERY_HEADER]: payload.id,
      [RADAR_TIMESTAMP_HEADER]: String(Math.floor(options.now.getTime() / 1000)),
    },
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  return { status: response.status };
}
