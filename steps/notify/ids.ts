import type { ChannelType } from "../../shared/domain/index.js";

/**
 * Returns the id of one (subscriber, issue, channel) notification: `{subscriberId}:{issueId}:{channel}`.
 * It is the key that makes each notification go out at most once, and for alerts it is also the delivery
 * id sent to the channel. Subscriber ids cannot contain `:` (SubscriberSchema), and GitHub node ids do not.
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
