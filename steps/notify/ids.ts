import type { ChannelType } from "../../shared/domain/index.js";

/**
 * Returns the id of one (subscriber, issue, channel) notification: `{subscriberId}:{issueId}:{channel}`.
 * The delivery ledger records each notification under it, and an alert sends it to the channel as its
 * delivery id. Subscriber ids cannot contain `:` (SubscriberSchema), and GitHub node ids do not.
 */
export function notificationId(subscriberId: string, issueId: string, channel: ChannelType): string {
  return `${subscriberId}:${issueId}:${channel}`;
}

/**
 * Returns the delivery id of one digest on one channel: `{subscriberId}:digest-{localDay}:{channel}`.
 * A digest covers several issues, so it needs its own id for `X-Radar-Delivery` and Resend's
 * `Idempotency-Key`. Each issue in it is still recorded under its `notificationId`.
 */
export function digestDeliveryId(subscriberId: string, localDay: string, channel: ChannelType): string {
  return `${subscriberId}:digest-${localDay}:${channel}`;
}
