/**
 * Starts the local QStash server for one test file, under its own Redis key prefix, and deletes that
 * prefix's keys on `cleanup()`. Other engineers' suites use this too (flow control, schedules).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { type QStashServer, type QStashServerOptions, startQStashServer } from "../../local/qstash/index.js";
import { deleteKeysWithPrefix } from "../../local/redis-cleanup.js";

export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestQStash extends QStashServer {
  keyPrefix: string;
  /** Options the server was started with, to start another server on the same prefix. */
  options: QStashServerOptions;
  /** A Redis client for assertions on the server's keys. */
  redis: Redis;
  /** Closes the server (if still open) and deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

export function uniqueKeyPrefix(area: string): string {
  return `test:${area}:${randomBytes(6).toString("hex")}:`;
}

/** Starts a server with a fresh prefix; set `LOG_LEVEL=debug` to see its logs. */
export async function startTestQStash(
  options: QStashServerOptions = {},
  area = "qstash",
): Promise<TestQStash> {
  const keyPrefix = options.keyPrefix ?? uniqueKeyPrefix(area);
  const resolved: QStashServerOptions = {
    redisUrl: TEST_REDIS_URL,
    pollIntervalMs: 200,
    logger: pino({ level: process.env.LOG_LEVEL ?? "silent" }),
    ...options,
    keyPrefix,
  };
  const server = await startQStashServer(resolved);
  const redis = new Redis(TEST_REDIS_URL);
  let closed = false;
  return {
    ...server,
    keyPrefix,
    options: resolved,
    redis,
    close: async () => {
      closed = true;
      await server.close();
    },
    async cleanup() {
      if (!closed) await server.close();
      closed = true;
      await deleteKeysWithPrefix(redis, keyPrefix);
      await redis.quit();
    },
  };
}

export { deleteKeysWithPrefix };
