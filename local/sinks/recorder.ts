/**
 * Storage of sink attempts: always in memory, and also in Redis when the server has a Redis URL, so
 * another process (a CLI that counts notifications after a run) can read them after the fact.
 *
 * Redis layout under the key prefix (default `local:sinks:`):
 * - `<prefix>attempts`: list of every attempt as JSON, in arrival order;
 * - `<prefix>deliveries`: list of the delivered attempts as JSON, in arrival order;
 * - `<prefix>counts`: hash from `<channel>:<outcome>` (e.g. `email:delivered`) to a count.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { z } from "zod";
import {
  matchesFilter,
  SINK_CHANNELS,
  type SinkAttempt,
  type SinkDelivery,
  type SinkFilter,
} from "./types.js";

export const DEFAULT_SINK_KEY_PREFIX = "local:sinks:";

const attemptSchema = z.object({
  id: z.string(),
  time: z.string(),
  channel: z.enum(SINK_CHANNELS),
  target: z.string(),
  method: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  outcome: z.enum(["delivered", "replayed", "rejected", "faulted"]),
  status: z.number().int(),
  error: z.string().optional(),
  emailId: z.string().optional(),
});

function keysOf(prefix: string) {
  return { attempts: `${prefix}attempts`, deliveries: `${prefix}deliveries`, counts: `${prefix}counts` };
}

function isDelivery(attempt: SinkAttempt): attempt is SinkDelivery {
  return attempt.outcome === "delivered";
}

export interface SinkRecorderOptions {
  redis?: Redis;
  keyPrefix: string;
  logger: Logger;
}

export class SinkRecorder {
  private readonly memory: SinkAttempt[] = [];

  constructor(private readonly options: SinkRecorderOptions) {}

  /**
   * Stores `attempt` in memory, then in Redis when configured. A failed Redis write is logged and
   * not raised, so the sink still responds as the real service would.
   */
  async record(attempt: SinkAttempt): Promise<void> {
    this.memory.push(attempt);
    const redis = this.options.redis;
    if (redis === undefined) return;

    const keys = keysOf(this.options.keyPrefix);
    const json = JSON.stringify(attempt);
    const transaction = redis.multi().rpush(keys.attempts, json);
    if (isDelivery(attempt)) transaction.rpush(keys.deliveries, json);
    transaction.hincrby(keys.counts, `${attempt.channel}:${attempt.outcome}`, 1);
    try {
      await transaction.exec();
    } catch (error) {
      this.options.logger.error(
        { err: error, attemptId: attempt.id, channel: attempt.channel, keyPrefix: this.options.keyPrefix },
        "failed to record sink attempt in redis",
      );
    }
  }

  attempts(filter: SinkFilter = {}): SinkAttempt[] {
    return this.memory.filter((attempt) => matchesFilter(attempt, filter));
  }

  deliveries(filter: SinkFilter = {}): SinkDelivery[] {
    return this.memory.filter(isDelivery).filter((attempt) => matchesFilter(attempt, filter));
  }

  /** Forgets every attempt, in memory and in Redis. */
  async clear(): Promise<void> {
    this.memory.length = 0;
    const redis = this.options.redis;
    if (redis === undefined) return;
    const keys = keysOf(this.options.keyPrefix);
    await redis.del(keys.attempts, keys.deliveries, keys.counts);
  }
}

/** Reads attempts that a sink server recorded in Redis under `keyPrefix`, in arrival order. */
export async function readRecordedAttempts(
  redis: Redis,
  keyPrefix: string = DEFAULT_SINK_KEY_PREFIX,
  filter: SinkFilter = {},
): Promise<SinkAttempt[]> {
  const raw = await redis.lrange(keysOf(keyPrefix).attempts, 0, -1);
  return raw
    .map((json) => attemptSchema.parse(JSON.parse(json)))
    .filter((attempt) => matchesFilter(attempt, filter));
}

/** Reads deliveries that a sink server recorded in Redis under `keyPrefix`, in arrival order. */
export async function readRecordedDeliveries(
  redis: Redis,
  keyPrefix: string = DEFAULT_SINK_KEY_PREFIX,
  filter: SinkFilter = {},
): Promise<SinkDelivery[]> {
  const raw = await redis.lrange(keysOf(keyPrefix).deliveries, 0, -1);
  return raw
    .map((json) => attemptSchema.parse(JSON.parse(json)))
    .filter(isDelivery)
    .filter((attempt) => matchesFilter(attempt, filter));
}

/** Reads the attempt counts by `<channel>:<outcome>`, e.g. `{ "email:delivered": 3 }`. */
export async function readRecordedCounts(
  redis: Redis,
  keyPrefix: string = DEFAULT_SINK_KEY_PREFIX,
): Promise<Record<string, number>> {
  const raw = await redis.hgetall(keysOf(keyPrefix).counts);
  return Object.fromEntries(Object.entries(raw).map(([field, count]) => [field, Number(count)]));
}
