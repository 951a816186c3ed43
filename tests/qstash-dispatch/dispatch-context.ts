/**
 * A `ServerContext` on real Redis for unit tests of the dispatch features, with a clock the test
 * moves by hand. Each call to `createTestContexts` gets a fresh key prefix; `cleanup()` deletes it.
 */
import { Redis } from "ioredis";
import pino from "pino";
import type { ServerContext } from "../../local/qstash/contracts.js";
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniqueKeyPrefix } from "../helpers/qstash.js";

export interface ManualClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createManualClock(startMs = Date.UTC(2025, 0, 6, 8, 30, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface TestContexts {
  keyPrefix: string;
  clock: ManualClock;
  /** Contexts with separate Redis connections on one prefix, like separate server processes. */
  contexts: ServerContext[];
  cleanup(): Promise<void>;
}

export function createTestContexts(area: string, count = 1): TestContexts {
  const keyPrefix = uniqueKeyPrefix(area);
  const clock = createManualClock();
  const logger = pino({ level: process.env.LOG_LEVEL ?? "silent" });
  const contexts = Array.from({ length: count }, () => ({
    redis: new Redis(TEST_REDIS_URL),
    keyPrefix,
    logger,
    now: () => clock.now(),
  }));
  return {
    keyPrefix,
    clock,
    contexts,
    async cleanup() {
      const [first] = contexts;
      if (first !== undefined) await deleteKeysWithPrefix(first.redis, keyPrefix);
      await Promise.all(contexts.map((context) => context.redis.quit()));
    },
  };
}
