import { z } from "zod";
import { OpportunitySchema } from "../../shared/domain/index.js";

/**
 * The content of one delivery to one channel. An alert carries exactly one opportunity, and a digest
 * carries one or more in rank order.
 */
export const NotificationPayloadSchema = z
  .object({
    /**
     * Delivery id, sent as `X-Radar-Delivery` and as Resend's `Idempotency-Key`, so a retried step
     * repeats the same id and the receiver can drop the copy. Build it with `notificationId` (alert) or
     * `digestDeliveryId` (digest) from `steps/notify`. At most 256 characters, Resend's limit for the key.
     */
    id: z.string().min(1).max(256),
    kind: z.enum(["alert", "digest"]),
    subscriber: z.object({ id: z.string().min(1), name: z.string().min(1) }),
    /** The subscriber's local day (`YYYY-MM-DD`) that this delivery counts against. */
    localDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "localDay must be YYYY-MM-DD"),
    opportunities: z.array(OpportunitySchema).min(1, "a notification needs at least one opportunity"),
  })
  .refine((payload) => payload.kind !== "alert" || payload.opportunities.length === 1, {
    message: "an alert carries exactly one opportunity",
    path: ["opportunities"],
  });
export type NotificationPayload = z.infer<typeof NotificationPayloadSchema>;
