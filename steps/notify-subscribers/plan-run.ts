/**
 * Step body of notify-subscribers' `plan` step: which opportunity goes to which subscriber channel now.
 *
 * Reads subscribers, opportunities and the delivery ledger, then applies the pure rules of
 * `planNotifications`. The result is a list of deliveries small enough to be a step output: ids only.
 */
import type { ChannelType, Opportunity, Subscriber } from "../../shared/domain/index.js";
import type { Stores } from "../../shared/store/index.js";
import { digestDeliveryId, localDay, notificationId, planNotifications } from "../notify/index.js";
import { matchesSubscriber, rankOpportunities } from "../scoring/index.js";

export type NotifyRequest =
  | { mode: "alerts"; opportunityIds: string[] }
  | { mode: "digest"; subscriberIds?: string[]; ignoreDigestHour: boolean };

/** One message to one channel of one subscriber: an alert (one issue) or a digest (several). */
export interface PlannedDelivery {
  /** `X-Radar-Delivery` / `Idempotency-Key` of the message; also the step name's suffix. */
  deliveryId: string;
  kind: "alert" | "digest";
  subscriberId: string;
  /** Index into the subscriber's `channels`. */
  channelIndex: number;
  channel: ChannelType;
  issueIds: string[];
  /** Subscriber's local day the delivery counts against, `YYYY-MM-DD`. */
  localDay: string;
}

/** Upper bound of opportunities a digest pass considers per subscriber before matching. */
const DIGEST_CANDIDATE_LIMIT = 500;

async function loadOpportunities(stores: Stores, request: NotifyRequest): Promise<Opportunity[]> {
  if (request.mode === "alerts") return stores.opportunities.getMany(request.opportunityIds);
  return rankOpportunities(await stores.opportunities.list()).slice(0, DIGEST_CANDIDATE_LIMIT);
}

async function loadSubscribers(stores: Stores, request: NotifyRequest): Promise<Subscriber[]> {
  const all = await stores.subscribers.list();
  if (request.mode !== "digest" || request.subscriberIds === undefined) return all;
  const wanted = new Set(request.subscriberIds);
  return all.filter((subscriber) => wanted.has(subscriber.id));
}

export async function planNotificationRun(
  stores: Stores,
  request: NotifyRequest,
  now: Date,
): Promise<PlannedDelivery[]> {
  const [opportunities, subscribers] = await Promise.all([
    loadOpportunities(stores, request),
    loadSubscribers(stores, request),
  ]);
  if (opportunities.length === 0 || subscribers.length === 0) return [];
  const ranked = rankOpportunities(opportunities);

  const deliveries: PlannedDelivery[] = [];
  for (const subscriber of subscribers) {
    const matched = ranked.filter((opportunity) => matchesSubscriber(opportunity, subscriber).matches);
    if (matched.length === 0) continue;

    const today = localDay(now, subscriber.timezone);
    const [alreadySent, sentToday, lastDigestDay] = await Promise.all([
      stores.notifications.sentIssueIds(subscriber.id),
      stores.notifications.sentCount(subscriber.id, today),
      stores.notifications.lastDigestDay(subscriber.id),
    ]);

    // An alerts pass never sends a digest, so it plans as if today's digest already went out.
    const digestState = request.mode === "alerts" ? today : lastDigestDay;
    const planSubscriber =
      request.mode === "digest" && request.ignoreDigestHour ? { ...subscriber, digestHour: 0 } : subscriber;
    const plan = planNotifications({
      subscriber: planSubscriber,
      opportunities: matched,
      alreadySent,
      sentToday,
      now,
      lastDigestDay: digestState,
    });

    subscriber.channels.forEach((channel, channelIndex) => {
      for (const alert of plan.alerts) {
        deliveries.push({
          deliveryId: notificationId(subscriber.id, alert.issueId, channel.type),
          kind: "alert",
          subscriberId: subscriber.id,
          channelIndex,
          channel: channel.type,
          issueIds: [alert.issueId],
          localDay: today,
        });
      }
      if (plan.digest !== null) {
        deliveries.push({
          deliveryId: digestDeliveryId(subscriber.id, today, channel.type),
          kind: "digest",
          subscriberId: subscriber.id,
          channelIndex,
          channel: channel.type,
          issueIds: plan.digest.map((opportunity) => opportunity.issueId),
          localDay: today,
        });
      }
    });
  }
  return deliveries;
}
