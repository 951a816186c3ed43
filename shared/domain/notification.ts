import { z } from "zod";

/** One delivered (or failed) notification of one opportunity to one subscriber channel. */
export const NotificationSchema = z.object({
  /** `{subscriberId}:{issueId}:{channel}`, the key under which this notification is sent only once. */
  id: z.string().min(1),
  subscriberId: z.string().min(1),
  issueId: z.string().min(1),
  channel: z.enum(["webhook", "email", "slack"]),
  kind: z.enum(["alert", "digest"]),
  status: z.enum(["sent", "failed"]),
  /** HTTP status the channel returned, when it responded. */
  responseStatus: z.number().int().nullable(),
  sentAt: z.string().datetime(),
});
export type Notification = z.infer<typeof NotificationSchema>;
