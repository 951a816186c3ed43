import type { Redis } from "@upstash/redis";
import { type Subscriber, SubscriberSchema } from "../domain/index.js";
import type { Keys } from "./keys.js";

export function createSubscriberStore(redis: Redis, keys: Keys) {
  return {
    async put(subscriber: Subscriber): Promise<void> {
      const parsed = SubscriberSchema.parse(subscriber);
      const writes = redis.pipeline();
      writes.set(keys.subscriber(parsed.id), parsed);
      writes.sadd(keys.subscribers(), parsed.id);
      await writes.exec();
    },

    async get(id: string): Promise<Subscriber | null> {
      const value = await redis.get(keys.subscriber(id));
      return value === null ? null : SubscriberSchema.parse(value);
    },

    /** Every subscriber, sorted by id so iteration order is stable across step retries. */
    async list(): Promise<Subscriber[]> {
      const ids = (await redis.smembers(keys.subscribers())).sort();
      if (ids.length === 0) return [];
      const values = await redis.mget<unknown[]>(...ids.map((id) => keys.subscriber(id)));
      return values
        .filter((value) => value !== null && value !== undefined)
        .map((value) => SubscriberSchema.parse(value));
    },

    async remove(id: string): Promise<boolean> {
      const writes = redis.pipeline();
      writes.del(keys.subscriber(id));
      writes.srem(keys.subscribers(), id);
      const [deleted] = await writes.exec<[number, number]>();
      return deleted > 0;
    },
  };
}

export type SubscriberStore = ReturnType<typeof createSubscriberStore>;
