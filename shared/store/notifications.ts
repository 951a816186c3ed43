import type { Redis } from "@upstash/redis";
import { type ChannelType, type Notification, NotificationSchema } from "../domain/index.js";
import type { Keys } from "./keys.js";

const SENT_DAY_TTL_SECONDS = 3 * 24 * 60 * 60;

/**
 * The delivery ledger: which opportunity went to which subscriber channel, the per-day count behind
 * the daily cap, and the day of the last digest.
 */
export function createNotificationLedger(redis: Redis, keys: Keys) {
  return {
    /** Issue ids already delivered to the subscriber on any channel. */
    async sentIssueIds(subscriberId: string): Promise<Set<string>> {
      const fields = await redis.hkeys(keys.sentLedger(subscriberId));
      return new Set(fields.map((field) => field.slice(0, field.lastIndexOf(":"))));
    },

    async wasSent(subscriberId: string, issueId: string, channel: ChannelType): Promise<boolean> {
      return (await redis.hexists(keys.sentLedger(subscriberId), `${issueId}:${channel}`)) === 1;
    },

    async record(notification: Notification): Promise<void> {
      const parsed = NotificationSchema.parse(notification);
      await redis.hset(keys.sentLedger(parsed.subscriberId), {
        [`${parsed.issueId}:${parsed.channel}`]: parsed,
      });
    },

    async list(subscriberId: string): Promise<Notification[]> {
      const all = await redis.hgetall<Record<string, unknown>>(keys.sentLedger(subscriberId));
      return Object.values(all ?? {}).map((value) => NotificationSchema.parse(value));
    },

    /** Opportunities sent to the subscriber that local day, counted once however many channels carried them. */
    async sentCount(subscriberId: string, localDay: string): Promise<number> {
      return redis.scard(keys.sentDay(subscriberId, localDay));
    },

    /**
     * Records issues as sent that local day. A set, so a retried delivery or a second channel carrying
     * the same issue, even at the same time, counts it once against the daily cap.
     */
    async addSentToday(subscriberId: string, localDay: string, issueIds: string[]): Promise<void> {
      if (issueIds.length === 0) return;
      const key = keys.sentDay(subscriberId, localDay);
      const [first, ...rest] = issueIds;
      const writes = redis.pipeline();
      writes.sadd(key, first!, ...rest);
      writes.expire(key, SENT_DAY_TTL_SECONDS);
      await writes.exec();
    },

    async lastDigestDay(subscriberId: string): Promise<string | null> {
      return redis.get<string>(keys.digestDay(subscriberId));
    },

    async setDigestDay(subscriberId: string, localDay: string): Promise<void> {
      await redis.set(keys.digestDay(subscriberId), localDay);
    },
  };
}

export type NotificationLedger = ReturnType<typeof createNotificationLedger>;
