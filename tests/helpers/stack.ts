/**
 * Starts the whole local stack for one test file on free ports, under its own Redis key prefix, and
 * deletes that prefix's keys on `cleanup()`.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { parseStackConfig, type StackConfigInput } from "../../local/config.js";
import { type LocalStack, type StartStackOptions, startLocalStack } from "../../local/stack.js";
import { TEST_REDIS_URL } from "./qstash.js";

export interface TestStack extends LocalStack {
  keyPrefix: string;
  /** Closes every server and deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export async function startTestStack(
  area: string,
  overrides: Partial<StackConfigInput> = {},
  options: StartStackOptions = {},
): Promise<TestStack> {
  const keyPrefix = `test:${area}:${randomBytes(4).toString("hex")}:`;
  const config = parseStackConfig(
    {},
    {
      REDIS_URL: TEST_REDIS_URL,
      QSTASH_PORT: 0,
      REDIS_REST_PORT: 0,
      GITHUB_PORT: 0,
      MODEL_PORT: 0,
      SINKS_PORT: 0,
      APP_PORT: 0,
      LOG_LEVEL: "warn",
      LOCAL_KEY_PREFIX: keyPrefix,
      ...overrides,
    },
  );
  const stack = await startLocalStack(config, { syncSchedules: false, ...options });
  let closed = false;
  return {
    ...stack,
    keyPrefix,
    cleanup: async () => {
      if (!closed) {
        closed = true;
        await stack.close();
      }
      await deleteKeysWithPrefix(config.REDIS_URL, keyPrefix);
    },
  };
}
