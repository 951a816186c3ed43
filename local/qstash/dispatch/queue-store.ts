/**
 * Queues: named FIFO lanes with a parallelism limit and a pause switch. A queue is created by
 * `POST /v2/queues` or by the first message enqueued to it (parallelism 1, not paused).
 */
import { z } from "zod";
import type { ServerContext } from "../contracts.js";
import { createDispatchKeys } from "./keys.js";
import { countLane } from "./lane-stats.js";

/** Response shape of `GET /v2/queues/{name}`; times are epoch milliseconds. */
export interface QueueInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
  parallelism: number;
  /** Messages accepted for the queue that are not being delivered right now. */
  lag: number;
  paused: boolean;
}

/** Queue names QStash accepts: letters, digits, `-`, `_` and `.`. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,256}$/;

/** Parallelism of a queue created implicitly by an enqueue, as in QStash. */
export const DEFAULT_QUEUE_PARALLELISM = 1;

const storedQueueSchema = z.object({
  parallelism: z.coerce.number().int().positive(),
  paused: z.enum(["0", "1"]),
  createdAt: z.coerce.number(),
  updatedAt: z.coerce.number(),
});

export function createQueueStore(context: ServerContext) {
  const keys = createDispatchKeys(context.keyPrefix);
  const { redis } = context;

  async function get(name: string): Promise<QueueInfo | null> {
    const [raw, counts] = await Promise.all([
      redis.hgetall(keys.queue(name)),
      countLane(redis, keys.lane("queue", name), context.now()),
    ]);
    if (Object.keys(raw).length === 0) return null;
    const stored = storedQueueSchema.parse(raw);
    return {
      name,
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      parallelism: stored.parallelism,
      lag: counts.waiting,
      paused: stored.paused === "1",
    };
  }

  return {
    get,

    async list(): Promise<QueueInfo[]> {
      const names = await redis.zrange(keys.queueIndex, 0, -1);
      const queues = await Promise.all(names.map((name) => get(name)));
      return queues.filter((queue): queue is QueueInfo => queue !== null);
    },

    /** Creates the queue or updates its settings; createdAt survives updates. */
    async upsert(name: string, settings: { parallelism: number; paused: boolean }): Promise<void> {
      const now = context.now();
      await redis
        .multi()
        .hsetnx(keys.queue(name), "createdAt", now)
        .hset(keys.queue(name), {
          parallelism: settings.parallelism,
          paused: settings.paused ? "1" : "0",
          updatedAt: now,
        })
        .zadd(keys.queueIndex, "NX", now, name)
        .exec();
    },

    /** Creates the queue with default settings unless it exists. */
    async ensure(name: string): Promise<void> {
      const now = context.now();
      const created = await redis.hsetnx(keys.queue(name), "createdAt", now);
      if (created === 0) return;
      await redis
        .multi()
        .hset(keys.queue(name), { parallelism: DEFAULT_QUEUE_PARALLELISM, paused: "0", updatedAt: now })
        .zadd(keys.queueIndex, "NX", now, name)
        .exec();
    },

    /** Sets the pause flag; returns false when the queue does not exist. */
    async setPaused(name: string, paused: boolean): Promise<boolean> {
      if ((await redis.exists(keys.queue(name))) === 0) return false;
      await redis.hset(keys.queue(name), { paused: paused ? "1" : "0", updatedAt: context.now() });
      return true;
    },

    /**
     * Deletes the queue's settings; returns false when it does not exist.
     * NOTE: messages already accepted for the queue stay scheduled and are delivered one at a time
     * (the default parallelism) unless the queue is created again.
     */
    async delete(name: string): Promise<boolean> {
      const results = await redis.multi().del(keys.queue(name)).zrem(keys.queueIndex, name).exec();
      return results?.[0]?.[1] === 1;
    },
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
