/**
 * Step body of one notify-subscribers `deliver:{deliveryId}` step: sends one alert or digest to one
 * subscriber channel, once per (subscriber, issue, channel).
 *
 * Each issue in the delivery holds a two-phase idempotency record (`notification:{sub}:{issue}:{channel}`).
 * It is begun before the request, completed after a 2xx, and released when the request fails, so the
 * retried step sends again. When every issue is already completed, nothing is sent.
 *
 * NOTE: a crash between the send and the completion lets a later attempt send again once the lease
 * ends. The delivery id travels as the target's own idempotency key (`X-Radar-Delivery`, Resend's
 * `Idempotency-Key`) so those targets drop the copy. Slack has no such key.
 */
import type { Redis } from "@upstash/redis";
import type { Channel, Notification, Subscriber } from "../../shared/domain/index.js";
import type { Logger } from "../../shared/logger.js";
import {
  beginIdempotentAction,
  completeIdempotentAction,
  idempotencyKeys,
  releaseIdempotentAction,
} from "../../shared/reliability/index.js";
import type { Stores } from "../../shared/store/index.js";
import { type ResendOptions, sendNotification } from "../delivery/index.js";
import type { PlannedDelivery } from "./plan-run.js";

export interface DeliverDependencies {
  redis: Redis;
  stores: Stores;
  keyPrefix: string;
  logger: Logger;
  resend: ResendOptions;
  timeoutMs: number;
  /** Seconds an in-progress record blocks other attempts; longer than one send can take. */
  leaseSeconds: number;
  /** Seconds a completed record is kept; longer than any redelivery window. */
  doneTtlSeconds: number;
  /** Wraps the send so breakers and failure classification apply; identity when absent. */
  guard?: <T>(dependency: string, call: () => Promise<T>) => Promise<T>;
}

export type DeliveryOutcome =
  | { status: "sent"; issueIds: string[]; responseStatus: number }
  | { status: "duplicate"; issueIds: string[] }
  | { status: "busy"; retryAfterSeconds: number }
  | { status: "skipped"; reason: string };

/** Breaker name of a channel: one per dependency, and one per host for outbound webhooks. */
export function dependencyOf(channel: Channel): string {
  if (channel.type === "webhook") return `webhook:${new URL(channel.url).host}`;
  return channel.type;
}

function findChannel(subscriber: Subscriber, delivery: PlannedDelivery): Channel | null {
  const channel = subscriber.channels[delivery.channelIndex];
  return channel?.type === delivery.channel ? channel : null;
}

export async function deliverPlanned(
  deps: DeliverDependencies,
  delivery: PlannedDelivery,
  owner: string,
  now: Date,
): Promise<DeliveryOutcome> {
  const { stores, redis } = deps;
  const log = deps.logger.child({ deliveryId: delivery.deliveryId, subscriberId: delivery.subscriberId });

  const subscriber = await stores.subscribers.get(delivery.subscriberId);
  const channel = subscriber ? findChannel(subscriber, delivery) : null;
  if (!subscriber || !channel) {
    log.warn("delivery skipped: subscriber or channel removed since planning", { channel: delivery.channel });
    return { status: "skipped", reason: "subscriber or channel removed" };
  }

  const store = { keyPrefix: deps.keyPrefix, logger: log };
  const claimed: string[] = [];
  const duplicates: string[] = [];
  for (const issueId of delivery.issueIds) {
    const key = idempotencyKeys.notification(subscriber.id, issueId, channel.type);
    const result = await beginIdempotentAction(redis, key, {
      ...store,
      owner,
      leaseSeconds: deps.leaseSeconds,
    });
    if (result.claimed) {
      claimed.push(issueId);
    } else if (result.state === "done") {
      duplicates.push(issueId);
    } else {
      // Another attempt holds the lease: give back what this attempt took and wait for the lease to end.
      await releaseAll(deps, subscriber.id, channel, claimed, owner);
      return { status: "busy", retryAfterSeconds: result.retryAfterSeconds };
    }
  }
  if (claimed.length === 0) {
    log.info("delivery already sent", { channel: channel.type, issues: duplicates.length });
    return { status: "duplicate", issueIds: duplicates };
  }

  // The message keeps every issue of the plan, including ones an earlier attempt already completed:
  // the delivery id is the target's idempotency key, and Resend rejects a reused key with another body.
  const opportunities = await stores.opportunities.getMany(delivery.issueIds);
  if (opportunities.length === 0) {
    await releaseAll(deps, subscriber.id, channel, claimed, owner);
    return { status: "skipped", reason: "opportunities removed since planning" };
  }

  const payload = {
    id: delivery.deliveryId,
    kind: delivery.kind,
    subscriber: { id: subscriber.id, name: subscriber.name },
    localDay: delivery.localDay,
    opportunities,
  };
  const guard = deps.guard ?? (<T>(_dependency: string, call: () => Promise<T>) => call());
  let responseStatus: number;
  try {
    const result = await guard(dependencyOf(channel), () =>
      sendNotification(channel, payload, { timeoutMs: deps.timeoutMs, resend: deps.resend, now: () => now }),
    );
    responseStatus = result.status;
  } catch (error) {
    await releaseAll(deps, subscriber.id, channel, claimed, owner);
    throw error;
  }

  const claimedSet = new Set(claimed);
  const sentIssueIds = opportunities
    .map((opportunity) => opportunity.issueId)
    .filter((id) => claimedSet.has(id));
  for (const issueId of sentIssueIds) {
    const notification: Notification = {
      id: `${subscriber.id}:${issueId}:${channel.type}`,
      subscriberId: subscriber.id,
      issueId,
      channel: channel.type,
      kind: delivery.kind,
      status: "sent",
      responseStatus,
      sentAt: now.toISOString(),
    };
    await stores.notifications.record(notification);
    await completeIdempotentAction(
      redis,
      idempotencyKeys.notification(subscriber.id, issueId, channel.type),
      {
        ...store,
        owner,
        ttlSeconds: deps.doneTtlSeconds,
      },
    );
  }
  await stores.notifications.addSentToday(subscriber.id, delivery.localDay, sentIssueIds);
  if (delivery.kind === "digest") await stores.notifications.setDigestDay(subscriber.id, delivery.localDay);
  await stores.stats.add({ [`notifications.${channel.type}`]: 1 });

  log.info("notification sent", { channel: channel.type, kind: delivery.kind, issues: sentIssueIds.length });
  return { status: "sent", issueIds: sentIssueIds, responseStatus };
}

async function releaseAll(
  deps: DeliverDependencies,
  subscriberId: string,
  channel: Channel,
  issueIds: string[],
  owner: string,
): Promise<void> {
  for (const issueId of issueIds) {
    await releaseIdempotentAction(
      deps.redis,
      idempotencyKeys.notification(subscriberId, issueId, channel.type),
      {
        keyPrefix: deps.keyPrefix,
        owner,
      },
    );
  }
}
