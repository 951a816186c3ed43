/**
 * Test scaffolding for code that talks to Redis through `@upstash/redis`: starts the local Redis REST
 * bridge on a free port against the Redis at `REDIS_URL` (default `redis://127.0.0.1:6379`) and
 * returns a client plus a key prefix unique to this call.
 *
 * Use keys under `prefix` only. `close()` deletes every key under the prefix (with SCAN, never
 * FLUSHDB) and stops the bridge.
 *
 * @example
 * const rest = await startTestRedisRest();
 * afterAll(() => rest.close());
 * await rest.redis.set(`${rest.prefix}counter`, 1);
 */
import { randomBytes } from "node:crypto";
import { Redis } from "@upstash/redis";
import pino from "pino";
import { deleteKeysWithPrefixAt } from "../../local/redis-cleanup.js";
import { type RedisRestBridge, startRedisRestBridge } from "../../local/redis-rest/index.js";

export interface TestRedisRest {
  bridge: RedisRestBridge;
  /** `@upstash/redis` client pointed at the bridge, without retries or telemetry. */
  redis: Redis;
  /** Unique key prefix such as `test:redis-rest:1a2b3c4d:`; ends with a colon. */
  prefix: string;
  /** Deletes the keys under `prefix` and stops the bridge. */
  close(): Promise<void>;
}

export interface TestRedisRestOptions {
  /** Area named in the key prefix, e.g. `reliability`. Default `redis-rest`. */
  area?: string;
  /** Passed to the client; turn on to test code under auto-pipelining. Default false. */
  enableAutoPipelining?: boolean;
}

export async function startTestRedisRest(options: TestRedisRestOptions = {}): Promise<TestRedisRest> {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `test:${options.area ?? "redis-rest"}:${randomBytes(4).toString("hex")}:`;
  const bridge = await startRedisRestBridge({ redisUrl, logger: pino({ level: "silent" }) });
  const redis = new Redis({
    url: bridge.url,
    token: bridge.token,
    retry: false,
    enableTelemetry: false,
    enableAutoPipelining: options.enableAutoPipelining ?? false,
  });

  return {
    bridge,
    redis,
    prefix,
    close: async () => {
      try {
        await deleteKeysWithPrefixAt(redisUrl, prefix);
      } finally {
        await bridge.close();
      }
    },
  };
}
