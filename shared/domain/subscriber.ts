import { z } from "zod";

/** An absolute http(s) URL; other schemes (`file:`, `javascript:`) are rejected. */
const HttpUrlSchema = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), "must be an http:// or https:// URL");

export const ChannelSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("webhook"),
    url: HttpUrlSchema,
    /** HMAC SHA-256 key for the `X-Radar-Signature-256` header. */
    secret: z.string().min(16, "webhook secret must be at least 16 characters"),
  }),
  z.strictObject({ type: z.literal("email"), to: z.string().email() }),
  z.strictObject({ type: z.literal("slack"), webhookUrl: HttpUrlSchema }),
]);
export type Channel = z.infer<typeof ChannelSchema>;
export type ChannelType = Channel["type"];

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A person or team who wants to hear about matching opportunities. */
export const SubscriberSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "subscriber id must be 1-64 letters, digits, _ or -"),
  name: z.string().min(1),
  /** Lower-case language names matched against the repository's primary language; empty matches all. */
  languages: z.array(z.string()).default([]),
  /** Repository topics or skills of interest; empty matches all. */
  topics: z.array(z.string()).default([]),
  /** Labels of interest, e.g. `good first issue`; empty matches all. */
  labels: z.array(z.string()).default([]),
  maxDifficulty: z.number().int().min(1).max(10).default(10),
  /** Opportunities scoring below this (0 to 100) are never sent. */
  minScore: z.number().min(0).max(100).default(0),
  /** Opportunities at or above this score are sent at once instead of waiting for the digest. */
  alertScore: z.number().min(0).max(100).default(85),
  /** At most one channel of each type, because deliveries are keyed by (subscriber, issue, channel type). */
  channels: z
    .array(ChannelSchema)
    .min(1, "a subscriber needs at least one channel")
    .refine(
      (channels) => new Set(channels.map((channel) => channel.type)).size === channels.length,
      "a subscriber may have at most one channel of each type",
    ),
  timezone: z.string().refine(isTimeZone, "timezone must be an IANA time zone such as Europe/Berlin"),
  /** Local hour (0-23) at which the daily digest is sent. */
  digestHour: z.number().int().min(0).max(23).default(9),
  /** Maximum opportunities sent per subscriber per local day, alerts and digest together. */
  dailyCap: z.number().int().min(1).max(500).default(10),
});
export type Subscriber = z.infer<typeof SubscriberSchema>;
